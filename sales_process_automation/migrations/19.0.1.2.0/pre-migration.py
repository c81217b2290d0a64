# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.2.0: names that cannot collide with the OCA modules.

Every field the add-on adds to another module's model now carries the
``sales_process_`` prefix. A field another module also defines under the old
name (``helpdesk.ticket.sla_deadline`` and ``helpdesk.ticket.team``'s
``resource_calendar_id`` of ``helpdesk_mgmt_sla``) stays theirs: its values are
copied to the new column instead of renamed.
"""

from openupgradelib import openupgrade

from odoo.tools.sql import make_index_name

MODULE = "sales_process_automation"

_STAGE_TRACKING = [
    "stage_history_ids",
    "sla_policy_id",
    "sla_deadline",
    "sla_status",
    "sla_hours_left",
    "sla_hours_overdue",
    "sla_excluded",
    "sla_exclusion_reason",
]
_ASSIGNMENT = [
    "assignment_rule_id",
    "assignment_date",
    "assignment_state",
    "first_contact_deadline",
    "first_contact_date",
    "first_contact_escalated",
]
RENAMED_FIELDS = [
    *(
        (model, old, f"sales_process_{old}")
        for model, olds in (
            (
                "crm.lead",
                [
                    *_STAGE_TRACKING,
                    *_ASSIGNMENT,
                    "stage_skip_request_ids",
                    "stage_skip_request_id",
                ],
            ),
            (
                "sale.order",
                [
                    *_STAGE_TRACKING,
                    "contract_chain_ids",
                    "contract_step_ids",
                    "contract_chain_state",
                ],
            ),
            ("helpdesk.ticket", [*_STAGE_TRACKING, *_ASSIGNMENT]),
        )
        for old in olds
    ),
    ("crm.stage", "is_contract_signed", "sales_process_contract_signed"),
    ("crm.team", "resource_calendar_id", "sales_process_resource_calendar_id"),
    (
        "helpdesk.ticket.team",
        "resource_calendar_id",
        "sales_process_resource_calendar_id",
    ),
]


def _field_owners(cr, model, name):
    """The modules that declare the field ``model.name`` in this database."""
    cr.execute(
        """
        SELECT DISTINCT imd.module
          FROM ir_model_fields imf
          JOIN ir_model_data imd
            ON imd.model = 'ir.model.fields' AND imd.res_id = imf.id
         WHERE imf.model = %s AND imf.name = %s
        """,
        (model, name),
    )
    return {module for (module,) in cr.fetchall()}


def rename_fields(env):
    """Rename the fields of RENAMED_FIELDS the add-on alone declares.

    A field shared with another module keeps its name and its column; a stored
    one gets its values copied to the new column.
    """
    renames = []
    for model, old, new in RENAMED_FIELDS:
        table = model.replace(".", "_")
        owners = _field_owners(env.cr, model, old)
        if MODULE not in owners or openupgrade.column_exists(env.cr, table, new):
            continue
        if owners == {MODULE}:
            renames.append((model, table, old, new))
        elif openupgrade.column_exists(env.cr, table, old):
            openupgrade.copy_columns(env.cr, {table: [(old, new, None)]})
    openupgrade.rename_fields(env, renames)
    for _model, table, old, new in renames:
        # openupgradelib renames the indexes of older Odoo names only
        openupgrade.logged_query(
            env.cr,
            f'ALTER INDEX IF EXISTS "{make_index_name(table, old)}" '
            f'RENAME TO "{make_index_name(table, new)}"',
        )


@openupgrade.migrate()
def migrate(env, version):
    rename_fields(env)
