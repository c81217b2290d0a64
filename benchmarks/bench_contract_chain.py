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


def set_up(env, count):
    """The policy, and 2 x ``count`` quotations: (plain ones, signed ones)."""
    finance = env.ref("base.user_admin")
    team = env["helpdesk.ticket.team"].create(
        {"name": "After-sales", "user_ids": [Command.link(finance.id)]}
    )
    env["sales.process.contract.policy"].create(
        {
            "name": "Benchmark",
            "finance_user_id": finance.id,
            "helpdesk_team_id": team.id,
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
            for partner in partners + partners
        ]
    )
    signed = quotations[count:]
    signed.write({"signature": SIGNATURE, "signed_by": "Customer"})
    env.flush_all()
    return quotations[:count], signed


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
    orders.invoice_ids.action_post()
    return count


def module_way(env, orders):
    orders.action_confirm()
    chains = orders.contract_chain_ids
    assert set(chains.mapped("state")) == {"done"}, chains.mapped("step_ids.message")
    return len(orders.invoice_ids)


def measure(count, way):
    with benchlib.superuser_env(DATABASE) as env:
        plain, signed = set_up(env, count)
        orders = signed if way is module_way else plain
        env.invalidate_all()
        with benchlib.counting(env.cr) as counted:
            invoices = way(env, orders)
            env.flush_all()
    return counted.seconds, counted.queries, invoices


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    benchlib.add_database_options(parser)
    args = parser.parse_args()
    benchlib.configure()
    benchlib.create_database(DATABASE, announce=False)
    rows = []
    for label, way in (
        ("Odoo confirm + invoice wizard", odoo_way),
        ("Odoo confirm + invoice wizard + post", odoo_way_posted),
        ("module: confirm with the chain", module_way),
    ):
        elapsed, queries, invoices = measure(args.orders, way)
        rows.append((label, elapsed, queries, invoices))
    print(f"\n{args.orders} quotations, one run")
    print(
        f"{'way':38} {'time (s)':>9} {'ms/order':>9} {'queries':>8} "
        f"{'q/order':>8} {'invoices':>8}"
    )
    for label, elapsed, queries, invoices in rows:
        print(
            f"{label:38} {elapsed:9.2f} {elapsed * 1000 / args.orders:9.1f} "
            f"{queries:8} {queries / args.orders:8.1f} {invoices:8}"
        )
    print(f"chain time / Odoo confirm + wizard: {rows[2][1] / rows[0][1]:.2f}")
    print(f"chain time / Odoo confirm + wizard + post: {rows[2][1] / rows[1][1]:.2f}")
    if not args.keep_database:
        benchlib.drop_database(DATABASE)


if __name__ == "__main__":
    main()
