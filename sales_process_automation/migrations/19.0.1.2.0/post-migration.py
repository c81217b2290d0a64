# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Indexes and assignment turns of 19.0.1.2.0.

Odoo creates the new indexes on update (the foreign keys now declared with
``index``, and the partial index of the first-contact deadlines still waiting),
but keeps an index whose field stopped declaring one: the full index of the
first-contact deadlines, which kept every past deadline (renamed with its
field by the pre-migration), is dropped here.

The turns of the assignment rules were a counter on each rep of a rule
(``assigned_count``, now counted from the turn log): each counter becomes the
rep's first row of the log, so that the turns go on where they were.
"""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.logged_query(
        env.cr,
        """
        DROP INDEX IF EXISTS
            crm_lead__sales_process_first_contact_deadline_index,
            helpdesk_ticket__sales_process_first_contact_deadline_index
        """,
    )
    if openupgrade.column_exists(
        env.cr, "sales_process_assignment_member", "assigned_count"
    ):
        openupgrade.logged_query(
            env.cr,
            """
            INSERT INTO sales_process_assignment_turn (member_id, count)
            SELECT id, assigned_count
            FROM sales_process_assignment_member
            WHERE assigned_count > 0
            """,
        )
