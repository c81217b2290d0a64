# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.4.0 schema, before the update.

The stage history keeps fewer indexes: each row is written when its record
enters a stage and again when it leaves it, and every index costs both writes.
The columns below lost their index (the figure indexes cover what the queries
read); the ticket stage and the helpdesk team keep theirs on ticket rows only,
created again by the update in that form. Odoo keeps an index a field no
longer asks for, so they are dropped here.
"""

import logging

from openupgradelib import openupgrade

from odoo.tools import SQL
from odoo.tools.sql import make_index_name

_logger = logging.getLogger(__name__)

TABLE = "sales_process_stage_history"
DROPPED = (
    "res_model",
    "company_id",
    "crm_stage_id",
    "order_state",
    "state",
    # created again, on the rows that have a value only
    "ticket_stage_id",
    "helpdesk_team_id",
)


def drop_indexes(env):
    for column in DROPPED:
        env.cr.execute(
            SQL(
                "DROP INDEX IF EXISTS %s",
                SQL.identifier(make_index_name(TABLE, column)),
            )
        )
    _logger.info("%s: column indexes of %s dropped", TABLE, ", ".join(DROPPED))


@openupgrade.migrate()
def migrate(env, version):
    drop_indexes(env)
