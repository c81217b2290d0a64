#!/usr/bin/env python3
"""Take the README's screenshots from a running Odoo with the add-on and its
demo data.

    python3 scripts/screenshots.py --url http://127.0.0.1:8069 --db sales_process_demo
    python3 scripts/screenshots.py --url ... --db ... --only my_dashboard_zh

Each screen of SCREENS becomes docs/images/<name>.png: the script signs in as
the screen's user (the demo users' password is their login), opens the
screen's window action or URL in a headless Chromium driven through the Chrome
DevTools Protocol (websocket-client), clicks what the screen asks for, waits
until the screen's selector is shown and the web client is idle (no request
under way, nothing blocking the page), and saves a 1400x900 capture reduced to
256 colours. A new screen is one more Screen(...) in SCREENS.

The Chinese screens need a CJK font (Debian: ``apt-get install
fonts-noto-cjk``); the script says so when fontconfig finds none.

The demo data has no customer feedback: on a database without any feedback
invitation, the feedback screens first create feedback campaigns as the
administrator (--admin-login, --admin-password), run their scheduled action
and answer the invitations (all but one, which the survey screen shows).
Use a demo database, never a production one.
"""

import argparse
import base64
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
import websocket
from PIL import Image

WIDTH, HEIGHT = 1400, 900
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "docs" / "images"
MODULE = "sales_process_automation"
# seconds to wait for a screen (its selector shown and the web client idle)
TIMEOUT = 60
# the network must have been quiet this long before a capture
QUIET_SECONDS = 0.8
# shown while the web client waits for the server or blocks the user
BUSY_SELECTOR = ".o_blockUI:not(.o_blockUI_invisible), .o_loading_indicator"
# no caret, animation or transition in the captures
FREEZE_CSS = (
    "*, *::before, *::after { animation: none !important; "
    "transition: none !important; caret-color: transparent !important; }"
)


@dataclass(frozen=True)
class Screen:
    """One screenshot: who looks at what, and what shows the screen is ready.

    The page is ``prepare(odoo)`` when given (for screens that need records
    to exist first), else ``url``, else the window action ``action`` (an
    xmlid) in the view ``view_type``. ``login`` None opens it without signing
    in (a customer). ``clicks`` are CSS selectors clicked one after the other
    once the page is idle; ``wait`` is the CSS selector of the finished screen.
    """

    name: str
    login: str | None
    wait: str
    action: str = ""
    view_type: str = ""
    url: str = ""
    clicks: tuple[str, ...] = ()
    prepare: Callable[["Odoo"], str] | None = None

    def path(self, odoo):
        if self.prepare:
            return self.prepare(odoo)
        if self.url:
            return self.url
        path = f"/odoo/action-{self.action}"
        return f"{path}?view_type={self.view_type}" if self.view_type else path


class Odoo:
    """The server: signs users in and calls models over the web client's
    JSON-RPC routes."""

    def __init__(self, url, db, admin_login, admin_password):
        self.url = url.rstrip("/")
        self.db = db
        self.admin_login = admin_login
        self.admin_password = admin_password
        self._admin = None

    def _jsonrpc(self, http, route, params):
        response = http.post(
            self.url + route,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=300,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            error = body["error"].get("data", {}).get("message") or body["error"]
            raise RuntimeError(f"{route}: {error}")
        return body["result"]

    def session(self, login, password=None):
        """A signed-in requests session of ``login``."""
        http = requests.Session()
        self._jsonrpc(
            http,
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password or login},
        )
        return http

    def call(self, model, method, *args, **kwargs):
        """Call a model method as the administrator."""
        if self._admin is None:
            self._admin = self.session(self.admin_login, self.admin_password)
        return self._jsonrpc(
            self._admin,
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        if not rows:
            raise RuntimeError(f"{xmlid} not found: is {MODULE} installed?")
        return rows[0]["res_id"]


class Browser:
    """A headless Chromium driven through the Chrome DevTools Protocol."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="spa_screenshots_")
        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--mute-audio",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._ids = iter(range(1, sys.maxsize))
        self.pending = {}  # request id -> url of the requests under way
        self.last_network = time.monotonic()
        self.ws = websocket.create_connection(
            self._page_websocket_url(), suppress_origin=True, timeout=TIMEOUT
        )
        self.call("Page.enable")
        self.call("Network.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_websocket_url(self):
        # Chromium writes the port it chose in the profile
        port_file = Path(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        while True:
            targets = requests.get(
                f"http://127.0.0.1:{port}/json/list", timeout=10
            ).json()
            pages = [t for t in targets if t["type"] == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium has no page to drive")
            time.sleep(0.1)

    def close(self):
        self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method, **params):
        """Send a command and return its result; the events read meanwhile
        keep the count of the requests under way."""
        command_id = next(self._ids)
        self.ws.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == command_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']['message']}")
                return message["result"]
            self._on_event(message.get("method"), message.get("params", {}))

    def _on_event(self, method, params):
        if method == "Network.requestWillBeSent":
            if not params.get("loaderId"):
                return  # a worker's (the bus): it stays open and draws nothing
            self.pending[params["requestId"]] = params["request"]["url"]
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.pending.pop(params["requestId"], None)
        else:
            return
        self.last_network = time.monotonic()

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url, session_id=None):
        """Open ``url`` signed in with the ``session_id`` cookie (or not)."""
        self.call("Network.clearBrowserCookies")
        if session_id:
            self.call("Network.setCookie", name="session_id", value=session_id, url=url)
        self.pending.clear()
        self.call("Page.navigate", url=url)

    def wait_idle(self, selector, clickable=False):
        """Wait until ``selector`` is shown (and enabled, when it is to be
        clicked), nothing blocks the page and no request has been under way
        for QUIET_SECONDS."""
        check = f"""(() => {{
            const element = document.querySelector({json.dumps(selector)});
            return document.readyState === "complete"
                && !!element && element.getClientRects().length > 0
                && !({json.dumps(clickable)} && (element.disabled
                     || element.classList.contains("disabled")))
                && !document.querySelector({json.dumps(BUSY_SELECTOR)});
        }})()"""
        deadline = time.monotonic() + TIMEOUT
        ready_since = None
        while time.monotonic() < deadline:
            # evaluating reads the network events that came meanwhile
            shown = self.evaluate(check)
            quiet = not self.pending and (
                time.monotonic() - self.last_network >= QUIET_SECONDS
            )
            if shown and quiet:
                ready_since = ready_since or time.monotonic()
                if time.monotonic() - ready_since >= QUIET_SECONDS:
                    return
            else:
                ready_since = None
            time.sleep(0.1)
        raise TimeoutError(
            f"{selector!r} not shown or the page not idle after {TIMEOUT} s"
            f" (requests under way: {list(self.pending.values())[:5]})"
        )

    def click(self, selector):
        self.wait_idle(selector, clickable=True)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def capture(self):
        """The page as it is now, without animations or caret."""
        self.evaluate(
            "(() => { const style = document.createElement('style');"
            f" style.textContent = {json.dumps(FREEZE_CSS)};"
            " document.head.appendChild(style); return document.fonts.ready"
            ".then(() => new Promise(r => requestAnimationFrame(() =>"
            " requestAnimationFrame(() => r(true))))); })()"
        )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        return base64.b64decode(data)


def optimised_png(png):
    """The capture in 256 colours (UI screens have few), compressed."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, dither=Image.Dither.NONE)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


# ----------------------------------------------------------------------
# records the feedback screens need
# ----------------------------------------------------------------------

SUGGESTIONS = [
    "Send the quotation sooner after the demo.",
    "The onboarding call was very helpful.",
    "Fewer follow-up emails, please.",
    "Clearer pricing for the support plans.",
]


def _feedback_answers(odoo):
    """The feedback survey answers of the database, oldest first; created
    (campaigns, invitations, all but the first answered) when none exists."""
    domain = [("sales_process_feedback_request_id", "!=", False)]
    fields = ["state", "access_token", "predefined_question_ids"]
    answers = odoo.call("survey.user_input", "search_read", domain, fields, order="id")
    if answers:
        return answers
    survey_id = odoo.ref(f"{MODULE}.survey_sales_process_feedback")
    odoo.call(
        "sales.process.feedback.campaign",
        "create",
        [
            {
                "name": name,
                "outcome": outcome,
                "survey_id": survey_id,
                "sample_rate": 100.0,
                "quiet_days": 0,
                "reminder_days": 0,
                "date_start": "2000-01-01 00:00:00",
            }
            for name, outcome in (
                ("Won opportunities", "won"),
                ("Lost opportunities", "lost"),
                ("Closed after-sales tickets", "ticket_closed"),
            )
        ],
    )
    cron_id = odoo.ref(f"{MODULE}.ir_cron_feedback_surveys")
    odoo.call("ir.cron", "method_direct_trigger", [cron_id])
    answers = odoo.call("survey.user_input", "search_read", domain, fields, order="id")
    if len(answers) < 2:
        raise RuntimeError("no feedback invitation created: is this a demo database?")
    questions = {
        question["id"]: question
        for question in odoo.call(
            "survey.question",
            "search_read",
            [("survey_id", "=", survey_id)],
            ["question_type", "sales_process_is_nps"],
        )
    }
    for answer in answers[1:]:
        pick = random.Random(answer["id"])  # the same answers on every database
        lines = []
        for question_id in answer["predefined_question_ids"]:
            question = questions[question_id]
            line = {"user_input_id": answer["id"], "question_id": question_id}
            if question["question_type"] == "text_box":
                if pick.random() < 0.5:
                    continue
                line.update(
                    answer_type="text_box", value_text_box=pick.choice(SUGGESTIONS)
                )
            elif question["sales_process_is_nps"]:
                line.update(answer_type="scale", value_scale=pick.randint(4, 10))
            else:
                rating = pick.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 5, 5])[0]
                line.update(answer_type="scale", value_scale=rating)
            lines.append(line)
        odoo.call("survey.user_input.line", "create", lines)
    odoo.call(
        "survey.user_input",
        "write",
        [answer["id"] for answer in answers[1:]],
        {"state": "done", "end_datetime": time.strftime("%Y-%m-%d %H:%M:%S")},
    )
    return answers


def feedback_survey_page(odoo):
    """The link of an invitation not answered yet (as in the customer's email)."""
    survey_id = odoo.ref(f"{MODULE}.survey_sales_process_feedback")
    unanswered = [a for a in _feedback_answers(odoo) if a["state"] != "done"]
    if not unanswered:
        raise RuntimeError("every feedback invitation is answered: none to show")
    answer = unanswered[0]
    if answer["state"] != "new":
        # opened by an earlier run: the customer's first visit again
        odoo.call("survey.user_input", "write", [answer["id"]], {"state": "new"})
    (survey,) = odoo.call("survey.survey", "read", [survey_id], ["access_token"])
    return (
        f"/survey/start/{survey['access_token']}?answer_token={answer['access_token']}"
    )


def feedback_analysis(odoo):
    _feedback_answers(odoo)
    return f"/odoo/action-{MODULE}.sales_process_feedback_report_action"


# ----------------------------------------------------------------------
# the screens
# ----------------------------------------------------------------------

KANBAN_CARD = ".o_kanban_renderer .o_kanban_record:not(.o_kanban_ghost)"

# the dashboards are ready when their charts are drawn
DASHBOARD_CHART = ".o_sales_process_dashboard_view canvas"

SCREENS = [
    Screen(
        name="pipeline_kanban_zh",
        login="spa_rep_li",
        url="/odoo/crm",  # the app's path: the web client shows the CRM menus
        wait=KANBAN_CARD,
    ),
    Screen(
        name="my_dashboard_zh",
        login="spa_rep_li",
        action=f"{MODULE}.sales_process_dashboard_action_rep",
        wait=DASHBOARD_CHART,
    ),
    Screen(
        name="team_dashboard_ru",
        login="spa_leader_petrov",
        action=f"{MODULE}.sales_process_dashboard_action_manager",
        wait=DASHBOARD_CHART,
    ),
    Screen(
        name="admin_dashboard",
        login="spa_admin_dubois",
        action=f"{MODULE}.sales_process_dashboard_action_admin",
        wait=".o_sales_process_dashboard_block table",
    ),
    Screen(
        name="process_map_ru",
        login="spa_leader_petrov",
        action=f"{MODULE}.sales_process_map_action",
        wait=".o_sales_process_map_flow",
    ),
    Screen(
        name="lead_import_template",
        login="spa_admin_dubois",
        action="crm.crm_lead_all_leads",
        clicks=(
            ".o_cp_action_menus button:has(.fa-cog)",
            ".o_import_menu",
        ),
        wait=".o_import_action a[href*='sales_process_lead_import_template']",
    ),
    Screen(
        name="feedback_survey",
        login=None,
        prepare=feedback_survey_page,
        clicks=(".o_survey_start button[value='start']",),
        wait=".o_survey_form .js_question-wrapper",
    ),
    Screen(
        name="feedback_analysis",
        login="spa_admin_dubois",
        prepare=feedback_analysis,
        wait=".o_pivot table",
    ),
]


def find_chromium():
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        if path := shutil.which(name):
            return path
    raise SystemExit("No Chromium or Chrome found (Debian: apt-get install chromium).")


def warn_without_cjk_font():
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return
    fonts = subprocess.run(
        [fc_list, ":lang=zh"], capture_output=True, text=True, check=False
    ).stdout
    if not fonts.strip():
        print(
            "warning: no Chinese font: the Chinese screens will show boxes "
            "(Debian: apt-get install fonts-noto-cjk)",
            file=sys.stderr,
        )


def take(browser, odoo, screen):
    url = odoo.url + screen.path(odoo)
    session_id = None
    if screen.login:
        session_id = odoo.session(screen.login).cookies.get("session_id")
    browser.open(url, session_id)
    for selector in screen.clicks:
        browser.click(selector)
    browser.wait_idle(screen.wait)
    png = optimised_png(browser.capture())
    path = OUTPUT_DIR / f"{screen.name}.png"
    path.write_bytes(png)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--admin-login", default="admin")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="these screens only (their names)"
    )
    options = parser.parse_args()
    screens = [s for s in SCREENS if not options.only or s.name in options.only]
    if not screens:
        parser.error(f"no such screen; screens: {', '.join(s.name for s in SCREENS)}")
    warn_without_cjk_font()
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(options.url, options.db, options.admin_login, options.admin_password)
    browser = Browser(find_chromium())
    failed = []
    try:
        for screen in screens:
            try:
                path = take(browser, odoo, screen)
            except (RuntimeError, TimeoutError, requests.RequestException) as error:
                failed.append(screen.name)
                print(f"FAIL {screen.name}: {error}", file=sys.stderr)
                continue
            size = path.stat().st_size // 1024
            print(
                f"OK   {screen.name}: {path.relative_to(OUTPUT_DIR.parent.parent)}"
                f" ({size} KB)"
            )
    finally:
        browser.close()
    if failed:
        sys.exit(f"{len(failed)} screen(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
