# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools import metrics


class SalesProcessFeedbackReport(models.Model):
    """One row per rating a customer gave in a feedback survey: a stage of the
    process they went through, or the net promoter score."""

    _name = "sales.process.feedback.report"
    _description = "Customer Feedback Analysis"
    _auto = False
    _depends = {
        "survey.user_input.line": [
            "user_input_id",
            "question_id",
            "value_scale",
            "skipped",
            "create_date",
        ],
        "survey.user_input": ["sales_process_feedback_request_id", "state"],
        "survey.question": [
            "sales_process_crm_stage_id",
            "sales_process_ticket_stage_id",
            "sales_process_is_nps",
        ],
        "sales.process.feedback.request": [
            "campaign_id",
            "outcome",
            "lead_id",
            "ticket_id",
            "partner_id",
            "user_id",
            "team_id",
            "helpdesk_team_id",
            "company_id",
        ],
        "crm.lead": ["lost_reason_id"],
    }
    _rec_name = "question_id"
    _order = "date desc, id desc"

    date = fields.Datetime(string="Answered On", readonly=True)
    campaign_id = fields.Many2one(
        "sales.process.feedback.campaign", string="Campaign", readonly=True
    )
    outcome = fields.Selection(
        [
            ("won", "Opportunity Won"),
            ("lost", "Opportunity Lost"),
            ("ticket_closed", "After-sales Ticket Closed"),
        ],
        readonly=True,
    )
    request_id = fields.Many2one(
        "sales.process.feedback.request", string="Feedback Survey", readonly=True
    )
    user_input_id = fields.Many2one("survey.user_input", string="Answer", readonly=True)
    question_id = fields.Many2one("survey.question", string="Question", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", readonly=True)
    ticket_id = fields.Many2one("helpdesk.ticket", string="Ticket", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Helpdesk Team", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    crm_stage_id = fields.Many2one("crm.stage", string="Sales Stage", readonly=True)
    ticket_stage_id = fields.Many2one(
        "helpdesk.ticket.stage", string="Ticket Stage", readonly=True
    )
    lost_reason_id = fields.Many2one(
        "crm.lost.reason", string="Lost Reason", readonly=True
    )
    kind = fields.Selection(
        [("stage", "Stage Rating"), ("nps", "Net Promoter Score")], readonly=True
    )
    stage_rating = fields.Float(
        string="Stage Satisfaction",
        readonly=True,
        aggregator="avg",
        help="Satisfaction with the stage, from 1 (not at all) to 5 (very).",
    )
    nps_value = fields.Float(
        string="Recommendation (0-10)", readonly=True, aggregator="avg"
    )
    nps = fields.Float(
        string="NPS",
        digits=(16, 0),
        readonly=True,
        aggregator="avg",
        help="Net promoter score: share of promoters (9-10) minus share of "
        "detractors (0-6), from -100 to 100.",
    )
    nps_category = fields.Selection(
        [
            ("promoter", "Promoter"),
            ("passive", "Passive"),
            ("detractor", "Detractor"),
        ],
        string="NPS Category",
        readonly=True,
    )
    comment = fields.Text(
        string="Suggestions",
        readonly=True,
        help="What the customer wrote in the free text questions of the survey.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                SELECT line.id,
                       COALESCE(answer.end_datetime, line.create_date) AS date,
                       request.campaign_id,
                       request.outcome,
                       request.id AS request_id,
                       answer.id AS user_input_id,
                       line.question_id,
                       request.lead_id,
                       request.ticket_id,
                       request.partner_id,
                       request.user_id,
                       request.team_id,
                       request.helpdesk_team_id,
                       request.company_id,
                       question.sales_process_crm_stage_id AS crm_stage_id,
                       question.sales_process_ticket_stage_id AS ticket_stage_id,
                       lead.lost_reason_id,
                       CASE WHEN is_nps.value THEN 'nps'
                            ELSE 'stage' END AS kind,
                       CASE WHEN NOT is_nps.value
                            THEN line.value_scale END AS stage_rating,
                       CASE WHEN is_nps.value
                            THEN line.value_scale END AS nps_value,
                       CASE WHEN is_nps.value
                            THEN %(nps_points)s END AS nps,
                       CASE WHEN NOT is_nps.value THEN NULL
                            WHEN line.value_scale >= %(promoter)s THEN 'promoter'
                            WHEN line.value_scale <= %(detractor)s THEN 'detractor'
                            ELSE 'passive' END AS nps_category,
                       comment.text AS comment
                  FROM survey_user_input_line line
                  JOIN survey_user_input answer ON answer.id = line.user_input_id
                  JOIN sales_process_feedback_request request
                    ON request.id = answer.sales_process_feedback_request_id
                  JOIN survey_question question ON question.id = line.question_id
                  CROSS JOIN LATERAL (
                      SELECT COALESCE(question.sales_process_is_nps, FALSE) AS value
                  ) is_nps
                  LEFT JOIN crm_lead lead ON lead.id = request.lead_id
                  LEFT JOIN LATERAL (
                      SELECT string_agg(text_line.value_text_box, E'\\n'
                                        ORDER BY text_line.id) AS text
                        FROM survey_user_input_line text_line
                       WHERE text_line.user_input_id = answer.id
                         AND text_line.answer_type = 'text_box'
                  ) comment ON TRUE
                 WHERE line.answer_type = 'scale'
                   AND NOT COALESCE(line.skipped, FALSE)
                   AND (is_nps.value
                        OR question.sales_process_crm_stage_id IS NOT NULL
                        OR question.sales_process_ticket_stage_id IS NOT NULL)
                )
                """,
                view=SQL.identifier(self._table),
                nps_points=metrics.nps_points(SQL("line.value_scale")),
                promoter=metrics.NPS_PROMOTER_MIN,
                detractor=metrics.NPS_DETRACTOR_MAX,
            )
        )

    @api.model
    def _net_promoter_score(self, domain):
        """The NPS of the answers in ``domain``, None without any answer."""
        [(nps,)] = self._read_group([*domain, ("kind", "=", "nps")], [], ["nps:avg"])
        # the average of nothing comes back as False
        return None if nps is False else nps
