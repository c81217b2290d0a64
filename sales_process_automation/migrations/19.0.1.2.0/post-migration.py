# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Indexes of 19.0.1.2.0.

Odoo creates the new indexes on update (the foreign keys now declared with
``index``, and the partial index of the first-contact deadlines still waiting),
but keeps an index whose field stopped declaring one: the full index of the
first-contact deadlines, which kept every past deadline (renamed with its
field by the pre-migration), is dropped here.
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
