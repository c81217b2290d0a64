# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.2.0: names that cannot collide with the OCA modules.

Every field the add-on adds to another module's model now carries the
``sales_process_`` prefix. A field another module also defines under the old
name (``helpdesk.ticket.sla_deadline`` and ``helpdesk.ticket.team``'s
``resource_calendar_id`` of ``helpdesk_mgmt_sla``) stays theirs: its values are
copied to the new column instead of renamed.

The extensions of a view are one view record each now: the records merged
into another one go before the views are loaded, so that their old field names
do not fail the validation of the merged ones.

The add-on's own ticket links (``helpdesk.ticket`` ``lead_id`` and
``sale_order_id``) give way to those of ``helpdesk_mgmt_crm`` and
``helpdesk_mgmt_sale``: their values are copied there, the columns go with
the fields at the end of the update.
"""

from openupgradelib import openupgrade

from odoo.tools import SQL
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

MERGED_VIEWS = [
    "crm_lead_view_form_complex",
    "crm_lead_view_form_stage_skip",
    "view_crm_case_opportunities_filter_complex",
    "view_crm_case_opportunities_filter_stalled",
    "view_crm_case_leads_filter_stalled",
    "view_order_form_approval",
    "view_sales_order_filter_approval",
]


def _logged_query(cr, query):
    openupgrade.logged_query(cr, query.code, query.params)


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
        if MODULE not in owners or _field_owners(env.cr, model, new):
            # not the add-on's, or renamed already
            continue
        if owners == {MODULE}:
            renames.append((model, table, old, new))
        elif openupgrade.column_exists(env.cr, table, old):
            openupgrade.copy_columns(env.cr, {table: [(old, new, None)]})
    openupgrade.rename_fields(env, renames)
    for _model, table, old, new in renames:
        if not openupgrade.column_exists(env.cr, table, new):
            continue
        # openupgradelib renames the indexes of older Odoo names only
        _logged_query(
            env.cr,
            SQL(
                "ALTER INDEX IF EXISTS %s RENAME TO %s",
                SQL.identifier(make_index_name(table, old)),
                SQL.identifier(make_index_name(table, new)),
            ),
        )


def copy_ticket_links(env):
    """Copy the links of the old ticket columns to the OCA modules' links.

    An order gets the tickets that pointed to it (``ticket.sale_order_ids``,
    ``order.ticket_ids``); an opportunity without a ticket gets the first
    ticket that pointed to it (``lead.ticket_id``, ``ticket.lead_ids``), as
    helpdesk_mgmt_crm holds one ticket per opportunity.
    """
    cr = env.cr
    orders = env["helpdesk.ticket"]._fields["sale_order_ids"]
    if openupgrade.column_exists(cr, "helpdesk_ticket", "sale_order_id"):
        _logged_query(
            cr,
            SQL(
                """
                INSERT INTO %(rel)s (%(ticket)s, %(order)s)
                SELECT id, sale_order_id FROM helpdesk_ticket
                 WHERE sale_order_id IS NOT NULL
                ON CONFLICT DO NOTHING
                """,
                rel=SQL.identifier(orders.relation),
                ticket=SQL.identifier(orders.column1),
                order=SQL.identifier(orders.column2),
            ),
        )
    if openupgrade.column_exists(cr, "helpdesk_ticket", "lead_id"):
        openupgrade.logged_query(
            cr,
            """
            UPDATE crm_lead lead
               SET ticket_id = first.ticket_id
              FROM (
                    SELECT lead_id, MIN(id) AS ticket_id
                      FROM helpdesk_ticket
                     WHERE lead_id IS NOT NULL
                     GROUP BY lead_id
                   ) first
             WHERE lead.id = first.lead_id AND lead.ticket_id IS NULL
            """,
        )


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.delete_records_safely_by_xml_id(
        env, [f"{MODULE}.{name}" for name in MERGED_VIEWS]
    )
    rename_fields(env)
    copy_ticket_links(env)
