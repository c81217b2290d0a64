# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stored SLA status, SLA activities linked to their stage, digest subject.

- ``sales_process_sla_status`` of leads, orders and tickets is now stored: it
  takes the status of the open stage history row of each record.
- The dashboard tiles that changed meaning are renamed when they still have
  the name the module shipped: "My Records at Risk" opens the leads now (the
  quotations and tickets have their own tiles), "Pending Approvals" the
  quotations whose discount waits (complex opportunities and stage skips
  have their own tiles), "SLA Breaches" counts the open ones.
- The digest's subject showed nothing for a zero count ("30 breached,  at
  risk"): the template is ``noupdate``, its subject is written again when it
  is still the one the module shipped.
"""

import logging

from openupgradelib import openupgrade

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OLD_DIGEST_SUBJECT = (
    "Stage SLAs of your teams: {{ object.breached_count }} breached, "
    "{{ object.at_risk_count }} at risk"
)
NEW_DIGEST_SUBJECT = (
    "Stage SLAs of your teams: {{ str(object.breached_count) }} breached, "
    "{{ str(object.at_risk_count) }} at risk"
)

TILE_RENAMES = [
    (
        "dashboard_tile_rep_at_risk",
        "My Records at Risk",
        "My Leads at Risk",
        "My leads at risk or past the deadline of the stage they are in",
    ),
    (
        "dashboard_tile_manager_approvals",
        "Pending Approvals",
        "Discounts to Approve",
        "Quotations whose discount waits for my approval",
    ),
    (
        "dashboard_tile_manager_breaches",
        "SLA Breaches",
        "Open SLA Breaches",
        "Leads, quotations and tickets of my teams past the deadline of the "
        "stage they are in now",
    ),
]


@openupgrade.migrate()
def migrate(env, version):
    for table, link in (
        ("crm_lead", "lead_id"),
        ("sale_order", "order_id"),
        ("helpdesk_ticket", "ticket_id"),
    ):
        env.cr.execute(
            SQL(
                """
                UPDATE %s AS record
                   SET sales_process_sla_status = history.sla_status
                  FROM sales_process_stage_history AS history
                 WHERE %s = record.id
                   AND history.date_out IS NULL
                   AND history.sla_status IS NOT NULL
                """,
                SQL.identifier(table),
                SQL.identifier("history", link),
            )
        )
        _logger.info("%s: SLA status stored on %s records", table, env.cr.rowcount)
    for xmlid, old_name, name, description in TILE_RENAMES:
        tile = env.ref(f"sales_process_automation.{xmlid}", raise_if_not_found=False)
        tile = tile and tile.with_context(lang="en_US")
        if tile and tile.name == old_name:
            tile.write({"name": name, "description": description})
    template = env.ref(
        "sales_process_automation.mail_template_sla_digest", raise_if_not_found=False
    )
    if template and template.with_context(lang="en_US").subject == OLD_DIGEST_SUBJECT:
        template.with_context(lang="en_US").subject = NEW_DIGEST_SUBJECT
