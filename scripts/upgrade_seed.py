# Run by scripts/run-tests.sh in `odoo shell` on a database of the previous
# release, before it is upgraded: gives it the records that demo data alone
# does not have (SLA events, a stage-skip request, a contract chain), so that
# the upgrade check compares them too. Uses only what that release offers.
# ruff: noqa: F821  (`env` is given by odoo shell)
import base64

from odoo import Command

SIGNATURE = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
)

# SLA reminders and breaches of the demo records
env["sales.process.stage.history"]._cron_sla_sweep()

# a stage-skip request: a lead moved past a mandatory stage by its salesperson
lead = env["crm.lead"].search(
    [("type", "=", "opportunity"), ("user_id", "!=", False), ("team_id", "!=", False)],
    order="id",
    limit=1,
)
stages = env["crm.stage"].search(
    ["|", ("team_ids", "=", False), ("team_ids", "in", lead.team_id.ids)],
    order="sequence, id",
)
later = stages.filtered(lambda stage: stage.sequence > lead.stage_id.sequence)
later[0].sales_process_mandatory = True
lead.with_user(lead.user_id).write({"stage_id": later[1].id})
assert env["sales.process.stage.skip.request"].search_count([]), "no skip request"

# a contract chain: a signed quotation confirmed
if not env["sales.process.contract.policy"].search_count([]):
    env["sales.process.contract.policy"].create(
        {
            "name": "Upgrade check",
            "helpdesk_team_id": env["helpdesk.ticket.team"].search([], limit=1).id,
        }
    )
partner = env["res.partner"].create(
    {"name": "Upgrade Check Customer", "email": "upgrade@example.com"}
)
product = env["product.product"].create(
    {
        "name": "Upgrade check service",
        "list_price": 100.0,
        "type": "service",
        "invoice_policy": "order",
        "taxes_id": [Command.clear()],
    }
)
order = env["sale.order"].create(
    {
        "partner_id": partner.id,
        "opportunity_id": lead.id,
        "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1})
        ],
    }
)
order.write({"signature": SIGNATURE, "signed_by": "Upgrade Check"})
order.action_confirm()
assert env["sales.process.contract.chain"].search_count([]), "no contract chain"
env.cr.commit()
print("upgrade seed: done")
