# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.3.0 data, after the update.

The stage owner of the open stage history row of each lead, quotation and
ticket is now stored on the record, ``sales_process_stage_owner_id``, which
the stage owners' record rules test: it takes the stage owner of the open row.
"""

import logging

from openupgradelib import openupgrade

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DOCUMENT_LINKS = (
    ("crm_lead", "lead_id"),
    ("sale_order", "order_id"),
    ("helpdesk_ticket", "ticket_id"),
)


def store_stage_owners(env):
    for table, link in DOCUMENT_LINKS:
        env.cr.execute(
            SQL(
                """
                UPDATE %s AS record
                   SET sales_process_stage_owner_id = history.stage_owner_id
                  FROM sales_process_stage_history AS history
                 WHERE %s = record.id
                   AND history.date_out IS NULL
                   AND history.stage_owner_id IS NOT NULL
                """,
                SQL.identifier(table),
                SQL.identifier("history", link),
            )
        )
        _logger.info("%s: stage owner stored on %s records", table, env.cr.rowcount)


@openupgrade.migrate()
def migrate(env, version):
    store_stage_owners(env)
