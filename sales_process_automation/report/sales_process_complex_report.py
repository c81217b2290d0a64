# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class SalesProcessComplexReport(models.Model):
    """Complex opportunities of each rep, to spot a misuse of the exception."""

    _name = "sales.process.complex.report"
    _description = "Complex Opportunity Report"
    _auto = False
    _order = "complex_share desc, user_id"
    _rec_name = "user_id"
    # flushed before a search: the complex request reads its share right after
    # it is submitted, in the same transaction
    _depends = {
        "sales.process.complex.request": ["lead_id", "state"],
        "crm.lead": ["type", "user_id", "team_id", "company_id"],
        "res.company": ["sales_process_complex_threshold"],
    }

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    opportunity_count = fields.Integer(string="Opportunities", readonly=True)
    complex_count = fields.Integer(
        string="Complex Opportunities",
        readonly=True,
        help="Opportunities with at least one complex request submitted.",
    )
    complex_share = fields.Float(
        string="Complex Share (%)",
        digits=(16, 0),
        readonly=True,
        aggregator=None,
        help="Complex opportunities out of all the opportunities of the rep.",
    )
    request_count = fields.Integer(string="Requests", readonly=True)
    pending_count = fields.Integer(string="Waiting", readonly=True)
    approved_count = fields.Integer(string="Approved", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    highlight = fields.Boolean(
        string="Possible Misuse",
        readonly=True,
        help="The complex share reaches the alert percentage of the company.",
    )

    def _query(self):
        return SQL(
            """
            WITH requests AS (
                SELECT lead_id,
                       count(*) AS request_count,
                       count(*) FILTER (WHERE state = 'pending') AS pending_count,
                       count(*) FILTER (WHERE state = 'approved') AS approved_count,
                       count(*) FILTER (WHERE state = 'rejected') AS rejected_count
                  FROM sales_process_complex_request
                 WHERE state != 'draft'
                 GROUP BY lead_id
            ),
            reps AS (
                SELECT min(lead.id) AS id,
                       lead.user_id,
                       lead.team_id,
                       lead.company_id,
                       count(*) AS opportunity_count,
                       count(requests.lead_id) AS complex_count,
                       coalesce(sum(requests.request_count), 0) AS request_count,
                       coalesce(sum(requests.pending_count), 0) AS pending_count,
                       coalesce(sum(requests.approved_count), 0) AS approved_count,
                       coalesce(sum(requests.rejected_count), 0) AS rejected_count
                  FROM crm_lead lead
                  LEFT JOIN requests ON requests.lead_id = lead.id
                 WHERE lead.type = 'opportunity' AND lead.user_id IS NOT NULL
                 GROUP BY lead.user_id, lead.team_id, lead.company_id
            )
            SELECT reps.*,
                   round(100.0 * reps.complex_count / reps.opportunity_count, 2)
                       AS complex_share,
                   reps.complex_count > 0
                   AND 100.0 * reps.complex_count / reps.opportunity_count
                       >= coalesce(company.sales_process_complex_threshold, 40.0)
                       AS highlight
              FROM reps
              LEFT JOIN res_company company ON company.id = reps.company_id
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    def _complex_shares(self, leads):
        """The complex share of the lines of ``leads``' reps, by line key.

        The figure of the report is the only one: the complex request shows it
        to the reviewer. Key: ``(user id, team id, company id)``.
        """
        # sudo: the reviewer of a request sees the share of its rep, not the
        # other lines of the report (Sales Process Managers only)
        lines = self.sudo().search_fetch(
            [("user_id", "in", leads.user_id.ids)],
            ["user_id", "team_id", "company_id", "complex_share"],
        )
        return {
            (line.user_id.id, line.team_id.id, line.company_id.id): line.complex_share
            for line in lines
        }

    def _lead_domain(self):
        self.ensure_one()
        return [
            ("type", "=", "opportunity"),
            ("user_id", "=", self.user_id.id),
            ("team_id", "=", self.team_id.id),
            ("company_id", "=", self.company_id.id),
        ]

    def action_open_opportunities(self):
        """The opportunities counted on the line, lost ones included."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm.crm_lead_action_pipeline"
        )
        action.update(
            {
                "name": self.env._(
                    "Opportunities of %(user)s", user=self.user_id.display_name
                ),
                "domain": self._lead_domain(),
                "context": {"active_test": False},
                "view_mode": "list,form,kanban",
                "views": [(False, "list"), (False, "form"), (False, "kanban")],
            }
        )
        return action

    def action_open_complex_requests(self):
        """The complex requests behind the line, to read their reasons."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_automation.sales_process_complex_request_action"
        )
        action["domain"] = [
            ("lead_id.type", "=", "opportunity"),
            ("lead_user_id", "=", self.user_id.id),
            ("team_id", "=", self.team_id.id),
            ("company_id", "=", self.company_id.id),
            ("state", "!=", "draft"),
        ]
        action["context"] = {"active_test": False}
        return action
