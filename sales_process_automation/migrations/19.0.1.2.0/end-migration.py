# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.2.0: the invoice is posted and emailed in two steps.

A chain of 19.0.1.1.0 has one "send_invoice" step for both: it becomes the
"post_invoice" step, and an "email_invoice" step says whether its policy
emailed the invoice then. Old chains keep their states (running, done,
failed), which stay valid.
"""

from openupgradelib import openupgrade

from odoo.addons.sales_process_automation.models.sales_process_contract_chain import (
    STEPS,
)


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

@openupgrade.migrate()
def migrate(env, version):
    split_send_invoice_steps(env)
