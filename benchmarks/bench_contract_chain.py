#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Confirming signed quotations with the contract chain, next to Odoo's own way.

One database with sales_process_automation gets 2 x N identical quotations
(one service line each) for N customers. In the same run:

* "Odoo confirm + invoice wizard": the first N are confirmed (they are not
  signed, so no chain starts) and invoiced with Odoo's "Create Invoices" wizard
  (regular invoice), which leaves draft invoices: what a user does today.
* "... + post": the same, then the invoices posted, as finance does next: the
  part of the chain Odoo itself can do.
* "module: confirm with the chain": the other N are signed and confirmed; each
  gets its whole chain: the invoice posted, the signing confirmation mail
  queued, a payment follow-up activity for finance, an onboarding ticket.
  Emailing the invoice is off: it renders a PDF, which both ways would pay.

Each way runs in its own transaction, its time and SQL queries counted, and is
rolled back. Usage: python3 benchmarks/bench_contract_chain.py [--orders 1000]
[--keep-database]
"""

import argparse

import benchlib

from odoo import Command

DATABASE = "spa_bench_contract"
# a 1x1 PNG, the customer's signature
SIGNATURE = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    b"hgGAWjR9awAAAABJRU5ErkJggg=="
)


def set_up(env, count, *, signed=False, post=True):
    """The policy, and ``count`` quotations, signed by the customer or not."""
    finance = env.ref("base.user_admin")
    team = env["helpdesk.ticket.team"].create(
        {"name": "After-sales", "user_ids": [Command.link(finance.id)]}
    )
    env["sales.process.contract.policy"].create(
        {
            "name": "Benchmark",
            "finance_user_id": finance.id,
            "helpdesk_team_id": team.id,
            "post_invoice": post,
            "send_invoice": False,
        }
    )
    product = env["product.product"].create(
        {"name": "Service", "type": "service", "list_price": 100.0}
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Customer {index}", "email": f"c{index}@example.com"}
            for index in range(count)
        ]
    )
    quotations = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
            for partner in partners
        ]
    )
    if signed:
        quotations.write({"signature": SIGNATURE, "signed_by": "Customer"})
    # what a commit does: the set-up's chatter is not part of the measure
    env.cr.flush()
    return quotations


def odoo_way(env, orders):
    orders.action_confirm()
    wizard = (
        env["sale.advance.payment.inv"]
        .with_context(active_model="sale.order", active_ids=orders.ids)
        .create({"advance_payment_method": "delivered", "sale_order_ids": orders.ids})
    )
    wizard.create_invoices()
    return len(orders.invoice_ids)


def odoo_way_posted(env, orders):
    count = odoo_way(env, orders)
    # finance posts later, after the commit of the wizard: the posting is tracked
    # in the invoices' chatter, as in the chain (a step commits its savepoint)
    env.cr.flush()
    orders.invoice_ids.action_post()
    return count


def module_way(env, orders):
    orders.action_confirm()
    chains = orders.contract_chain_ids
    assert set(chains.mapped("state")) == {"done"}, chains.mapped("step_ids.message")
    return len(orders.invoice_ids)


WAYS = (
    # label, way, signed quotations, posting in the policy
    ("Odoo confirm + invoice wizard", odoo_way, False, True),
    ("Odoo confirm + invoice wizard + post", odoo_way_posted, False, True),
    ("module: chain, posting", module_way, True, True),
    ("module: chain, no posting", module_way, True, False),
)


def measure(database, count, way, signed, post):
    """Seconds, queries and invoices of ``way``, its commit's work included."""
    with benchlib.superuser_env(database) as env:
        orders = set_up(env, count, signed=signed, post=post)
        env.invalidate_all()
        with benchlib.counting(env.cr) as counted:
            invoices = way(env, orders)
            # flush and precommit hooks (tracking messages), as a commit does
            env.cr.flush()
    return counted.seconds, counted.queries, invoices


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each way; the fastest is kept (the machine may be shared)",
    )
    parser.add_argument("--database", default=DATABASE)
    benchlib.add_database_options(parser, reuse=True)
    args = parser.parse_args()
    benchlib.configure()
    benchlib.create_database(args.database, reuse=args.reuse_database, announce=False)
    rows = []
    for label, way, signed, post in WAYS:
        runs = [
            measure(args.database, args.orders, way, signed, post)
            for _run in range(args.repeat)
        ]
        elapsed, queries, invoices = min(runs)
        rows.append((label, elapsed, queries, invoices))
    print(f"\n{args.orders} quotations, fastest of {args.repeat} run(s)")
    print(
        f"{'way':38} {'time (s)':>9} {'ms/order':>9} {'queries':>8} "
        f"{'q/order':>8} {'invoices':>8}"
    )
    for label, elapsed, queries, invoices in rows:
        print(
            f"{label:38} {elapsed:9.2f} {elapsed * 1000 / args.orders:9.1f} "
            f"{queries:8} {queries / args.orders:8.1f} {invoices:8}"
        )
    (_l, wizard, wizard_q, _i), (_l, posted, posted_q, _i) = rows[:2]
    (_l, chain, chain_q, _i), (_l, draft, draft_q, _i) = rows[2:]
    for label, (mine, mine_q), (odoo, odoo_q) in (
        ("chain, posting / Odoo + post", (chain, chain_q), (posted, posted_q)),
        ("chain, no posting / Odoo wizard", (draft, draft_q), (wizard, wizard_q)),
        ("chain, posting / Odoo wizard", (chain, chain_q), (wizard, wizard_q)),
    ):
        print(f"{label:38} time {mine / odoo:5.2f}  queries {mine_q / odoo_q:5.2f}")
    if not args.keep_database:
        benchlib.drop_database(args.database)


if __name__ == "__main__":
    main()
