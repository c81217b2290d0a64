# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.2.0 data, after the update.

- The invoice is posted and emailed in two steps. A chain of 19.0.1.1.0 has
  one "send_invoice" step for both: it becomes the "post_invoice" step, and
  an "email_invoice" step says whether its policy emailed the invoice then.
  Old chains keep their states (running, done, failed), which stay valid.
- ``sales_process_sla_status`` of leads, orders and tickets is now stored: it
  takes the status of the open stage history row of each record.
- Whether a stage history row was reminded or escalated is now stored on the
  row (``sla_reminded``, ``sla_escalated``): it is set from its SLA events.
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

from odoo.addons.sales_process_automation.models.sales_process_contract_chain import (
    STEPS,
)

_logger = logging.getLogger(__name__)


def split_send_invoice_steps(env):
    sequence = {code: index for index, (code, _label) in enumerate(STEPS)}
    openupgrade.logged_query(
        env.cr,
        """
        INSERT INTO sales_process_contract_step
            (chain_id, code, sequence, state, message, date, res_model, res_id,
             create_uid, create_date, write_uid, write_date)
        SELECT step.chain_id, 'email_invoice', %(email)s,
               CASE WHEN step.state = 'done' AND policy.send_invoice THEN 'done'
                    WHEN step.state = 'done' THEN 'skipped'
                    ELSE step.state END,
               CASE WHEN step.state = 'done' AND policy.send_invoice
                    THEN 'Emailed.'
                    WHEN step.state = 'done' THEN 'Not emailed by the contract policy.'
                    ELSE step.message END,
               step.date, step.res_model, step.res_id,
               step.create_uid, step.create_date, step.write_uid, step.write_date
          FROM sales_process_contract_step step
          JOIN sales_process_contract_chain chain ON chain.id = step.chain_id
          LEFT JOIN sales_process_contract_policy policy
                 ON policy.id = chain.policy_id
         WHERE step.code = 'send_invoice'
        ON CONFLICT DO NOTHING
        """,
        {"email": sequence["email_invoice"]},
    )
    openupgrade.logged_query(
        env.cr,
        """
        UPDATE sales_process_contract_step
           SET code = 'post_invoice', sequence = %(post)s
         WHERE code = 'send_invoice'
        """,
        {"post": sequence["post_invoice"]},
    )
    # the steps after the new one move down
    openupgrade.logged_query(
        env.cr,
        """
        UPDATE sales_process_contract_step step
           SET sequence = new.sequence
          FROM unnest(%s::varchar[], %s::int[]) AS new(code, sequence)
         WHERE step.code = new.code AND step.sequence != new.sequence
        """,
        [list(sequence), list(sequence.values())],
    )


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
        (
            "Leads, quotations and tickets of my teams past the deadline of the "
            "stage they are in now"
        ),
    ),
]


def store_sla_status_and_rename_tiles(env):
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


@openupgrade.migrate()
def migrate(env, version):
    split_send_invoice_steps(env)
    store_sla_status_and_rename_tiles(env)
    env["sales.process.stage.history"]._refresh_sla_notified_flags()
