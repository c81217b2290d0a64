#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Contract chain: the click, the job's throughput and two workers (issue #14).

One database with sales_process_automation (``--database``, default
``$CB_DATABASE`` or cb_contract_chain) first gets N orders confirmed, invoiced
and posted, committed once (a company that sells: the planner has
statistics). The policy of every measure posts the invoice, emails it with its
PDF, sends the signing mail, gives finance a follow-up activity and opens an
onboarding ticket. Three measures, printed side by side with their targets:

* Click path: confirming 1 and N signed quotations (the chain is queued, the
  job woken up) next to confirming as many unsigned quotations (Odoo's own
  confirm: no chain) on the same database; flush and precommit hooks included,
  rolled back. Targets: time ratio <= 1.10, a constant number of extra queries
  per batch (the same for 1 and N).
* Throughput: N orders, each confirmed by a click, then the chain job
  (``_cron_run_queued_chains``, its commits replaced by flushes) next to the
  same work done the Odoo way, order by order as a user would: confirm,
  *Create Invoices* wizard, post, ``account.move.send`` (invoice mail with its
  PDF), ``mail.template.send_mail`` (signing mail), a helpdesk ticket and the
  finance activity (``activity_schedule``). Each side in its own transaction,
  rolled back. Targets: time ratio <= 1.0 (goal 0.7).
* Scale-out: on a copy of the database, M signed orders confirmed and
  committed (M queued chains), then the job run by one worker, then M more by
  two workers at once (two threads, each with its own cursor and environment,
  calling the cron method, which commits a batch at a time). Every chain must
  be done, with exactly one invoice, invoice mail, signing mail and ticket per
  order. Goal: wall time ratio <= 0.6 with worker processes (as Odoo's cron
  workers are), each loading the registry before the clock starts. Threads
  share one interpreter and its GIL: their ratio is printed for information
  (no speed-up expected, no wait on a lock either). The copy is dropped
  afterwards.

wkhtmltopdf renders one invoice PDF first; the others reuse its output (both
ways of each measure render the same number of PDFs through Odoo's report
code, only the external program is skipped), unless ``--real-pdf``. A small
unmeasured round of each way (and of the job on the copy) fills the caches
first.

Usage: python3 benchmarks/bench_contract_chain.py [--orders 1000]
[--scale-orders 1000] [--batch-size 50] [--repeat 5] [--real-pdf]
[--database cb_contract_chain] [--reuse-database] [--keep-database]
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

import benchlib

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db

from odoo.addons.base.models.ir_actions_report import IrActionsReport

DATABASE = os.environ.get("CB_DATABASE", "cb_contract_chain")
# a 1x1 PNG, the customer's signature
SIGNATURE = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    b"hgGAWjR9awAAAABJRU5ErkJggg=="
)
CHAIN = "sales.process.contract.chain"
BATCH_PARAMETER = "sales_process_automation.contract_batch_size"


@contextmanager
def one_pdf_rendering():
    """wkhtmltopdf runs once; later renderings reuse its PDF."""
    original = IrActionsReport._run_wkhtmltopdf
    cache = {}

    def run_wkhtmltopdf(self, bodies, *args, **kwargs):
        if "pdf" not in cache:
            cache["pdf"] = original(self, bodies, *args, **kwargs)
        return cache["pdf"]

    with patch.object(IrActionsReport, "_run_wkhtmltopdf", run_wkhtmltopdf):
        yield


def policy(env):
    """The benchmark's policy (every step on), created once per transaction."""
    found = env["sales.process.contract.policy"].search([("name", "=", "Benchmark")])
    if found:
        return found
    finance = env.ref("base.user_admin")
    # the benchmark's policy replaces the company's default one
    env["sales.process.contract.policy"].search([]).action_archive()
    team = env["helpdesk.ticket.team"].create(
        {"name": "After-sales", "user_ids": [Command.link(finance.id)]}
    )
    return env["sales.process.contract.policy"].create(
        {
            "name": "Benchmark",
            "finance_user_id": finance.id,
            "helpdesk_team_id": team.id,
            "post_invoice": True,
            "send_invoice": True,
        }
    )


def quotations(env, count, *, signed, prefix="Customer"):
    """``count`` quotations of one service line, N customers with an email."""
    product = env["product.product"].create(
        {"name": "Service", "type": "service", "list_price": 100.0}
    )
    partners = env["res.partner"].create(
        [
            {"name": f"{prefix} {index}", "email": f"c{index}@example.com"}
            for index in range(count)
        ]
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
            for partner in partners
        ]
    )
    if signed:
        orders.write({"signature": SIGNATURE, "signed_by": "Customer"})
    # what a commit does: the set-up's chatter is not part of the measure
    env.flush_all()
    env.cr.precommit.run()
    env.flush_all()
    return orders


def add_history(database, count, batch_size=100):
    """``count`` orders confirmed, invoiced and posted, committed, once.

    Without committed sales and invoices, the planner takes the tables for
    empty once they are analyzed and, for a thousand invoices made in the
    transaction, picks plans that run for many minutes.
    """
    while True:
        with Registry(database).cursor() as cr:  # committed at the end
            env = api.Environment(cr, SUPERUSER_ID, {})
            done = env["account.move"].search_count([("move_type", "=", "out_invoice")])
            if done >= count:
                return
            orders = quotations(
                env, min(batch_size, count - done), signed=False, prefix="Past"
            )
            orders.action_confirm()
            orders._create_invoices()
            orders.invoice_ids.action_post()
        analyze(database)


def analyze(database):
    """Drop the dead rows of the runs rolled back and refresh the statistics."""
    subprocess.run(["vacuumdb", "--analyze", "--quiet", database], check=True)


def commit_work(env):
    """What a request's commit runs before COMMIT: flush, precommit hooks."""
    env.flush_all()
    env.cr.precommit.run()
    env.flush_all()


# ----------------------------------------------------------------------
# Click path
# ----------------------------------------------------------------------


def click_path(database, count, repeat):
    """``{(signed, size): (ms, queries)}`` of confirming 1 and ``count``."""
    results = {}
    with benchlib.superuser_env(database) as env:
        policy(env)
        sets = {
            (signed, size): quotations(env, size, signed=signed)
            for size in (1, count)
            for signed in (False, True)
        }
        for (signed, size), orders in sets.items():
            results[signed, size] = benchlib.measure_rolled_back(
                env, orders.action_confirm, repeat if size == 1 else 1
            )
    return results


# ----------------------------------------------------------------------
# Throughput
# ----------------------------------------------------------------------


def odoo_way(env, orders):
    """What a user does for each order, a request (a commit) per click."""
    finance = env.ref("base.user_admin")
    team = env["helpdesk.ticket.team"].search([("name", "=", "After-sales")], limit=1)
    template = env.ref("sales_process_automation.mail_template_contract_signed")
    for order in orders:
        order.action_confirm()
        commit_work(env)
        env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "delivered"}).create_invoices()
        commit_work(env)
        invoice = order.invoice_ids
        invoice.action_post()
        commit_work(env)
        env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["email"]
        )
        commit_work(env)
        template.send_mail(order.id)
        commit_work(env)
        env["helpdesk.ticket"].create(
            {
                "name": f"Onboarding: {order.partner_id.name}, {order.name}",
                "description": order.name,
                "partner_id": order.partner_id.id,
                "team_id": team.id,
                "sale_order_ids": [Command.link(order.id)],
            }
        )
        commit_work(env)
        invoice.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=invoice.invoice_date_due,
            summary=f"Check the payment of {invoice.name}",
            user_id=finance.id,
        )
        commit_work(env)


def module_clicks(env, orders):
    """Each signed quotation confirmed by a click: the chain is queued."""
    for order in orders:
        order.action_confirm()
        commit_work(env)


def module_job(env, _orders):
    """The chain job on the queued chains, its commits replaced by flushes."""
    with benchlib.cron_commits(env):
        env[CHAIN]._cron_run_queued_chains()
    commit_work(env)


def outcome(env, orders):
    """Invoices, posted, emailed, tickets, finance activities, chains done."""
    env.invalidate_all()
    invoices = orders.invoice_ids
    return {
        "invoices": len(invoices),
        "posted": len(invoices.filtered(lambda move: move.state == "posted")),
        "emailed": len(invoices.filtered("is_move_sent")),
        "tickets": env["helpdesk.ticket"].search_count(
            [("sale_order_ids", "in", orders.ids)]
        ),
        "activities": env["mail.activity"].search_count(
            [("res_model", "=", "account.move"), ("res_id", "in", invoices.ids)]
        ),
        "chains done": len(
            orders.sales_process_contract_chain_ids.filtered(
                lambda chain: chain.state == "done"
            )
        ),
    }


def throughput(database, count):
    """``{label: (seconds, queries, outcome)}`` of each way on ``count`` orders."""
    results = {}
    for signed, steps in (
        (False, (("Odoo way, per order", odoo_way),)),
        (
            True,
            (("module: clicks (queue)", module_clicks), ("module: job", module_job)),
        ),
    ):
        analyze(database)
        with benchlib.superuser_env(database) as env:
            policy(env)
            orders = quotations(env, count, signed=signed)
            for label, step in steps:
                env.invalidate_all()
                with benchlib.counting(env.cr) as counted:
                    step(env, orders)
                results[label] = (counted.seconds, counted.queries, None)
            results[label] = (*results[label][:2], outcome(env, orders))
    return results


# ----------------------------------------------------------------------
# Scale-out
# ----------------------------------------------------------------------


def queue_committed(database, count, prefix):
    """``count`` signed orders confirmed and committed: queued chains."""
    with Registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        policy(env)
        orders = quotations(env, count, signed=True, prefix=prefix)
        for start in range(0, count, 100):
            orders[start : start + 100].action_confirm()
        return orders.ids


def worker(database, errors):
    try:
        with Registry(database).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env[CHAIN]._cron_run_queued_chains()
    except Exception as error:  # noqa: BLE001 - reported by the main thread
        errors.append(repr(error))


def run_workers(database, workers):
    """Wall seconds of ``workers`` threads running the job at once."""
    errors = []
    threads = [
        threading.Thread(target=worker, args=(database, errors))
        for _index in range(workers)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, errors


def process_worker(database):
    """``--worker``: load the registry, say "ready", run the job on a newline."""
    with Registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # the report's templates compiled before the start
        invoice = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")], limit=1
        )
        report = env["ir.actions.report"]
        report._render_qweb_pdf("account.account_invoices", invoice.ids)
        cr.rollback()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    with Registry(database).cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})[CHAIN]._cron_run_queued_chains()


def run_processes(database, workers, real_pdf):
    """Wall seconds of ``workers`` processes running the job at once."""
    command = [sys.executable, __file__, "--worker", database]
    processes = [
        subprocess.Popen(
            command + (["--real-pdf"] if real_pdf else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _index in range(workers)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for process in processes:
        process.stdin.write("\n")
        process.stdin.flush()
    errors = [process.wait() for process in processes]
    return time.perf_counter() - start, [code for code in errors if code]


def per_order(cr, query, order_ids):
    """``{order id: count}`` of ``query`` (one %s: the order ids)."""
    cr.execute(query, [tuple(order_ids)])
    counts = dict.fromkeys(order_ids, 0)
    counts.update(dict(cr.fetchall()))
    return counts


CHECKS = {
    "invoices": """
        SELECT sol.order_id, count(DISTINCT aml.move_id)
          FROM sale_order_line sol
          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
          JOIN account_move_line aml ON aml.id = rel.invoice_line_id
         WHERE sol.order_id IN %s GROUP BY sol.order_id""",
    "invoice mails": """
        SELECT sol.order_id, count(DISTINCT mail.id)
          FROM sale_order_line sol
          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
          JOIN account_move_line aml ON aml.id = rel.invoice_line_id
          JOIN mail_message message ON message.model = 'account.move'
                                   AND message.res_id = aml.move_id
          JOIN mail_mail mail ON mail.mail_message_id = message.id
         WHERE sol.order_id IN %s GROUP BY sol.order_id""",
    "signing mails": """
        SELECT message.res_id, count(*)
          FROM mail_mail mail
          JOIN mail_message message ON message.id = mail.mail_message_id
         WHERE message.model = 'sale.order' AND message.res_id IN %s
         GROUP BY message.res_id""",
    "tickets": """
        SELECT sale_order_id, count(*) FROM helpdesk_ticket_sale_order_rel
         WHERE sale_order_id IN %s GROUP BY sale_order_id""",
    "chains done": """
        SELECT order_id, count(*) FROM sales_process_contract_chain
         WHERE state = 'done' AND order_id IN %s GROUP BY order_id""",
}


def check(database, order_ids):
    """``{what: (orders without one, orders with more than one)}``."""
    with Registry(database).cursor() as cr:
        result = {}
        for what, query in CHECKS.items():
            counts = per_order(cr, query, order_ids).values()
            result[what] = (
                sum(1 for value in counts if value == 0),
                sum(1 for value in counts if value > 1),
            )
        return result


def warm_up(database):
    """Fill the registry's caches (templates, reports) and the PDF rendering."""
    with benchlib.superuser_env(database) as env:
        invoice = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")], limit=1
        )
        report = env["ir.actions.report"]
        report._render_qweb_pdf("account.account_invoices", invoice.ids)
    throughput(database, 2)


def scale_out(database, count, batch_size, real_pdf):
    """``{(kind, workers): (seconds, errors, check)}`` on a copy of ``database``.

    Threads share one interpreter (its GIL); processes are what Odoo's cron
    workers are.
    """
    copy = f"{database}_scale"
    Registry.delete(database)
    close_db(database)
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", database, copy], check=True)
    results = {}
    try:
        with Registry(copy).cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(
                BATCH_PARAMETER, batch_size
            )
        # unmeasured: the copy's registry fills its caches
        queue_committed(copy, 2 * batch_size, "Warm-up")
        run_workers(copy, 1)
        for kind, workers in (
            ("threads", 1),
            ("threads", 2),
            ("processes", 1),
            ("processes", 2),
        ):
            order_ids = queue_committed(copy, count, f"Scale {kind} {workers}")
            analyze(copy)
            if kind == "threads":
                seconds, errors = run_workers(copy, workers)
            else:
                close_db(copy)
                seconds, errors = run_processes(copy, workers, real_pdf)
            results[kind, workers] = (seconds, errors, check(copy, order_ids))
    finally:
        benchlib.drop_database(copy)
    return results


# ----------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------


def verdict(passed):
    return "pass" if passed else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="N")
    parser.add_argument("--scale-orders", type=int, default=1000, help="M")
    parser.add_argument(
        "--batch-size", type=int, default=50, help="chains a scale-out batch takes"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of the 1-order click (median)"
    )
    parser.add_argument("--real-pdf", action="store_true")
    parser.add_argument("--worker", metavar="DATABASE", help=argparse.SUPPRESS)
    parser.add_argument("--database", default=DATABASE)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    if args.worker:
        with ExitStack() as stack:
            if not args.real_pdf:
                stack.enter_context(one_pdf_rendering())
            process_worker(args.worker)
        return
    benchlib.create_database(args.database, reuse=args.reuse_database, announce=False)
    count = args.orders
    with ExitStack() as stack:
        if not args.real_pdf:
            stack.enter_context(one_pdf_rendering())
        add_history(args.database, count)
        analyze(args.database)
        warm_up(args.database)
        clicks = click_path(args.database, count, args.repeat)
        flows = throughput(args.database, count)
        scaled = scale_out(
            args.database, args.scale_orders, args.batch_size, args.real_pdf
        )

    print(f"\nClick path: confirm (ms / queries, median of {args.repeat} for 1)")
    print(f"{'orders':>7} | {'unsigned':>16} | {'signed, queued':>16} | ratio | +q")
    extra = {}
    for size in (1, count):
        (plain, plain_q), (chain, chain_q) = clicks[False, size], clicks[True, size]
        extra[size] = chain_q - plain_q
        print(
            f"{size:>7} | {plain:9.1f} {plain_q:6} | {chain:9.1f} {chain_q:6} | "
            f"{chain / plain:5.2f} | {extra[size]:+}"
        )

    print(f"\nThroughput: {count} orders (s, queries, ms and queries per order)")
    for label, (seconds, queries, result) in flows.items():
        print(
            f"{label:24} {seconds:7.2f} s {queries:7} q "
            f"{seconds * 1000 / count:6.1f} ms {queries / count:6.1f} q/order"
            + (f"  {result}" if result else "")
        )
    odoo_s, odoo_q, odoo_result = flows["Odoo way, per order"]
    clicks_s, clicks_q, _result = flows["module: clicks (queue)"]
    job_s, job_q, job_result = flows["module: job"]
    throughput_ratio = (clicks_s + job_s) / odoo_s

    print(
        f"\nScale-out: {args.scale_orders} queued chains, batches of "
        f"{args.batch_size} (wall s; orders without one / with more than one)"
    )
    for (kind, workers), (seconds, errors, checked) in scaled.items():
        print(f"{workers} {kind:9} {seconds:7.2f} s  {checked}  errors {errors}")
    thread_ratio = scaled["threads", 2][0] / scaled["threads", 1][0]
    process_ratio = scaled["processes", 2][0] / scaled["processes", 1][0]
    clean = all(
        not errors and not any(sum(pair) for pair in checked.values())
        for _seconds, errors, checked in scaled.values()
    )

    (p1, _q), (c1, _q) = clicks[False, 1], clicks[True, 1]
    (pn, _q), (cn, _q) = clicks[False, count], clicks[True, count]
    same_outcome = all(
        job_result[key] == odoo_result[key]
        for key in ("invoices", "posted", "emailed", "tickets", "activities")
    )
    print("\nTargets")
    for label, value, passed in (
        ("click, 1 order: time ratio <= 1.10", f"{c1 / p1:.2f}", c1 / p1 <= 1.10),
        (
            f"click, {count} orders: time ratio <= 1.10",
            f"{cn / pn:.2f}",
            cn / pn <= 1.10,
        ),
        (
            "click: extra queries per batch constant (1 vs N)",
            f"{extra[1]:+} / {extra[count]:+}",
            extra[1] == extra[count],
        ),
        (
            "throughput: (clicks + job) / Odoo way <= 1.0 (goal 0.7)",
            (
                f"{throughput_ratio:.2f} (job alone {job_s / odoo_s:.2f}; queries "
                f"{(clicks_q + job_q) / odoo_q:.2f})"
            ),
            throughput_ratio <= 1.0,
        ),
        ("throughput: same invoices, mails, tickets, activities", "", same_outcome),
        (
            "scale-out: every chain done, 0 duplicates, no error",
            "",
            clean,
        ),
        (
            "scale-out: 2 processes / 1 process <= 0.6 (goal)",
            f"{process_ratio:.2f}",
            process_ratio <= 0.6,
        ),
    ):
        print(f"{label:58} {value:>28}  {verdict(passed)}")
    # one interpreter runs one thread of Python at a time (the GIL): threads
    # show that the workers do not wait on each other's locks, not a speed-up
    print(
        f"{'scale-out: 2 threads / 1 thread (one GIL, for information)':58} "
        f"{thread_ratio:28.2f}"
    )
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
