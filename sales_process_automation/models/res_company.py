# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_process_complex_threshold = fields.Float(
        string="Complex Opportunity Alert (%)",
        default=40.0,
        help="Reps whose share of complex opportunities reaches this percentage "
        "are highlighted in the complex-opportunity report.",
    )
    sales_process_stalled_days = fields.Integer(
        string="Stalled After (Days)",
        default=14,
        help="An open lead is stalled when neither its stage nor its activities "
        "moved for this many days.",
    )

    sales_process_contract_chain_sync = fields.Boolean(
        string="Run the Contract Chain at Once",
        help="Invoice, mails and ticket of a signed contract are made during the "
        "confirmation, which waits for them, instead of by the contract chain "
        "job within seconds.",
    )

    sales_process_breach_notify_managers = fields.Boolean(
        string="Mail Managers on Each Breach",
        help="Team leaders and escalation users get an email and an activity for "
        "every breached stage. Off: the daily digest lists the breaches instead.",
    )
    sales_process_reminder_cc_leader = fields.Boolean(
        string="Copy the Team Leader on Reminders",
        help="Stage SLA reminder emails are also sent to the record's team leader.",
    )
    sales_process_digest_user_ids = fields.Many2many(
        "res.users",
        "sales_process_company_digest_user_rel",
        string="Digest Also To",
        domain=[("share", "=", False)],
        help="Users who get the daily SLA digest of every team of the company, "
        "e.g. the sales director.",
    )

    _sales_process_stalled_days_positive = models.Constraint(
        "CHECK(sales_process_stalled_days > 0)",
        "A lead can only be stalled after at least one day.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["sales.process.contract.policy"]._create_defaults(companies)
        return companies

    def write(self, vals):
        result = super().write(vals)
        if "resource_calendar_id" in vals:
            # the working hours of the company's records are cached
            self.env.registry.clear_cache()
        return result

    def _sales_process_notification_policy(self, team):
        """The notification settings of ``team``: its own when it overrides
        them, else the company's."""
        self.ensure_one()
        # helpdesk teams follow their company
        overrides = (
            team._name == "crm.team" and team.sales_process_notification_override
        )
        source = team if overrides else self
        return {
            "breach_notify_managers": source.sales_process_breach_notify_managers,
            "reminder_cc_leader": source.sales_process_reminder_cc_leader,
            "digest_users": source.sales_process_digest_user_ids,
        }

    @api.constrains("sales_process_complex_threshold")
    def _check_sales_process_complex_threshold(self):
        for company in self:
            if not 0 < company.sales_process_complex_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the complex opportunity alert is a share of "
                        "a rep's opportunities, above 0%% and at most 100%%, not "
                        "%(percent)s%%.",
                        company=company.name,
                        percent=company.sales_process_complex_threshold,
                    )
                )
