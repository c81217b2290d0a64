# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import metrics

TILE_KINDS = [
    ("at_risk", "My Leads at Risk"),
    ("at_risk_orders", "My Quotations at Risk"),
    ("at_risk_tickets", "My Tickets at Risk"),
    ("activities", "My Activities Due"),
    ("my_funnel", "My Funnel"),
    ("my_stalled", "My Stalled Leads"),
    ("team_funnel", "Team Funnel"),
    ("team_breaches", "Open SLA Breaches"),
    ("approvals", "Discounts to Approve"),
    ("approvals_complex", "Complex Opportunities to Approve"),
    ("approvals_stage_skip", "Stage Skips to Approve"),
    ("bottleneck", "Bottleneck"),
    ("satisfaction", "Customer Satisfaction"),
]
# the model of the records behind each kind of tile: the documents themselves
# where there are documents to act on
TILE_MODELS = {
    "at_risk": "crm.lead",
    "at_risk_orders": "sale.order",
    "at_risk_tickets": "helpdesk.ticket",
    "activities": "mail.activity",
    "my_funnel": "sales.process.funnel.report",
    "my_stalled": "crm.lead",
    "team_funnel": "sales.process.funnel.report",
    "team_breaches": "sales.process.stage.time.report",
    "approvals": "sale.order",
    "approvals_complex": "sales.process.complex.request",
    "approvals_stage_skip": "sales.process.stage.skip.request",
    "bottleneck": "sales.process.bottleneck.report",
    "satisfaction": "sales.process.feedback.report",
}
# the SLA status of a record at risk (tools/metrics.py: open rows at risk or
# breached, read from the status the records store)
AT_RISK = metrics.DOCUMENT_AT_RISK_OR_BREACH


class SalesProcessDashboardTile(models.Model):
    """A figure of a role's dashboard that opens the records behind it."""

    _name = "sales.process.dashboard.tile"
    _description = "Dashboard Tile"
    _order = "role, sequence, id"

    name = fields.Char(required=True, translate=True)
    role = fields.Selection(
        [("rep", "Sales Rep"), ("manager", "Manager")], required=True
    )
    kind = fields.Selection(TILE_KINDS, required=True)
    sequence = fields.Integer(default=10)
    description = fields.Char(translate=True)
    value = fields.Char(compute="_compute_value")
    alert = fields.Boolean(
        compute="_compute_value", help="The figure asks for attention."
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_value(self):
        for tile in self:
            model, domain = tile._records()
            domain = Domain(domain) & metrics.team_rule_scope(self.env, model)
            if tile.kind in ("my_funnel", "team_funnel"):
                rate = self.env[model]._read_group(
                    domain, [], ["reached_next_rate:avg"]
                )
                tile.value = "-" if rate[0][0] is None else f"{round(rate[0][0])} %"
                tile.alert = False
            elif tile.kind == "bottleneck":
                stages = (
                    self.env[model].search_fetch(domain, ["crm_stage_id"]).crm_stage_id
                )
                tile.value = ", ".join(stages.mapped("name")) or "-"
                tile.alert = bool(stages)
            elif tile.kind == "satisfaction":
                nps = self.env[model]._net_promoter_score(domain)
                score = None if nps is None else round(nps)
                tile.value = "-" if score is None else f"{score:+d}" if score else "0"
                tile.alert = metrics.is_low_nps(nps)
            else:
                count = self.env[model].search_count(domain)
                tile.value = str(count)
                tile.alert = bool(count) and tile.kind != "activities"

    @api.model
    def _search(self, domain, *args, **kwargs):
        # a dashboard shows the tiles over records its user may read: a
        # helpdesk user has no leads
        domain = Domain(domain) & Domain("kind", "in", self._readable_kinds())
        return super()._search(domain, *args, **kwargs)

    @api.model
    def _readable_kinds(self):
        return [
            kind
            for kind, model in TILE_MODELS.items()
            if self.env[model].has_access("read")
        ]

    def _records(self):
        """The model and domain of the records behind the tile, for the user."""
        self.ensure_one()
        uid = self.env.uid
        domains = {
            "at_risk": Domain("user_id", "=", uid) & AT_RISK,
            "at_risk_orders": Domain("user_id", "=", uid) & AT_RISK,
            "at_risk_tickets": Domain("user_id", "=", uid) & AT_RISK,
            "activities": metrics.activities_due(self.env),
            "my_funnel": Domain("user_id", "=", uid) & metrics.ENTRY,
            "my_stalled": [
                ("user_id", "=", uid),
                ("sales_process_stalled", "=", True),
            ],
            "team_funnel": metrics.ENTRY,
            "team_breaches": metrics.OPEN_BREACH,
            "approvals": [("can_review", "=", True)],
            "approvals_complex": [("can_review", "=", True)],
            "approvals_stage_skip": [("can_review", "=", True)],
            "bottleneck": [("is_bottleneck", "=", True)],
            "satisfaction": [
                (
                    "date",
                    ">=",
                    fields.Datetime.now() - timedelta(days=metrics.SATISFACTION_DAYS),
                )
            ],
        }
        return TILE_MODELS[self.kind], domains[self.kind]

    def action_open(self):
        self.ensure_one()
        model, domain = self._records()
        views = {
            "sales.process.funnel.report": "pivot,graph,list",
            "sales.process.bottleneck.report": "list,graph",
            "sales.process.stage.time.report": "list,pivot,graph",
            "sales.process.feedback.report": "pivot,graph,list",
            "mail.activity": "list,form",
        }
        context = {"create": False}
        if self.kind == "team_breaches":
            # the open breaches of leads, quotations and tickets, per type
            context["group_by"] = ["res_model"]
        elif self.kind == "satisfaction":
            # the rating of each stage and the NPS, per team
            context["pivot_row_groupby"] = ["team_id"]
            context["pivot_column_groupby"] = ["kind"]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "domain": list(Domain(domain)),
            # the documents themselves: their list, kanban and form
            "views": [
                (False, mode)
                for mode in views.get(model, "list,kanban,form").split(",")
            ],
            "context": context,
        }
