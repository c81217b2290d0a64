#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Sales users under load: plain Odoo and the add-on, on the same server setup.

Two databases with demo data hold the same modules, except that one also has
sales_process_automation ("add-on") and the other does not ("plain"). Each is
served by its own multi-process Odoo (``--workers=2 --max-cron-threads=1``,
127.0.0.1 only); the add-on's SLA sweep is due every minute. For each number N
of users, N sales reps log in (/web/session/authenticate) and loop over
JSON-RPC as the web client does: read the pipeline kanban, move one of their
opportunities to the next stage, create a lead (every third one without
salesperson, so that the assignment rules run), create a quotation, confirm
it. Each run lasts ``--duration`` seconds; runs of both databases alternate so
that both see the same background load, and each starts once the servers are
idle: the cron worker of the database loaded before may still be doing the
jobs of its run (60 s at most, told otherwise). The table gives, per operation and
database, the count, the errors, p50 / p95 in ms and the throughput (ok/s);
after each run the integrity checks read the database: one open stage history
row per record, no duplicate contract chain, invoice or ticket, no lead left
waiting for the assignment job over 90 s, the SLA sweep ran and did not fail,
no ERROR in the server log; they also tell how many times the assignment job
ran. With ``--rounds R``, each
database runs R times for each N, in turns, and the tables pool the rounds: on
2 cores one run of 25 s varies by about 10 %. The targets follow each table:
throughput (pooled, and of each round), p95 of each operation and p50 of lead
creation against plain Odoo, errors and integrity. The servers are stopped at
the end, whatever happens. With ``--statements``, when PostgreSQL loads
pg_stat_statements, each table is followed by the SQL statements the add-on
spends the most more PostgreSQL time on per request, planning included. With
``--dependencies``, a third database holds the modules the add-on depends on
(OCA tier validation, the helpdesk links, survey, ...) without the add-on: its
column tells which part of the add-on's cost those modules make by themselves.

The reps ``load_rep_1`` ... ``load_rep_N`` (password ``load``) are created in
the Sales team of both databases when missing.

Usage: python3 benchmarks/bench_load.py [--users 4,8,16,32] [--duration 25]
       [--rounds 1] [--reuse-database] [--keep-databases] [--signed]
       [--port 8180] [--statements] [--dependencies]
"""

import argparse
import http.client
import http.cookiejar
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import defaultdict
from contextlib import ExitStack, contextmanager

import benchlib
import psutil
import psycopg2

DEPENDENCIES = "crm,sale_management,sale_crm,account,helpdesk_mgmt"
DATABASES = {
    "plain": ("load_plain", DEPENDENCIES),
    "add-on": ("load_addon", benchlib.MODULE),
}
# --dependencies: plain Odoo with the modules the add-on depends on, without it
DEPENDENCIES_DATABASE = ("load_dependencies", ",".join(benchlib.module_depends()))
OPERATIONS = [
    "kanban",
    "move stage",
    "create lead",
    "create unassigned",
    "create quotation",
    "confirm",
]
PASSWORD = "load"
CONTRACT_SIGNED_FIELDS = ("is_contract_signed", "sales_process_contract_signed")
# a 1x1 PNG: a signature for the signed quotations of --signed
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
    "RU5ErkJggg=="
)


class RpcError(Exception):
    pass


class Client:
    """One web session: JSON-RPC calls with the session cookie."""

    def __init__(self, port, timeout=180):
        self.base = f"http://127.0.0.1:{port}"
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.uid = None
        self.context = {}

    def _post(self, path, params):
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}
        ).encode()
        request = urllib.request.Request(
            self.base + path, body, {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RpcError(data.get("name") or answer["error"].get("message"))
        return answer["result"]

    def login(self, db, login, password):
        result = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        self.uid = result["uid"]
        self.context = result.get("user_context") or {}

    def call(self, model, method, *args, **kwargs):
        kwargs.setdefault("context", self.context)
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


# ---------------------------------------------------------------- servers


def wait_for(port, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/webclient/version_info", timeout=5
            ):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"no Odoo answering on port {port}")


LAUNCHER = """\
import sys
import time

if sys.argv[1:2] == ["gevent"]:
    # the load does not use the bus: an idle stand-in for the longpolling
    # process (gevent may not start here; a failing one is respawned every second)
    while True:
        time.sleep(3600)
from odoo.cli.command import main

main()
"""
# jobs that call services outside this machine (IAP, odoo.com): off in both
# databases, the servers must only talk to 127.0.0.1
EXTERNAL_CRONS = [
    "crm_iap_enrich.ir_cron_lead_enrichment",
    "mail.ir_cron_module_update_notification",
    "sms.ir_cron_sms_scheduler_action",
    "snailmail.snailmail_print",
]


def odoo_bin():
    """A launcher of Odoo's command line, as odoo-bin is."""
    launcher = os.path.join(tempfile.mkdtemp(prefix="bench_load_"), "odoo-bin")
    with open(launcher, "w") as file:
        file.write(LAUNCHER)
    return launcher


def prepare_server_settings(db_name, port):
    """No job reaching the outside; the invoice PDFs of the contract chain
    fetch their stylesheets from the server on ``port``, as in production
    (web.base.url points to no server here, and each PDF then waits for
    wkhtmltopdf's network error)."""
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute(
            "INSERT INTO ir_config_parameter (key, value)"
            " VALUES ('report.url', %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [f"http://127.0.0.1:{port}"],
        )
        cr.execute(
            "UPDATE ir_cron SET active = FALSE WHERE id IN (SELECT res_id FROM"
            " ir_model_data WHERE model = 'ir.cron' AND module || '.' || name IN %s)",
            [tuple(EXTERNAL_CRONS)],
        )
        # an admin login sets web.base.url from the port it came in on: two
        # servers of one database (--also-addons) would flip it, and each change
        # empties the caches of every worker
        cr.execute(
            "INSERT INTO ir_config_parameter (key, value)"
            " SELECT 'web.base.url.freeze', 'True' WHERE NOT EXISTS"
            " (SELECT 1 FROM ir_config_parameter WHERE key = 'web.base.url.freeze')"
        )


@contextmanager
def odoo_server(db_name, port, log_path, addons_path=None):
    """A multi-process Odoo serving ``db_name`` only, on 127.0.0.1:``port``.

    Its longpolling (gevent) port is ``port + 1``. Killed with its workers at
    the end.
    """
    command = [
        sys.executable,
        # a script, not ``-m odoo``: the prefork server starts its longpolling
        # process again with its own command line
        odoo_bin(),
        "-d",
        db_name,
        f"--db-filter=^{db_name}$",
        f"--addons-path={addons_path or benchlib.addons_path()}",
        "--workers=2",
        "--max-cron-threads=1",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        "--log-level=warn",
        f"--logfile={log_path}",
        "--no-database-list",
    ]
    prepare_server_settings(db_name, port)
    process = subprocess.Popen(command, start_new_session=True)
    try:
        wait_for(port)
        yield process
    finally:
        # the server and its workers are in their own process group
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- set-up


def xmlid(admin, full_name):
    module, name = full_name.split(".")
    found = admin.call(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        ["res_id"],
    )
    return found[0]["res_id"] if found else False


def prepare(db_name, port, users, extra_groups=()):
    """Reps with known passwords, the SLA sweep every minute; what the loop uses.

    The groups of ``extra_groups`` (xmlids) are given to the reps where they
    exist.
    """
    admin = Client(port)
    admin.login(db_name, "admin", "admin")
    team_id = xmlid(admin, "sales_team.team_sales_department")
    salesman = xmlid(admin, "sales_team.group_sale_salesman")
    logins = [f"load_rep_{index}" for index in range(1, users + 1)]
    existing = {
        user["login"]
        for user in admin.call(
            "res.users", "search_read", [("login", "in", logins)], ["login"]
        )
    }
    missing = [login for login in logins if login not in existing]
    if missing:
        user_ids = admin.call(
            "res.users",
            "create",
            [
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "password": PASSWORD,
                    "email": f"{login}@load.example.com",
                    "group_ids": [(4, salesman)],
                }
                for login in missing
            ],
            context={"no_reset_password": True, "tracking_disable": True},
        )
        admin.call(
            "crm.team",
            "write",
            [team_id],
            {"member_ids": [(4, user_id) for user_id in user_ids]},
        )
    for group_id in filter(None, (xmlid(admin, group) for group in extra_groups)):
        # only the reps without it: a group written empties every worker's caches
        if user_ids := admin.call(
            "res.users",
            "search",
            [("login", "in", logins), ("group_ids", "not in", [group_id])],
        ):
            admin.call(
                "res.groups",
                "write",
                [group_id],
                {"user_ids": [(4, user_id) for user_id in user_ids]},
            )
    stages = admin.call(
        "crm.stage",
        "search_read",
        [("is_won", "=", False)],
        ["id", "sequence", "team_ids"],
        order="sequence, id",
    )
    # stages that start the contract chain are left out (the field was renamed)
    stage_fields = admin.call("crm.stage", "fields_get", [], attributes=["type"])
    for fname in CONTRACT_SIGNED_FIELDS:
        if fname in stage_fields:
            signed = admin.call("crm.stage", "search", [(fname, "=", True)])
            stages = [stage for stage in stages if stage["id"] not in signed]
    views = admin.call(
        "crm.lead", "get_views", [(False, "kanban")], options={"toolbar": False}
    )
    return {
        "partners": admin.call(
            "res.partner",
            "search",
            [("is_company", "=", True), ("email", "!=", False)],
            limit=20,
        ),
        # invoiced on ordered quantities: the contract chain of a signed
        # quotation (--signed) invoices it when it is confirmed
        "products": admin.call(
            "product.product",
            "search",
            [("sale_ok", "=", True), ("invoice_policy", "=", "order")],
            limit=5,
        ),
        "stages": [stage["id"] for stage in stages if not stage["team_ids"]],
        "kanban_spec": kanban_specification(views),
        "logins": logins,
        "sla_cron": xmlid(admin, "sales_process_automation.ir_cron_sla_sweep"),
    }


def kanban_specification(views):
    """The read specification the web client builds from the kanban arch."""
    arch = ET.fromstring(views["views"]["kanban"]["arch"])
    fields = views["models"]["crm.lead"]["fields"]
    spec = {}
    for node in arch.iter("field"):
        name = node.get("name")
        if name not in fields or name in spec:
            continue
        field_type = fields[name]["type"]
        if field_type == "many2one" or field_type in ("one2many", "many2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


# ---------------------------------------------------------------- load


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings = defaultdict(list)
        self.errors = defaultdict(int)
        self.messages = defaultdict(int)
        self.elapsed = 0.0
        self.cpu = dict.fromkeys(CpuMeter.KINDS, 0.0)
        # {statement: [calls, ms]} from pg_stat_statements (--statements)
        self.statements = defaultdict(lambda: [0, 0.0])

    def ok(self):
        return sum(len(values) for values in self.timings.values())

    def rate(self):
        """Requests served without error per second."""
        return self.ok() / self.elapsed

    def add(self, other):
        """Pool the results of another run of the same database."""
        for operation, values in other.timings.items():
            self.timings[operation] += values
        for counter, other_counter in (
            (self.errors, other.errors),
            (self.messages, other.messages),
        ):
            for key, number in other_counter.items():
                counter[key] += number
        self.elapsed += other.elapsed
        for kind, seconds in other.cpu.items():
            self.cpu[kind] += seconds
        for statement, (calls, ms) in other.statements.items():
            self.statements[statement][0] += calls
            self.statements[statement][1] += ms

    def record(self, operation, seconds, error=None):
        with self.lock:
            if error is None:
                self.timings[operation].append(seconds * 1000)
            else:
                self.errors[operation] += 1
                self.messages[f"{operation}: {error}"[:160]] += 1


def user_loop(db_name, port, login, setup, results, stop_at, signed, index, users):
    client = Client(port)
    # logins spread over a second, and tried again: the listen backlog of a
    # server of 2 workers is 16 connections, N users at once would overflow it
    time.sleep(index / users)
    for attempt in range(3):
        try:
            client.login(db_name, login, PASSWORD)
            break
        except (OSError, http.client.HTTPException) as error:
            results.record(
                "login" if attempt == 2 else "login retried",
                0,
                f"{type(error).__name__}: {error}",
            )
            time.sleep(1 + attempt)
    else:
        return
    uid = client.uid
    partners = itertools.cycle(
        setup["partners"][uid % len(setup["partners"]) :] or setup["partners"]
    )
    stages = setup["stages"]
    mine = []

    def timed(operation, function):
        start = time.perf_counter()
        try:
            value = function()
        except Exception as error:  # noqa: BLE001 - counted, not raised
            results.record(
                operation,
                time.perf_counter() - start,
                f"{type(error).__name__}: {error}",
            )
            return None
        results.record(operation, time.perf_counter() - start)
        return value

    for iteration in itertools.count():
        if time.time() >= stop_at:
            return
        timed(
            "kanban",
            lambda: client.call(
                "crm.lead",
                "web_read_group",
                [("type", "=", "opportunity")],
                ["stage_id"],
                ["expected_revenue:sum"],
                auto_unfold=True,
                unfold_read_specification=setup["kanban_spec"],
                unfold_read_default_limit=80,
            ),
        )
        if mine and time.time() < stop_at:
            lead = mine[iteration % len(mine)]
            lead["stage"] = (lead["stage"] + 1) % len(stages)
            timed(
                "move stage",
                lambda lead=lead: client.call(
                    "crm.lead",
                    "write",
                    [lead["id"]],
                    {"stage_id": stages[lead["stage"]]},
                ),
            )
        if time.time() >= stop_at:
            return
        unassigned = iteration % 3 == 2
        lead_values = {
            "name": f"Load lead {login} {iteration}",
            "type": "opportunity",
            "partner_id": next(partners),
            "expected_revenue": 1000 + iteration,
            "user_id": False if unassigned else uid,
            "stage_id": stages[0],
        }
        lead_id = timed(
            "create unassigned" if unassigned else "create lead",
            lambda values=lead_values: client.call("crm.lead", "create", values),
        )
        if lead_id and not unassigned:
            mine.append({"id": lead_id, "stage": 0})
        if time.time() >= stop_at:
            return
        order_values = {
            "partner_id": next(partners),
            "order_line": [
                (0, 0, {"product_id": product, "product_uom_qty": 1 + iteration % 3})
                for product in setup["products"][:2]
            ],
        }
        if signed:
            order_values.update(signature=SIGNATURE, signed_by=login)
        order_id = timed(
            "create quotation",
            lambda values=order_values: client.call("sale.order", "create", values),
        )
        if order_id and time.time() < stop_at:
            timed(
                "confirm",
                lambda order_id=order_id: client.call(
                    "sale.order", "action_confirm", [order_id]
                ),
            )


def run_load(db_name, port, server_pids, setup, users, duration, signed):
    results = Results()
    stop_at = time.time() + duration
    threads = [
        threading.Thread(
            target=user_loop,
            args=(db_name, port, login, setup, results, stop_at, signed, index, users),
            daemon=True,
        )
        for index, login in enumerate(setup["logins"][:users])
    ]
    meter = CpuMeter(db_name, server_pids)
    meter.snapshot()
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive() and time.time() < start + duration + 240:
            thread.join(timeout=2)
            meter.snapshot()
    results.elapsed = time.time() - start
    meter.snapshot()
    results.cpu = meter.seconds()
    return results


# ---------------------------------------------------------------- CPU


def cpu_seconds(processes):
    """``{pid: CPU seconds so far}`` of the processes still running."""
    spent = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        spent[process.pid] = times.user + times.system
    return spent


class CpuMeter:
    """CPU seconds spent during a run by the server's processes (HTTP workers,
    the cron worker), by PostgreSQL (the backends of the database, its
    autovacuum workers, and its background processes: WAL writer, checkpointer,
    ...) and by this client.

    The cron worker is the one Odoo runs at nice 10. ``server_pids``: the
    servers of the database, the one under load first; the cron workers of
    the others (``--also-addons``) run the jobs its load queues as soon as
    its own. A process that ends during the run counts for what it spent
    until the last snapshot.
    """

    KINDS = ("http", "cron", "pg", "pg autovacuum", "pg background", "client")
    PG_KINDS = {"client backend": "pg", "autovacuum worker": "pg autovacuum"}

    def __init__(self, db_name, server_pids):
        self.db_name = db_name
        self.server_pids = server_pids
        self.first, self.last = {}, {}

    def _processes(self):
        """{pid: (kind, cpu seconds)} of the processes measured."""
        kinds = {}
        for index, server_pid in enumerate(self.server_pids):
            try:
                workers = psutil.Process(server_pid).children(recursive=True)
            except psutil.NoSuchProcess:
                workers = []
            for worker in workers:
                try:
                    cron = worker.nice() == 10
                except psutil.NoSuchProcess:
                    continue
                if cron or not index:
                    kinds[worker] = "cron" if cron else "http"
        connection = psycopg2.connect(dbname=self.db_name)
        try:
            with connection.cursor() as cr:
                cr.execute(
                    "SELECT pid, datname, backend_type FROM pg_stat_activity"
                    " WHERE pid <> pg_backend_pid()"
                    " AND (datname = %s OR datname IS NULL)",
                    [self.db_name],
                )
                backends = cr.fetchall()
        finally:
            connection.close()
        for pid, datname, backend_type in backends:
            kind = self.PG_KINDS.get(backend_type, "pg") if datname else "pg background"
            try:
                kinds[psutil.Process(pid)] = kind
            except psutil.NoSuchProcess:
                continue
        kinds[psutil.Process()] = "client"
        kind_of = {process.pid: kind for process, kind in kinds.items()}
        return {
            pid: (kind_of[pid], seconds) for pid, seconds in cpu_seconds(kinds).items()
        }

    def snapshot(self):
        # a process first seen after the first snapshot started during the run
        started = bool(self.last)
        for pid, value in self._processes().items():
            self.first.setdefault(pid, (value[0], 0.0 if started else value[1]))
            self.last[pid] = value

    def seconds(self):
        spent = dict.fromkeys(self.KINDS, 0.0)
        for pid, (kind, value) in self.last.items():
            spent[kind] += value - self.first[pid][1]
        return spent


# ---------------------------------------------------------------- checks


def wait_until_idle(server_pids, timeout=60, window=1.0, busy=0.1):
    """Wait until the servers' processes spend less than ``busy`` of a core
    during ``window`` seconds: the cron worker of the database loaded before
    finishing the jobs of its run would otherwise take the cores of the next
    run. False when they are still busy after ``timeout`` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        processes = []
        for pid in server_pids:
            try:
                server = psutil.Process(pid)
                processes += [server, *server.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        before = cpu_seconds(processes)
        time.sleep(window)
        after = cpu_seconds(processes)
        if sum(after[pid] - before[pid] for pid in after if pid in before) < (
            busy * window
        ):
            return True
    return False


def trigger_sla_sweep(db_name, cron_id):
    """The SLA sweep every minute, due now; the cron thread is woken up."""
    if not cron_id:
        return
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute(
            "UPDATE ir_cron SET interval_number = 1, interval_type = 'minutes',"
            " nextcall = (now() AT TIME ZONE 'UTC') - interval '1 second',"
            " active = TRUE WHERE id = %s",
            [cron_id],
        )
    with psycopg2.connect(dbname="postgres") as connection:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("NOTIFY cron_trigger, %s", [db_name])


def database_now(db_name):
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        return cr.fetchone()[0]


# ---------------------------------------------------------------- statements

CURRENT_DATABASE = "(SELECT oid FROM pg_database WHERE datname = current_database())"


def statements_ready(db_name):
    """Whether PostgreSQL counts the statements of ``db_name``: its server
    loads pg_stat_statements (``shared_preload_libraries``), whose extension
    is then created in the database."""
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute("SHOW shared_preload_libraries")
        if "pg_stat_statements" not in cr.fetchone()[0]:
            return False
        cr.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return True


def reset_statements(db_name):
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute(f"SELECT pg_stat_statements_reset(0, {CURRENT_DATABASE}, 0)")


def statement_times(db_name):
    """``{statement: [calls, ms]}`` of ``db_name`` since the last reset:
    planning and execution, statements told apart by their first 70
    characters."""
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:
        cr.execute(
            "SELECT LEFT(REGEXP_REPLACE(query, '\\s+', ' ', 'g'), 70),"
            " SUM(calls), SUM(total_exec_time + total_plan_time)"
            f" FROM pg_stat_statements WHERE dbid = {CURRENT_DATABASE}"
            " GROUP BY 1"
        )
        return {text: [int(calls), ms] for text, calls, ms in cr.fetchall()}


def integrity(db_name, since, cron_id, log_path, log_offset):
    """Problems found in the database and the server log since ``since``."""
    problems = []
    with psycopg2.connect(dbname=db_name) as connection, connection.cursor() as cr:

        def count(query, *params):
            cr.execute(query, params)
            return cr.fetchone()[0]

        cr.execute("SELECT to_regclass('sales_process_stage_history') IS NOT NULL")
        addon = cr.fetchone()[0]
        if addon:
            for table, link in (
                ("crm_lead", "lead_id"),
                ("sale_order", "order_id"),
                ("helpdesk_ticket", "ticket_id"),
            ):
                missing = count(
                    f"SELECT count(*) FROM {table} record"
                    " WHERE record.create_date >= %s"
                    " AND NOT EXISTS (SELECT 1 FROM sales_process_stage_history h"
                    f" WHERE h.{link} = record.id AND h.date_out IS NULL)",
                    since,
                )
                several = count(
                    "SELECT count(*) FROM (SELECT 1 FROM sales_process_stage_history"
                    f" WHERE {link} IS NOT NULL AND date_out IS NULL GROUP BY {link}"
                    " HAVING count(*) > 1) x"
                )
                if missing or several:
                    problems.append(
                        f"{table}: {missing} new without open history row, "
                        f"{several} with several"
                    )
            chains = count(
                "SELECT count(*) FROM (SELECT order_id"
                " FROM sales_process_contract_chain"
                " GROUP BY order_id HAVING count(*) > 1) x"
            )
            tickets = count(
                "SELECT count(*) FROM (SELECT ticket_id"
                " FROM sales_process_contract_chain WHERE ticket_id IS NOT NULL"
                " GROUP BY ticket_id HAVING count(*) > 1) x"
            )
            if chains or tickets:
                problems.append(
                    f"{chains} orders with several chains, {tickets} shared tickets"
                )
            # the leads reps save wait for the assignment job a few seconds,
            # about a minute at most when it gathers them
            waiting = count(
                "SELECT count(*) FROM sales_process_assignment_queue"
                " WHERE create_date"
                " < (now() AT TIME ZONE 'UTC') - interval '90 seconds'"
            )
            if waiting:
                problems.append(
                    f"{waiting} leads waiting for the assignment job for over 90 s"
                )
            runs = count(
                "SELECT count(*) FROM ir_cron_progress progress"
                " JOIN ir_model_data data ON data.model = 'ir.cron'"
                " AND data.res_id = progress.cron_id"
                " AND data.module = 'sales_process_automation'"
                " AND data.name = 'ir_cron_assign_queued'"
                " WHERE progress.create_date >= %s",
                since,
            )
            problems.append(f"info: assignment job runs during the run: {runs}")
        invoices = count(
            "SELECT count(*) FROM (SELECT invoice_origin FROM account_move"
            " WHERE move_type = 'out_invoice' AND create_date >= %s"
            " AND invoice_origin IS NOT NULL GROUP BY invoice_origin"
            " HAVING count(*) > 1) x",
            since,
        )
        if invoices:
            problems.append(f"{invoices} orders invoiced twice")
        # not a problem, a cost: every worker then rebuilds its caches
        cr.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'orm_signaling_%%'"
        )
        invalidations = {
            table[len("orm_signaling_") :]: count(
                f"SELECT count(*) FROM {table} WHERE date >= %s", since
            )
            for (table,) in cr.fetchall()
        }
        if any(invalidations.values()):
            problems.append(
                "info: cache invalidations during the run: "
                + ", ".join(f"{name} {n}" for name, n in invalidations.items() if n)
            )
        if cron_id:
            cr.execute(
                "SELECT lastcall, failure_count FROM ir_cron WHERE id = %s", [cron_id]
            )
            lastcall, failures = cr.fetchone()
            if not lastcall or lastcall < since:
                problems.append("SLA sweep did not run")
            if failures:
                problems.append(f"SLA sweep failed ({failures} consecutive failures)")
    with open(log_path, errors="replace") as log:
        log.seek(log_offset)
        errors = [
            line.strip() for line in log if re.search(r"\d (ERROR|CRITICAL) ", line)
        ]
    if errors:
        problems.append(
            f"{len(errors)} ERROR lines in the log, first: {errors[0][:200]}"
        )
    return problems


# ---------------------------------------------------------------- report


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def report(users, results_by_db, problems_by_db):
    labels = list(results_by_db)
    print(f"\nN = {users} users")
    header = (
        f"{'operation':<18}"
        + "".join(f"| {label[:34]:^34}" for label in labels)
        + "".join(f"| {label[:10]}/{labels[0]} p50 p95 " for label in labels[1:])
    )
    print(header)
    print(f"{'':<18}" + "| count  err    p50 ms   p95 ms  ok/s " * len(labels))
    rows = [*OPERATIONS, "login retried", "login"]
    for operation in rows:
        cells, p50s, p95s = [], [], []
        if not any(
            results.timings.get(operation) or results.errors.get(operation)
            for results in results_by_db.values()
        ):
            continue
        for results in results_by_db.values():
            timings = results.timings.get(operation, [])
            p50 = statistics.median(timings) if timings else None
            p95 = percentile(timings, 0.95)
            p50s.append(p50)
            p95s.append(p95)
            rate = len(timings) / results.elapsed
            cells.append(
                f"| {len(timings):>5} {results.errors.get(operation, 0):>4}"
                f" {p50 or 0:>9.0f} {p95 or 0:>8.0f} {rate:>5.1f}"
            )
        ratios = "".join(
            f"| {p50 / p50s[0]:>17.1f}x {p95 / p95s[0]:>4.1f}x"
            if p50s[0] and p50 and p95s[0] and p95
            else f"| {'':>23}"
            for p50, p95 in zip(p50s[1:], p95s[1:], strict=True)
        )
        print(f"{operation:<18}" + "".join(cells) + ratios)
    totals = []
    for results in results_by_db.values():
        ok = results.ok()
        errors = sum(results.errors.values())
        totals.append(f"| {ok:>5} {errors:>4} {'':>18} {results.rate():>5.1f}")
    print(f"{'all':<18}" + "".join(totals))
    print("CPU ms per ok request (what the machine's 2 cores spend):")
    for kind in (*CpuMeter.KINDS, "all"):
        cells = []
        for results in results_by_db.values():
            ok = results.ok()
            spent = sum(results.cpu.values()) if kind == "all" else results.cpu[kind]
            cells.append(f"| {spent * 1000 / max(ok, 1):>33.1f} ")
        print(f"  {kind:<16}" + "".join(cells))
    report_statements(results_by_db)
    for label, results in results_by_db.items():
        for message, number in sorted(
            results.messages.items(), key=lambda item: -item[1]
        )[:5]:
            print(f"  {label} error x{number}: {message}")
        problems = problems_by_db[label]
        for problem in problems:
            if problem.startswith("info: "):
                print(f"  {label} {problem}")
            else:
                print(f"  {label} INTEGRITY: {problem}")
        if not any(not problem.startswith("info: ") for problem in problems):
            print(f"  {label} integrity: ok")
    sys.stdout.flush()


def report_statements(results_by_db, rows=12):
    """The statements where PostgreSQL spends the most more time per ok
    request than for the first database (plain Odoo), planning included."""
    labels = list(results_by_db)
    if len(labels) < 2 or not any(r.statements for r in results_by_db.values()):
        return
    first = results_by_db[labels[0]]

    def per_request(results, statement):
        calls, ms = results.statements.get(statement, (0, 0.0))
        ok = max(results.ok(), 1)
        return calls / ok, ms / ok

    for label in labels[1:]:
        results = results_by_db[label]
        total = {
            name: sum(ms for _calls, ms in r.statements.values()) / max(r.ok(), 1)
            for name, r in ((labels[0], first), (label, results))
        }
        print(
            f"PostgreSQL ms per ok request, planning and execution: "
            f"{labels[0]} {total[labels[0]]:.2f}, {label} {total[label]:.2f};"
            f" the {rows} statements {label} spends the most more on"
            f" (calls and ms per request, {labels[0]} then {label}):"
        )
        differences = sorted(
            (
                per_request(results, statement)[1] - per_request(first, statement)[1],
                statement,
            )
            for statement in set(results.statements) | set(first.statements)
        )
        for difference, statement in reversed(differences[-rows:]):
            (calls, ms), (other_calls, other_ms) = (
                per_request(first, statement),
                per_request(results, statement),
            )
            print(
                f"  {difference:+6.3f} | {calls:5.2f} {ms:6.3f} | {other_calls:5.2f}"
                f" {other_ms:6.3f} | {statement}"
            )


def report_targets(rates, results_by_db, problems_by_db):
    """The issue's targets, against the first database (plain Odoo)."""
    labels = list(results_by_db)
    if len(labels) < 2:
        return
    plain = results_by_db[labels[0]]
    plain_create = statistics.median(plain.timings.get("create lead") or [0]) or None
    print(f"Targets against {labels[0]}:")
    for label in labels[1:]:
        results = results_by_db[label]
        ratios = [rate[label] / rate[labels[0]] for rate in rates]
        pooled = results.rate() / plain.rate()
        if not label.startswith("add-on"):
            # no target: the modules the add-on depends on, measured alone
            print(
                f"  {label:<12} info throughput {pooled:.2f}x (rounds: "
                + ", ".join(f"{ratio:.2f}" for ratio in ratios)
                + ")"
            )
            continue
        p95_ratios = {
            operation: percentile(results.timings[operation], 0.95)
            / percentile(plain.timings[operation], 0.95)
            for operation in OPERATIONS
            if results.timings.get(operation) and plain.timings.get(operation)
        }
        worst = max(p95_ratios, key=p95_ratios.get, default=None)
        creates = {
            operation: statistics.median(results.timings[operation]) / plain_create
            for operation in ("create lead", "create unassigned")
            if results.timings.get(operation) and plain_create
        }
        errors = sum(results.errors.values())
        broken = [p for p in problems_by_db[label] if not p.startswith("info: ")]
        lines = [
            (
                pooled >= 0.9,
                f"throughput {pooled:.2f}x (rounds: "
                + ", ".join(f"{ratio:.2f}" for ratio in ratios)
                + ") >= 0.9x",
            ),
            (
                worst is None or p95_ratios[worst] <= 1.5,
                f"worst p95 {p95_ratios.get(worst, 0):.1f}x ({worst}) <= 1.5x",
            ),
            *(
                (ratio <= 1.5, f"{operation} p50 {ratio:.1f}x plain create <= 1.5x")
                for operation, ratio in creates.items()
            ),
            (not errors, f"{errors} errors"),
            (not broken, f"integrity: {len(broken)} problems"),
        ]
        for met, text in lines:
            print(f"  {label:<12} {'met ' if met else 'MISS'} {text}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", default="4,8,16,32", help="N values, comma-separated"
    )
    parser.add_argument("--duration", type=int, default=25, help="seconds per run")
    parser.add_argument(
        "--port",
        type=int,
        default=8180,
        help="first port; each server takes 2 (HTTP, longpolling)",
    )
    parser.add_argument(
        "--signed",
        action="store_true",
        help="signed quotations: confirming starts the add-on's contract chain",
    )
    parser.add_argument(
        "--only", choices=list(DATABASES), help="load one database only"
    )
    parser.add_argument(
        "--database-prefix",
        default="",
        help="put before the names of the databases, e.g. rr_ for rr_load_addon",
    )
    parser.add_argument(
        "--rep-group",
        default="",
        help="comma-separated xmlids of groups the reps also get where they "
        "exist, e.g. sales_team.group_sale_salesman_all_leads,"
        "sales_process_automation.group_admin while reps cannot run the "
        "assignment rules themselves",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of each database for each N, alternated; the tables pool "
        "them, the targets give the throughput of each round",
    )
    parser.add_argument(
        "--also-addons",
        metavar="PATH",
        help="a copy of this repository (e.g. git archive of another commit): "
        "its add-on serves the add-on database too, in its own server, and is "
        "measured beside this one in the same run",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also print the SQL statements the add-on spends the most more "
        "PostgreSQL time on, from pg_stat_statements (the server must load it: "
        "shared_preload_libraries = 'pg_stat_statements')",
    )
    parser.add_argument(
        "--dependencies",
        action="store_true",
        help="also load a database with the modules the add-on depends on, "
        "without the add-on: what they cost by themselves",
    )
    benchlib.add_database_options(parser, reuse=True, several=True)
    args = parser.parse_args()
    user_counts = [int(value) for value in args.users.split(",")]
    candidates = dict(DATABASES)
    if args.dependencies:
        # between the two: plain, what the add-on needs, the add-on
        candidates = {
            "plain": DATABASES["plain"],
            "dependencies": DEPENDENCIES_DATABASE,
            "add-on": DATABASES["add-on"],
        }
    databases = {
        label: (args.database_prefix + db_name, modules)
        for label, (db_name, modules) in candidates.items()
        if not args.only or label == args.only
    }
    for db_name, modules in databases.values():
        benchlib.create_database(db_name, modules, reuse=args.reuse_database, demo=True)
    addons_paths = {label: None for label in databases}
    if args.also_addons and "add-on" in databases:
        other = os.path.abspath(args.also_addons)
        label = f"add-on {os.path.basename(other)}"
        databases[label] = databases["add-on"]
        addons_paths[label] = benchlib.addons_path().replace(benchlib.ROOT, other, 1)
    statements = args.statements and all(
        statements_ready(db_name) for db_name, _modules in databases.values()
    )
    if args.statements and not statements:
        print("--statements: PostgreSQL does not load pg_stat_statements, left out")
    log_dir = tempfile.mkdtemp(prefix="bench_load_")
    print(f"server logs in {log_dir}", flush=True)
    with ExitStack() as stack:
        servers, server_pids = {}, {}
        for index, (label, (db_name, _modules)) in enumerate(databases.items()):
            port = args.port + 2 * index
            log_path = os.path.join(log_dir, f"{index}-{db_name}.log")
            server = stack.enter_context(
                odoo_server(db_name, port, log_path, addons_paths[label])
            )
            servers[label] = (db_name, port, log_path)
            server_pids[label] = server.pid
        setups = {
            label: prepare(
                db_name,
                port,
                max(user_counts),
                list(filter(None, args.rep_group.split(","))),
            )
            for label, (db_name, port, _log) in servers.items()
        }
        for users in user_counts:
            results_by_db = {label: Results() for label in servers}
            problems_by_db = {label: [] for label in servers}
            rates = []
            for round_index in range(args.rounds):
                # every other round the other way round: a drift of the
                # machine weighs on each database alike
                order = list(servers.items())
                if round_index % 2:
                    order.reverse()
                rate = {}
                for label, (db_name, port, log_path) in order:
                    setup = setups[label]
                    if not wait_until_idle(list(server_pids.values())):
                        problems_by_db[label].append(
                            "info: the servers were still busy 60 s after the "
                            "run before this one"
                        )
                    # whole seconds: the cron's last call is stored without
                    # fraction
                    since = database_now(db_name).replace(microsecond=0)
                    trigger_sla_sweep(db_name, setup["sla_cron"])
                    log_offset = os.path.getsize(log_path)
                    if statements:
                        reset_statements(db_name)
                    results = run_load(
                        db_name,
                        port,
                        # the servers of the database, this one first
                        [server_pids[label]]
                        + [
                            pid
                            for other, pid in server_pids.items()
                            if other != label and servers[other][0] == db_name
                        ],
                        setup,
                        users,
                        args.duration,
                        args.signed,
                    )
                    if statements:
                        results.statements.update(statement_times(db_name))
                    # the sweep started with the run may still be working
                    time.sleep(2)
                    problems_by_db[label] += integrity(
                        db_name, since, setup["sla_cron"], log_path, log_offset
                    )
                    results_by_db[label].add(results)
                    rate[label] = results.rate()
                rates.append(rate)
            report(users, results_by_db, problems_by_db)
            report_targets(rates, results_by_db, problems_by_db)
    if not args.keep_databases:
        for db_name, _modules in set(databases.values()):
            subprocess.run(["dropdb", "--if-exists", db_name], check=True)


if __name__ == "__main__":
    main()
