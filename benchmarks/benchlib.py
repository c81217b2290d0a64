# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the benchmarks share: Odoo's configuration, their databases, measures.

A benchmark run as ``python3 benchmarks/bench_x.py`` has this folder on
sys.path and imports this module as ``benchlib``.
"""

import ast
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from types import SimpleNamespace
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db
from odoo.tools import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = "sales_process_automation"
# creation without chatter: no tracking, log message or follower
NO_CHATTER = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def addons_path():
    """This repository, then Odoo's own addons folders."""
    return ",".join(
        [ROOT, *(path for path in odoo.addons.__path__ if os.path.isdir(path))]
    )


def module_depends():
    """The modules the add-on's manifest depends on."""
    with open(os.path.join(ROOT, MODULE, "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())["depends"]


def configure():
    """Odoo's configuration: this addons path, warnings only, no public HTTP."""
    config.parse_config(
        [
            f"--addons-path={addons_path()}",
            "--log-level=warn",
            "--http-interface=127.0.0.1",
        ]
    )


def add_database_options(parser, *, reuse=False, several=False):
    """--reuse-database (with ``reuse``), then --keep-database(s)."""
    if reuse:
        parser.add_argument(
            "--reuse-database",
            action="store_true",
            help="use the database a run kept instead of creating it again",
        )
    parser.add_argument(
        "--keep-databases" if several else "--keep-database",
        action="store_true",
        help="do not drop the database%s at the end" % ("s" if several else ""),
    )


def database_exists(name):
    """Whether PostgreSQL has a database ``name``."""
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    found = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", query],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def create_database(name, modules=None, *, reuse=False, announce=True, demo=False):
    """(Re)create database ``name`` with ``modules`` (default: MODULE) installed.

    With ``reuse``, an existing database is kept as it is. ``announce`` prints
    "creating NAME ..." first, "creating NAME with MODULES ..." when they are
    given. With ``demo``, the modules' demo data is loaded.
    """
    if reuse and database_exists(name):
        return
    if announce:
        with_modules = f" with {modules}" if modules else ""
        print(f"creating {name}{with_modules} ...", flush=True)
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", name], check=True)
    _run_odoo(name, "-i", modules, *(["--with-demo"] if demo else []))


def update_module(name, modules=None):
    """Update ``modules`` (default: MODULE) in database ``name``."""
    _run_odoo(name, "-u", modules)


def _run_odoo(name, option, modules, *options):
    """Install (``-i``) or update (``-u``) modules in ``name``, then stop."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            name,
            option,
            modules or MODULE,
            f"--addons-path={addons_path()}",
            "--stop-after-init",
            "--http-interface=127.0.0.1",
            "--log-level=warn",
            *options,
        ],
        check=True,
    )


def drop_database(name):
    """Close this process's connections to database ``name``, then drop it."""
    Registry.delete(name)
    close_db(name)
    subprocess.run(["dropdb", "--if-exists", name], check=True)


@contextmanager
def superuser_env(name):
    """A superuser environment on database ``name``, rolled back at the end."""
    with Registry(name).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})
        cr.rollback()


@contextmanager
def counting(cr):
    """Time and SQL queries of the block: ``.seconds`` and ``.queries`` after it."""
    measure = SimpleNamespace(seconds=None, queries=None)
    before, start = cr.sql_log_count, time.perf_counter()
    yield measure
    measure.seconds = time.perf_counter() - start
    measure.queries = cr.sql_log_count - before


def measure_cold(env, function, repeat, *, warm_up=True):
    """Median time (ms), queries and last result of ``function()``, cold ORM cache.

    With ``warm_up``, a first run, unmeasured, fills the registry caches.
    """
    timings, queries, result = [], set(), None
    for run_index in range(repeat + warm_up):
        env.invalidate_all()
        with counting(env.cr) as measure:
            result = function()
        if run_index or not warm_up:
            timings.append(measure.seconds * 1000)
            queries.add(measure.queries)
    return statistics.median(timings), max(queries), result


def measure_rolled_back(env, operation, repeat, *, warm_up=True):
    """Median time (ms) and queries of ``operation()``, rolled back each time.

    Each run starts with a cold ORM cache and includes the flush and the
    precommit hooks (chatter tracking). With ``warm_up``, a first run,
    unmeasured, stands for the one any process has run before.
    """
    timings, queries = [], set()
    cr = env.cr
    for run_index in range(repeat + warm_up):
        cr.execute("SAVEPOINT bench")
        env.invalidate_all()
        with counting(cr) as measure:
            operation()
            env.flush_all()
            cr.precommit.run()
            env.flush_all()
        if run_index or not warm_up:
            timings.append(measure.seconds * 1000)
            queries.add(measure.queries)
        cr.execute("ROLLBACK TO SAVEPOINT bench")
        cr.precommit.clear()
        env.invalidate_all()
    return statistics.median(timings), max(queries)


@contextmanager
def cron_commits(env):
    """``ir.cron._commit_progress`` as a commit without its COMMIT.

    It flushes, runs the precommit hooks and empties the ORM cache, so that a
    cron method's work can be rolled back. Yields the list of its calls'
    ``(remaining, queries run so far)``.
    """
    cr = env.cr
    calls = []

    def commit_progress(self, processed=0, *, remaining=None, deactivate=False):
        cr.flush()
        cr.clear()
        calls.append((remaining, cr.sql_log_count))
        return float("inf")

    with patch.object(type(env["ir.cron"]), "_commit_progress", commit_progress):
        yield calls


def range_label(values):
    """``values`` as "low-high xN", or "value xN" when they are all equal."""
    low, high = min(values), max(values)
    return f"{low if low == high else f'{low}-{high}'} x{len(values)}"
