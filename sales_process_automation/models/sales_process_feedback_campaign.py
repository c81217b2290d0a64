# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools import feedback_sampling

FEEDBACK_BATCH = 200
# where each outcome is read: model, closing date field, team field, campaign teams
OUTCOME_SOURCES = {
    "won": ("crm.lead", "date_closed", "team_id", "team_ids"),
    "lost": ("crm.lead", "date_closed", "team_id", "team_ids"),
    "ticket_closed": ("helpdesk.ticket", "closed_date", "team_id", "helpdesk_team_ids"),
}


class SalesProcessFeedbackCampaign(models.Model):
    """Send a satisfaction survey to a sample of the customers whose lead was
    won or lost, or whose after-sales ticket was closed."""

    _name = "sales.process.feedback.campaign"
    _description = "Feedback Survey Campaign"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    outcome = fields.Selection(
        [
            ("won", "Opportunity Won"),
            ("lost", "Opportunity Lost"),
            ("ticket_closed", "After-sales Ticket Closed"),
        ],
        required=True,
        default="won",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Leads of these teams only; every team when empty.",
    )
    helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Helpdesk Teams",
        check_company=True,
        help="Tickets of these teams only; every team when empty.",
    )
    sample_rate = fields.Float(
        string="Sampling Rate (%)",
        default=20.0,
        help="Share of the closed records whose customer is asked. The sample is "
        "fixed for a record and a campaign: running again never changes it.",
    )
    cap = fields.Integer(
        string="Invitations per Period",
        help="At most this many invitations per period; no limit when 0.",
    )
    cap_period = fields.Selection(
        [("week", "Week"), ("month", "Month")], default="month", required=True
    )
    quiet_days = fields.Integer(
        string="Quiet Period (Days)",
        default=90,
        help="A customer who received a feedback survey within these days (from "
        "any campaign) is not asked again.",
    )
    survey_id = fields.Many2one(
        "survey.survey",
        string="Survey",
        required=True,
        default=lambda self: self._default_survey_id(),
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Invitation Email",
        required=True,
        domain=[("model", "=", "survey.user_input")],
        default=lambda self: self.env.ref(
            "sales_process_automation.mail_template_feedback_invitation",
            raise_if_not_found=False,
        ),
    )
    reminder_days = fields.Integer(
        string="Reminder After (Days)",
        default=7,
        help="One reminder to customers who have not answered after these days; "
        "none when 0.",
    )
    reminder_template_id = fields.Many2one(
        "mail.template",
        string="Reminder Email",
        domain=[("model", "=", "survey.user_input")],
        default=lambda self: self.env.ref(
            "sales_process_automation.mail_template_feedback_reminder",
            raise_if_not_found=False,
        ),
    )
    date_start = fields.Datetime(
        string="Records Closed From",
        required=True,
        default=fields.Datetime.now,
        help="Records that reached the outcome before this date are not asked.",
    )
    request_ids = fields.One2many("sales.process.feedback.request", "campaign_id")
    invited_count = fields.Integer(compute="_compute_counts")
    answered_count = fields.Integer(compute="_compute_counts")

    _sample_rate_range = models.Constraint(
        "CHECK(sample_rate >= 0 AND sample_rate <= 100)",
        "The sampling rate is a percentage between 0 and 100.",
    )
    _positive_numbers = models.Constraint(
        "CHECK(cap >= 0 AND quiet_days >= 0 AND reminder_days >= 0)",
        "The cap, the quiet period and the reminder delay cannot be negative.",
    )

    def _default_survey_id(self):
        return self.env.ref(
            "sales_process_automation.survey_sales_process_feedback",
            raise_if_not_found=False,
        )

    def _compute_counts(self):
        Request = self.env["sales.process.feedback.request"]
        invited = dict(
            Request._read_group(
                [("campaign_id", "in", self.ids), ("state", "=", "invite")],
                ["campaign_id"],
                ["__count"],
            )
        )
        answered = dict(
            Request._read_group(
                [("campaign_id", "in", self.ids), ("answer_state", "=", "done")],
                ["campaign_id"],
                ["__count"],
            )
        )
        for campaign in self:
            campaign.invited_count = invited.get(campaign, 0)
            campaign.answered_count = answered.get(campaign, 0)

    @api.constrains("survey_id")
    def _check_survey_id(self):
        for campaign in self:
            if campaign.survey_id.access_mode == "internal":
                raise ValidationError(
                    self.env._(
                        "Customers cannot answer the survey %s: it is for employees "
                        "only.",
                        campaign.survey_id.display_name,
                    )
                )

    def action_add_stage_questions(self):
        """Rate the stages created since the survey was set up."""
        self.survey_id._sales_process_add_stage_questions()
        return True

    def action_view_requests(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "sales.process.feedback.request",
            "domain": [("campaign_id", "=", self.id)],
            "views": [(False, "list"), (False, "form")],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_feedback_surveys(self, batch_size=FEEDBACK_BATCH):
        """Decide for the records that reached a campaign's outcome since the
        last run, invite the sample, then send the reminders; one batch at a
        time, each committed."""
        campaigns = self.search([("survey_id.active", "=", True)])
        for campaign in campaigns:
            while True:
                records = campaign._candidates(limit=batch_size)
                if not records:
                    break
                campaign._process_batch(records)
                remaining = campaign._candidates(limit=None)
                if not self.env["ir.cron"]._commit_progress(
                    len(records), remaining=remaining
                ):
                    return  # out of time: the next run goes on from there
        for campaign in campaigns.filtered("reminder_days"):
            while True:
                requests = campaign._due_reminders(limit=batch_size)
                if not requests:
                    break
                campaign._send_reminders(requests)
                remaining = campaign._due_reminders(limit=None)
                if not self.env["ir.cron"]._commit_progress(
                    len(requests), remaining=remaining
                ):
                    return

    def _candidates(self, limit):
        """The records that reached the outcome and that the campaign has not
        considered yet, oldest first (their number when ``limit`` is None)."""
        self.ensure_one()
        model, date_field, team_field, teams_field = OUTCOME_SOURCES[self.outcome]
        domain = Domain(date_field, ">=", self.date_start) & Domain(
            "company_id", "in", [self.company_id.id, False]
        )
        if model == "crm.lead":
            domain &= Domain("won_status", "=", self.outcome)
        else:
            domain &= Domain("stage_id.closed", "=", True)
        if self[teams_field]:
            domain &= Domain(team_field, "in", self[teams_field].ids)
        domain &= Domain(
            "sales_process_feedback_request_ids",
            "not any",
            [("campaign_id", "=", self.id)],
        )
        # lost leads are archived
        Model = self.env[model].with_context(active_test=False)
        if limit is None:
            return Model.search_count(domain)
        return Model.search(domain, order=f"{date_field}, id", limit=limit)

    def _process_batch(self, records):
        """Decide for a batch of closed records and invite the sample."""
        self.ensure_one()
        now = fields.Datetime.now()
        model, date_field, team_field, _teams_field = OUTCOME_SOURCES[self.outcome]
        partners = records.partner_id
        Request = self.env["sales.process.feedback.request"]
        # no quiet period: a customer asked by another campaign in this run
        # (the same "now") is asked again
        quiet = self.quiet_days and Request._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("date_invited", ">=", now - timedelta(days=self.quiet_days)),
            ],
            ["partner_id"],
        )
        cap_left = None
        if self.cap:
            cap_left = self.cap - Request.search_count(
                [
                    ("campaign_id", "=", self.id),
                    ("date_invited", ">=", self._period_start(now)),
                ]
            )
        decisions = feedback_sampling.decide(
            [
                {
                    "model": model,
                    "res_id": record.id,
                    "partner_id": record.partner_id.id,
                    "has_email": bool(record.partner_id.email_normalized),
                    "opted_out": record.partner_id.is_blacklisted,
                }
                for record in records
            ],
            seed=self.id,
            rate=self.sample_rate,
            cap_left=cap_left,
            quiet_partner_ids=[partner.id for (partner,) in quiet or ()],
        )
        link = "lead_id" if model == "crm.lead" else "ticket_id"
        requests = Request.create(
            [
                {
                    "campaign_id": self.id,
                    "company_id": self.company_id.id,
                    link: record.id,
                    "partner_id": record.partner_id.id,
                    "user_id": record.user_id.id,
                    "team_id": record.team_id.id if model == "crm.lead" else False,
                    "helpdesk_team_id": (
                        record[team_field].id if model != "crm.lead" else False
                    ),
                    "date_outcome": record[date_field],
                    "state": decision,
                    "date_invited": (
                        now if decision == feedback_sampling.INVITE else False
                    ),
                }
                for record, decision in zip(records, decisions, strict=True)
            ]
        )
        self._invite(requests.filtered(lambda r: r.state == feedback_sampling.INVITE))

    def _period_start(self, now):
        if self.cap_period == "week":
            start = now - timedelta(days=now.weekday())
        else:
            start = now + relativedelta(day=1)
        return start.replace(hour=0, minute=0, second=0, microsecond=0)

    def _invite(self, requests):
        """Create the personal answer (token link) of each request, asking the
        stages its record went through, and email the invitations."""
        self.ensure_one()
        if not requests:
            return
        History = self.env["sales.process.stage.history"]
        crm_stages, ticket_stages = {}, {}
        if requests.lead_id:
            for lead, stages in History._read_group(
                [("lead_id", "in", requests.lead_id.ids)],
                ["lead_id"],
                ["crm_stage_id:recordset"],
            ):
                crm_stages[lead] = stages
        if requests.ticket_id:
            for ticket, stages in History._read_group(
                [("ticket_id", "in", requests.ticket_id.ids)],
                ["ticket_id"],
                ["ticket_stage_id:recordset"],
            ):
                ticket_stages[ticket] = stages
        survey = self.survey_id
        no_crm = self.env["crm.stage"]
        no_ticket = self.env["helpdesk.ticket.stage"]
        # mail.thread's create subscribes each answer on its own, one query
        # per answer; the followers of the survey's participations are
        # subscribed to all the answers at once below
        answers = (
            self.env["survey.user_input"]
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "survey_id": survey.id,
                        "partner_id": request.partner_id.id,
                        "email": request.partner_id.email,
                        "nickname": request.partner_id.name,
                        "sales_process_feedback_request_id": request.id,
                        "predefined_question_ids": survey._sales_process_questions_for(
                            crm_stages.get(request.lead_id, no_crm),
                            ticket_stages.get(request.ticket_id, no_ticket),
                        ).ids,
                    }
                    for request in requests
                ]
            )
            .with_env(self.env)
        )
        self._subscribe_participation_followers(answers)
        self.mail_template_id.send_mail_batch(
            answers.ids, email_layout_xmlid="mail.mail_notification_light"
        )

    def _subscribe_participation_followers(self, answers):
        """What mail.thread's auto subscription does on each answer: who
        follows the survey's participations follows the new answers, and is
        told when they are completed."""
        self.ensure_one()
        parent = self.env.ref("survey.mt_survey_survey_user_input_completed")
        partners = self.survey_id.message_follower_ids.filtered(
            lambda follower: (
                parent in follower.subtype_ids and follower.partner_id.active
            )
        ).partner_id
        if partners:
            answers._message_subscribe(
                partner_ids=partners.ids, subtype_ids=parent.parent_id.ids
            )

    def _due_reminders(self, limit):
        self.ensure_one()
        domain = [
            ("campaign_id", "=", self.id),
            ("state", "=", feedback_sampling.INVITE),
            ("date_reminded", "=", False),
            ("answer_state", "!=", "done"),
            (
                "date_invited",
                "<=",
                fields.Datetime.now() - timedelta(days=self.reminder_days),
            ),
        ]
        Request = self.env["sales.process.feedback.request"]
        if limit is None:
            return Request.search_count(domain)
        return Request.search(domain, order="date_invited, id", limit=limit)

    def _send_reminders(self, requests):
        self.ensure_one()
        requests.date_reminded = fields.Datetime.now()
        template = self.reminder_template_id or self.mail_template_id
        template.send_mail_batch(
            requests.user_input_id.ids,
            email_layout_xmlid="mail.mail_notification_light",
        )
