# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.5.0 data, after the update.

The records waiting for the assignment job are listed in their own table,
``sales.process.assignment.queue``, no longer flagged on the records: the job
reads a record its owner keeps without writing it. The records flagged by an
earlier release, all saved without an owner, are queued, and the flag's
column (its index with it) is dropped.
"""

import logging

from openupgradelib import openupgrade

from odoo import SUPERUSER_ID
from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

FLAG = "sales_process_assignment_queued"
TABLES = (("crm_lead", "crm.lead"), ("helpdesk_ticket", "helpdesk.ticket"))


def queue_flagged_records(env):
    for table, model in TABLES:
        if not column_exists(env.cr, table, FLAG):
            continue
        env.cr.execute(
            SQL(
                """
                INSERT INTO sales_process_assignment_queue
                       (res_model, res_id, owner_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(model)s, id, user_id,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM %(table)s
                 WHERE %(flag)s IS TRUE
                """,
                model=model,
                uid=SUPERUSER_ID,
                table=SQL.identifier(table),
                flag=SQL.identifier(FLAG),
            )
        )
        _logger.info(
            "%s: %s records queued for the assignment job", table, env.cr.rowcount
        )
        openupgrade.drop_columns(env.cr, [(table, FLAG)])


@openupgrade.migrate()
def migrate(env, version):
    queue_flagged_records(env)
