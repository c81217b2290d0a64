# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import random
import time

from markupsafe import Markup
from psycopg2 import OperationalError
from psycopg2.errorcodes import SERIALIZATION_FAILURE

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_date, formatLang

from ..tools.cron_cursor import (
    batch_size_for_time,
    job_batch_size,
    process_in_batches,
    scheduler_time_is_up,
)

_logger = logging.getLogger(__name__)

TRIGGERS = [
    ("portal_signature", "Signed Online by the Customer"),
    ("signed_confirmation", "Signed Quotation Confirmed"),
    ("crm_stage", "Opportunity in a Contract Signed Stage"),
]
STEPS = [
    ("invoice", "Invoice"),
    ("post_invoice", "Invoice Posted"),
    ("email_invoice", "Invoice Emailed"),
    ("confirmation", "Customer Mail"),
    ("payment_followup", "Payment Follow-up"),
    ("won", "Opportunity Won"),
    ("ticket", "Onboarding Ticket"),
    ("actions", "Extra Actions"),
]
# The chain job runs a batch in two transactions. Posting an invoice locks its
# journal's next number until the commit (sequence.mixin._locked_increment), so
# posting ends the first transaction: another worker's batch then waits for the
# posting of this one, not for its PDFs and mails too.
# A batch runs to its end, and a chain with its invoice PDF takes a second or
# more: the job starts with this many chains, then sizes each batch to end
# within the time the scheduler gives it, so that the other jobs (the SLA sweep,
# every minute) do not wait for hundreds of chains.
FIRST_BATCH_SIZE = 2
JOB_PHASES = (
    ("invoice", "confirmation", "won", "ticket", "post_invoice"),
    ("email_invoice", "payment_followup", "actions"),
)


class SalesProcessContractChain(models.Model):
    """What was done for one signed contract, step by step, exactly once.

    One chain per order (unique): every trigger of an order reaches the same
    chain. A trigger queues it; the chain job (or, for companies that keep it
    synchronous, the trigger itself) runs it. Retry runs the steps not done.
    """

    _name = "sales.process.contract.chain"
    _description = "Contract-to-Invoice Chain"
    _order = "id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    team_id = fields.Many2one(related="order_id.team_id", store=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True)
    policy_id = fields.Many2one(
        "sales.process.contract.policy", readonly=True, index="btree_not_null"
    )
    trigger = fields.Selection(TRIGGERS, readonly=True)
    step_ids = fields.One2many(
        "sales.process.contract.step", "chain_id", string="Steps", readonly=True
    )
    # "running" is the state of the synchronous chains before 19.0.1.2.0
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="queued",
        readonly=True,
        index=True,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "sales_process_contract_chain_invoice_rel",
        "chain_id",
        "move_id",
        string="Invoices",
        readonly=True,
        copy=False,
    )
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True, copy=False)
    overdue_escalated = fields.Boolean(readonly=True, copy=False)
    retry_possible = fields.Boolean(
        compute="_compute_retry_possible",
        help="A step failed or waits for something that may be there now.",
    )

    _order_uniq = models.Constraint(
        "UNIQUE(order_id)", "An order has one contract chain."
    )

    @api.depends("state", "step_ids.state")
    def _compute_retry_possible(self):
        for chain in self:
            chain.retry_possible = chain.state in ("done", "failed") and any(
                step.state in ("failed", "waiting") for step in chain.step_ids
            )

    @api.model
    def _queue(self, orders, trigger):
        """Give each order a queued chain, unless it has one: one query.

        The unique order makes a second trigger, a double click or a
        concurrent confirmation wait for the first transaction, then find the
        chain there.
        """
        self.env.cr.execute(
            """
            INSERT INTO sales_process_contract_chain
                (order_id, company_id, team_id, partner_id, trigger, state,
                 create_uid, create_date, write_uid, write_date)
            SELECT so.id, so.company_id, so.team_id, so.partner_id, %(trigger)s,
                   'queued', %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM sale_order so
             WHERE so.id IN %(ids)s
            ON CONFLICT (order_id) DO NOTHING
            """,
            {"trigger": trigger, "uid": self.env.uid, "ids": tuple(orders.ids)},
        )
        orders.invalidate_recordset(["sales_process_contract_chain_ids"])

    @api.model
    def _lock_queued(self, orders):
        """The queued chains of ``orders``, locked: waits for another runner."""
        self.env.cr.execute(
            "SELECT id FROM sales_process_contract_chain WHERE order_id IN %s "
            "ORDER BY id FOR UPDATE",
            [tuple(orders.ids)],
        )
        chains = self.browse(row[0] for row in self.env.cr.fetchall())
        chains.invalidate_recordset()
        return chains.filtered(lambda chain: chain.state == "queued")

    def _run(self):
        """Run the steps not done yet, then settle the chains' state."""
        self._run_steps([code for code, _label in STEPS])
        self._settle()

    def _run_steps(self, codes):
        """Run steps ``codes`` where not done yet; a failed step never blocks.

        Each step runs for all the chains that need it at once, in a
        savepoint; when that fails, it runs again chain by chain, so that only
        the chains with a problem get a failed step. Skipped and waiting steps
        are evaluated again: their reason may be gone.
        """
        # a step that moves the opportunity must not start the chain again
        chains = self.with_context(sales_process_contract_chain_running=True)
        without_policy = chains.filtered(lambda chain: not chain.policy_id)
        policies = self.env["sales.process.contract.policy"]._for_orders(
            without_policy.order_id
        )
        for policy, group in without_policy.grouped(
            lambda chain: policies[chain.order_id]
        ).items():
            group.policy_id = policy
        with_policy = chains.filtered("policy_id")
        for code in codes if chains - with_policy else ():
            (chains - with_policy)._record_step(
                code,
                dict.fromkeys(
                    (chains - with_policy).ids,
                    (
                        "waiting",
                        self.env._(
                            "No contract policy matches this order: an "
                            "administrator adds one in Sales Process > "
                            "Configuration, then Retry Contract Chain."
                        ),
                        None,
                    ),
                ),
            )
        done = {
            (step.chain_id.id, step.code)
            for step in with_policy.step_ids
            if step.state == "done"
        }
        for code in codes:
            todo = with_policy.filtered(
                lambda chain, code=code: (chain.id, code) not in done
            )
            if todo:
                todo._record_step(code, todo._run_step(code))

    def _settle(self):
        """Done or failed, and finance told what is left to fix."""
        for chain in self:
            failed = chain.step_ids.filtered(lambda step: step.state == "failed")
            chain.state = "failed" if failed else "done"
            if failed:
                chain._report_failure(failed.mapped("code"))
            else:
                chain._close_failure_activity()

    @api.model
    def _cron_run_queued_chains(self):
        """Run the queued chains, a batch at a time.

        ``FOR UPDATE SKIP LOCKED``: several workers (Odoo servers, cron
        threads) split the queue; a chain another one holds is left to it.
        A batch takes two transactions (``JOB_PHASES``); a chain stays queued
        until its second one, and whoever locks it next runs what is not done.
        Batches are sized to end within the scheduler's time for the job
        (``FIRST_BATCH_SIZE``).
        """
        batch_size = job_batch_size(self.env, "contract")
        size = min(batch_size, FIRST_BATCH_SIZE)
        conflicts = 0
        while True:
            if scheduler_time_is_up(self.env):
                # called again after its time: the chains left wait for the
                # next call, once the other jobs due have run
                self.env["ir.cron"]._commit_progress(
                    remaining=self.search_count([("state", "=", "queued")])
                )
                return
            self.env.cr.execute(
                "SELECT id FROM sales_process_contract_chain WHERE state = 'queued' "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                [size],
            )
            chains = self.browse(row[0] for row in self.env.cr.fetchall())
            if not chains:
                return
            started = time.monotonic()
            try:
                chains._run_phase(JOB_PHASES[0])
                self.env["ir.cron"]._commit_progress()
                # another worker may have taken (and finished) some chains
                # between the commit and this lock: they are left to it
                self.env.cr.execute(
                    "SELECT id FROM sales_process_contract_chain "
                    "WHERE id IN %s AND state = 'queued' "
                    "ORDER BY id FOR UPDATE SKIP LOCKED",
                    [tuple(chains.ids)],
                )
                chains = self.browse(row[0] for row in self.env.cr.fetchall())
                chains.invalidate_recordset()
                chains._run_phase(JOB_PHASES[1], settle=True)
                remaining = self.search_count([("state", "=", "queued")])
                # the commit flushes the batch's last writes: a conflict there
                # is retried as one in the steps
                more_time = self.env["ir.cron"]._commit_progress(
                    len(chains), remaining=remaining
                )
            except OperationalError as error:
                # another worker updated a row this batch updates too (a
                # sequence, a round-robin counter): the batch starts again in
                # a new transaction, as Odoo retries a request
                conflicts += 1
                if error.pgcode != SERIALIZATION_FAILURE or conflicts > 5:
                    raise
                _logger.info("Contract chains %s: concurrent update, retried", chains)
                self.env.cr.rollback()
                time.sleep(random.uniform(0.1, 0.5) * conflicts)
                continue
            conflicts = 0
            if not more_time:
                return
            size = batch_size_for_time(
                batch_size,
                more_time,
                (time.monotonic() - started) / max(len(chains), 1),
            )

    def _run_phase(self, codes, settle=False):
        """Run steps ``codes`` company by company."""
        for company, group in self.grouped("company_id").items():
            group = group.with_company(company)
            group._run_steps(codes)
            if settle:
                group._settle()

    def _run_step(self, code):
        """``{chain id: (state, message, record)}`` of step ``code``."""
        method = getattr(self, f"_step_{code}")
        try:
            with self.env.cr.savepoint():
                return method()
        except OperationalError:
            raise  # a serialization failure: the whole request is retried
        except Exception as error:  # noqa: BLE001 - a step's failure is reported
            if len(self) == 1:
                _logger.info("Contract chain of %s: %s failed", self.order_id, code)
                return {self.id: ("failed", str(error), None)}
        results = {}
        for chain in self:
            results.update(chain._run_step(code))
        return results

    def _record_step(self, code, results):
        Step = self.env["sales.process.contract.step"]
        existing = {
            step.chain_id.id: step
            for step in self.step_ids.filtered(lambda step: step.code == code)
        }
        now = fields.Datetime.now()
        to_create = []
        for chain in self:
            state, message, record = results[chain.id]
            values = {
                "state": state,
                "message": message,
                "date": now,
                "res_model": record._name if record else False,
                "res_id": record[:1].id if record else False,
            }
            if chain.id in existing:
                existing[chain.id].write(values)
            else:
                to_create.append({"chain_id": chain.id, "code": code, **values})
        Step.create(to_create)

    def _failure_summary(self, user):
        """The summary of the failure activity, in the language of ``user``."""
        return self.with_context(lang=user.lang).env._("Contract chain failed")

    def _report_failure(self, failed):
        """Say what failed in the order's chatter and ask finance to fix it."""
        self.ensure_one()
        steps = self.step_ids.filtered(lambda step: step.code in failed)
        lines = Markup().join(
            Markup("<li>%s: %s</li>") % (step._label(), step.message) for step in steps
        )
        self.order_id.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "The contract chain could not finish; fix the cause, then use "
                    "Retry Contract Chain:"
                ),
                lines,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        finance = self.policy_id._finance_user() if self.policy_id else False
        summary = finance and self._failure_summary(finance)
        if finance and not self.order_id.activity_ids.filtered(
            lambda activity: activity.summary == summary and activity.user_id == finance
        ):
            self.order_id.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=Markup("<ul>%s</ul>") % lines,
                user_id=finance.id,
            )

    def _close_failure_activity(self):
        """Everything is done: finance has nothing left to fix."""
        self.ensure_one()
        self.order_id.activity_ids.filtered(
            lambda activity: activity.summary == self._failure_summary(activity.user_id)
        ).action_feedback(feedback=self.env._("The contract chain is done."))

    # ------------------------------------------------------------------
    # Steps: each returns (state, message, record)
    # ------------------------------------------------------------------

    def _step_invoice(self):
        results = {}
        full = self.browse()
        # one query for all the chains, not one per chain writing its invoices
        self.fetch(["invoice_ids"])
        for chain in self:
            policy, order = chain.policy_id, chain.order_id
            invoices = order.invoice_ids.filtered(lambda move: move.state != "cancel")
            if policy.invoice_policy == "none":
                results[chain.id] = chain._invoiced_on_delivery()
            elif invoices:
                chain.invoice_ids = invoices
                results[chain.id] = ("done", self.env._("Already invoiced."), invoices)
            elif policy.invoice_policy == "full":
                full |= chain
            else:
                invoices = chain._create_down_payment_invoice()
                chain.invoice_ids = invoices
                results[chain.id] = (
                    "done",
                    ", ".join(invoices.mapped("display_name")),
                    invoices,
                )
        if full:
            full.order_id._create_invoices(grouped=True, final=True)
            for chain in full:
                invoices = chain.order_id.invoice_ids
                if not invoices:
                    raise UserError(
                        self.env._(
                            "There is nothing to invoice on %(order)s.",
                            order=chain.order_id.name,
                        )
                    )
                chain.invoice_ids = invoices
                results[chain.id] = (
                    "done",
                    ", ".join(invoices.mapped("display_name")),
                    invoices,
                )
        return results

    def _create_down_payment_invoice(self):
        self.ensure_one()
        policy, order = self.policy_id, self.order_id
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create(
                {
                    "advance_payment_method": policy.down_payment_method,
                    "amount": policy.down_payment_amount,
                    "fixed_amount": policy.down_payment_amount,
                    "sale_order_ids": order.ids,
                }
            )
        )
        return wizard._create_invoices(order)

    def _invoiced_on_delivery(self):
        return ("skipped", self.env._("Invoiced on delivery."), None)

    def _step_post_invoice(self):
        results = {}
        to_post = self.browse()
        for chain in self:
            invoices = chain.invoice_ids.filtered(lambda move: move.state != "cancel")
            if chain.policy_id.invoice_policy == "none":
                results[chain.id] = chain._invoiced_on_delivery()
            elif not invoices:
                results[chain.id] = ("waiting", self.env._("No invoice to post."), None)
            elif not chain.policy_id.post_invoice:
                results[chain.id] = (
                    "skipped",
                    self.env._("Left in draft by the contract policy."),
                    None,
                )
            else:
                to_post |= chain
        to_post.invoice_ids.filtered(lambda move: move.state == "draft").action_post()
        for chain in to_post:
            results[chain.id] = ("done", self.env._("Posted."), chain.invoice_ids)
        return results

    def _step_email_invoice(self):
        """Email the posted invoices with their PDF, Odoo's Send & Print way.

        A PDF or mail error fails this step only: the invoice stays posted.
        """
        results = {}
        to_send = self.browse()
        for chain in self:
            posted = chain.invoice_ids.filtered(lambda move: move.state == "posted")
            if chain.policy_id.invoice_policy == "none":
                results[chain.id] = chain._invoiced_on_delivery()
            elif not chain.policy_id.send_invoice:
                results[chain.id] = (
                    "skipped",
                    self.env._("Not emailed by the contract policy."),
                    None,
                )
            elif not posted:
                results[chain.id] = (
                    "waiting",
                    self.env._("No posted invoice to email."),
                    None,
                )
            else:
                to_send |= chain
        invoices = to_send.invoice_ids.filtered(
            lambda move: move.state == "posted" and not move.is_move_sent
        )
        if invoices:
            self.env["account.move.send"]._generate_and_send_invoices(
                invoices, sending_methods=["email"]
            )
            unsent = invoices.filtered(lambda move: not move.is_move_sent)
            if unsent:
                raise UserError(
                    self.env._(
                        "%(invoices)s could not be emailed.",
                        invoices=", ".join(unsent.mapped("name")),
                    )
                )
        for chain in to_send:
            results[chain.id] = (
                "done",
                self.env._(
                    "Emailed to %(email)s.", email=chain.order_id.partner_id.email
                ),
                chain.invoice_ids.filtered(lambda move: move.state == "posted"),
            )
        return results

    def _step_confirmation(self):
        """Thank the customer for signing, or confirm the order (Odoo's mail)."""
        results = {}
        signed = self.filtered(lambda chain: chain.trigger != "crm_stage")
        for chain in self - signed:
            chain.order_id._send_order_confirmation_mail()
            results[chain.id] = (
                "done",
                self.env._(
                    "Order confirmation sent to %(email)s.",
                    email=chain.order_id.partner_id.email,
                ),
                None,
            )
        for template, chains in signed.grouped(
            lambda chain: chain.policy_id.confirmation_template_id
        ).items():
            if not template:
                results.update(
                    dict.fromkeys(
                        chains.ids,
                        (
                            "skipped",
                            self.env._("No signing confirmation template."),
                            None,
                        ),
                    )
                )
                continue
            # sudo: the customer may sign as the public user
            template.sudo().send_mail_batch(chains.order_id.ids)
            for chain in chains:
                results[chain.id] = (
                    "done",
                    self.env._(
                        "Sent to %(email)s.", email=chain.order_id.partner_id.email
                    ),
                    None,
                )
        return results

    def _step_payment_followup(self):
        results = {}
        activities = []
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("account.move")
        for chain in self:
            invoices = chain.invoice_ids.filtered(lambda move: move.state == "posted")
            if chain.policy_id.invoice_policy == "none":
                results[chain.id] = chain._invoiced_on_delivery()
                continue
            if not invoices:
                results[chain.id] = (
                    "waiting",
                    self.env._("No posted invoice to follow up."),
                    None,
                )
                continue
            finance = chain.policy_id._finance_user()
            if not finance:
                raise UserError(
                    self.env._(
                        "Nobody in finance to follow the payment up: set a finance "
                        "contact on the contract policy."
                    )
                )
            activities += [
                {
                    "res_model_id": model_id,
                    "res_id": invoice.id,
                    "activity_type_id": todo.id,
                    "date_deadline": invoice.invoice_date_due,
                    "summary": self.with_context(lang=finance.lang).env._(
                        "Check the payment of %(invoice)s", invoice=invoice.name
                    ),
                    "user_id": finance.id,
                }
                for invoice in invoices
            ]
            results[chain.id] = ("done", finance.name, invoices)
        # one follow-up per invoice: finance sees them in its activities, without
        # an assignment mail for each
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            activities
        )
        return results

    def _step_won(self):
        results = {}
        to_win = self.env["crm.lead"]
        for chain in self:
            lead = chain.order_id.opportunity_id
            if not chain.policy_id.mark_won or not lead:
                results[chain.id] = (
                    "skipped",
                    self.env._("Not marked won by the contract policy.")
                    if lead
                    else self.env._("No opportunity to mark won."),
                    None,
                )
                continue
            if not lead.stage_id.is_won:
                to_win |= lead
            results[chain.id] = ("done", lead.display_name, lead)
        # the chain runs as superuser: a signed contract is not held by the
        # mandatory stages (crm.lead write)
        to_win.action_set_won()
        for chain in self:
            lead = chain.order_id.opportunity_id
            if lead in to_win and not lead.stage_id.is_won:
                results[chain.id] = (
                    "failed",
                    self.env._(
                        "%(lead)s could not be marked won: it stays in %(stage)s.",
                        lead=lead.display_name,
                        stage=lead.stage_id.name,
                    )
                    if lead.stage_id
                    else self.env._(
                        "%(lead)s could not be marked won: its sales team has no "
                        "won stage.",
                        lead=lead.display_name,
                    ),
                    lead,
                )
        return results

    def _step_ticket(self):
        results = {}
        with_team = self.filtered("policy_id.helpdesk_team_id")
        for chain in self - with_team:
            results[chain.id] = (
                "skipped",
                self.env._("No after-sales team set."),
                None,
            )
        # the stage helpdesk_mgmt would look up for each ticket, once per team
        stages = {
            team: team._get_applicable_stages()[:1]
            for team in with_team.policy_id.helpdesk_team_id
        }
        # no user: the team's assignment rules give it to someone, never the
        # salesperson nor whoever runs the chain (helpdesk_mgmt's default)
        tickets = self.env["helpdesk.ticket"].create(
            [
                {
                    "name": self.env._(
                        "Onboarding: %(customer)s, %(order)s",
                        customer=chain.order_id.partner_id.display_name,
                        order=chain.order_id.name,
                    ),
                    "description": chain._ticket_description(),
                    "partner_id": chain.order_id.partner_id.id,
                    "team_id": chain.policy_id.helpdesk_team_id.id,
                    "user_id": False,
                    "stage_id": stages[chain.policy_id.helpdesk_team_id].id,
                    "company_id": chain.order_id.company_id.id,
                    **chain._ticket_link_values(),
                }
                for chain in with_team
            ]
        )
        for chain, ticket in zip(with_team, tickets, strict=True):
            chain.ticket_id = ticket
            lead = chain.order_id.opportunity_id
            if lead and not lead.ticket_id:
                # helpdesk_mgmt_crm links an opportunity to one ticket
                lead.ticket_id = ticket
            results[chain.id] = ("done", ticket.display_name, ticket)
        return results

    def _ticket_link_values(self):
        """How the onboarding ticket points to the order and the opportunity."""
        self.ensure_one()
        # the opportunity gets the ticket afterwards, when it has none
        # (helpdesk_mgmt_crm links an opportunity to one ticket)
        return {"sale_order_ids": [Command.link(self.order_id.id)]}

    def _ticket_description(self):
        """What support needs to start: the lines, the dates, the salesperson."""
        self.ensure_one()
        order = self.order_id
        lines = Markup().join(
            Markup("<li>%s × %s</li>")
            % (formatLang(self.env, line.product_uom_qty, dp="Product Unit"), line.name)
            for line in order.order_line
            if not line.display_type and not line.is_downpayment
        )
        delivery = order.commitment_date or order.expected_date
        facts = [
            (self.env._("Customer"), order.partner_id.display_name),
            (self.env._("Order"), order.name),
            (self.env._("Salesperson"), order.user_id.name or ""),
            (
                self.env._("Signed on")
                if order.signed_on
                else self.env._("Confirmed on"),
                format_date(self.env, order.signed_on or order.date_order),
            ),
            (self.env._("Delivery"), format_date(self.env, delivery)),
        ]
        return Markup("<ul>%s</ul><p>%s</p><ul>%s</ul>") % (
            Markup().join(
                Markup("<li><b>%s:</b> %s</li>") % (label, value)
                for label, value in facts
                if value
            ),
            self.env._("Ordered:"),
            lines,
        )

    def _step_actions(self):
        results = {}
        for actions, chains in self.grouped(
            lambda chain: chain.policy_id.server_action_ids
        ).items():
            if not actions:
                results.update(
                    dict.fromkeys(
                        chains.ids, ("skipped", self.env._("No extra action."), None)
                    )
                )
                continue
            for action in actions:
                action.with_context(
                    active_model="sale.order",
                    active_id=chains.order_id[:1].id,
                    active_ids=chains.order_id.ids,
                ).run()
            results.update(
                dict.fromkeys(
                    chains.ids, ("done", ", ".join(actions.mapped("name")), None)
                )
            )
        return results

    # ------------------------------------------------------------------
    # Overdue invoices
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalate_overdue_invoices(self):
        """Escalate unpaid invoices of signed contracts long past their due date."""
        today = fields.Date.context_today(self)
        batch_size = job_batch_size(self.env, "contract")
        domain = Domain(
            [
                ("overdue_escalated", "=", False),
                ("policy_id.overdue_escalation_days", ">", 0),
                ("invoice_ids.state", "=", "posted"),
                ("invoice_ids.payment_state", "in", ("not_paid", "partial")),
            ]
        )

        def escalate(chains):
            late = chains.filtered(lambda chain: chain._overdue_invoices(today))
            for chain in late.try_lock_for_update():
                chain._escalate_overdue(chain._overdue_invoices(today))

        process_in_batches(self, domain, "contract_overdue", batch_size, escalate)

    def _overdue_invoices(self, today):
        self.ensure_one()
        days = self.policy_id.overdue_escalation_days
        return self.invoice_ids.filtered(
            lambda move: (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.invoice_date_due
                and (today - move.invoice_date_due).days >= days
            )
        )

    def _escalate_overdue(self, invoices):
        self.ensure_one()
        users = self.policy_id._finance_user() | self.team_id.user_id
        for invoice in invoices:
            for user in users.filtered("active"):
                env = self.with_context(lang=user.lang).env
                invoice.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=env._("Overdue: %(invoice)s", invoice=invoice.name),
                    note=env._(
                        "%(invoice)s of the signed contract %(order)s is unpaid "
                        "%(days)s days after its due date.",
                        invoice=invoice.name,
                        order=self.order_id.name,
                        days=self.policy_id.overdue_escalation_days,
                    ),
                    user_id=user.id,
                )
        self.overdue_escalated = True
