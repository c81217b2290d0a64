# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

TILE_KINDS = [
    ("at_risk", "My Records at Risk"),
    ("activities", "My Activities"),
    ("my_funnel", "My Funnel"),
    ("my_stalled", "My Stalled Leads"),
    ("team_funnel", "Team Funnel"),
    ("team_breaches", "SLA Breaches"),
    ("approvals", "Pending Approvals"),
    ("bottleneck", "Bottleneck"),
]


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
            if tile.kind in ("my_funnel", "team_funnel"):
                rate = self.env[model]._read_group(
                    domain, [], ["reached_next_rate:avg"]
                )
                tile.value = "-" if rate[0][0] is None else f"{round(rate[0][0])} %"
                tile.alert = False
            elif tile.kind == "bottleneck":
                stages = self.env[model].search(domain).crm_stage_id
                tile.value = ", ".join(stages.mapped("name")) or "-"
                tile.alert = bool(stages)
            else:
                count = self.env[model].search_count(domain)
                tile.value = str(count)
                tile.alert = bool(count) and tile.kind != "activities"

    def _records(self):
        """The model and domain of the records behind the tile, for the user."""
        self.ensure_one()
        uid = self.env.uid
        if self.kind == "at_risk":
            return "sales.process.stage.time.report", [
                ("user_id", "=", uid),
                ("date_out", "=", False),
                ("sla_status", "in", ["at_risk", "breached"]),
            ]
        if self.kind == "activities":
            return "mail.activity", [("user_id", "=", uid)]
        if self.kind == "my_funnel":
            return "sales.process.funnel.report", [
                ("user_id", "=", uid),
                ("first_entry", "=", True),
            ]
        if self.kind == "my_stalled":
            return "crm.lead", [
                ("user_id", "=", uid),
                ("sales_process_stalled", "=", True),
            ]
        if self.kind == "team_funnel":
            return "sales.process.funnel.report", [("first_entry", "=", True)]
        if self.kind == "team_breaches":
            return "sales.process.stage.time.report", [
                ("date_out", "=", False),
                ("sla_status", "=", "breached"),
            ]
        if self.kind == "approvals":
            return "tier.review", [
                ("status", "=", "pending"),
                ("reviewer_ids", "in", uid),
            ]
        return "sales.process.bottleneck.report", [("is_bottleneck", "=", True)]

    def action_open(self):
        self.ensure_one()
        model, domain = self._records()
        views = {
            "sales.process.funnel.report": "pivot,graph,list",
            "sales.process.bottleneck.report": "list,graph",
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "domain": domain,
            "views": [
                (False, mode) for mode in views.get(model, "list,form").split(",")
            ],
            "context": {"create": False},
        }
