# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stored SLA status, SLA activities linked to their stage, digest subject.

- ``sales_process_sla_status`` of leads, orders and tickets is now stored: it
  takes the status of the open stage history row of each record.
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
    template = env.ref(
        "sales_process_automation.mail_template_sla_digest", raise_if_not_found=False
    )
    if template and template.with_context(lang="en_US").subject == OLD_DIGEST_SUBJECT:
        template.with_context(lang="en_US").subject = NEW_DIGEST_SUBJECT
