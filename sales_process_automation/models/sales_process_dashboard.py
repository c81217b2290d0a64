# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import format_amount

from ..tools import metrics
from ..tools.working_duration import format_working_duration

# the group each role dashboard asks for
ROLE_GROUPS = {
    "rep": "sales_process_automation.group_user",
    "manager": "sales_process_automation.group_manager",
    "admin": "sales_process_automation.group_admin",
}
# the documents a rep acts on when their stage is at risk or breached
AT_RISK_DOCUMENTS = ("crm.lead", "sale.order", "helpdesk.ticket")
# the requests a manager approves, with the field naming what they are about
APPROVAL_MODELS = (
    "sale.order",
    "sales.process.complex.request",
    "sales.process.stage.skip.request",
)
BREACH_TREND_WEEKS = 12
APPROVALS_SHOWN = 20


class SalesProcessDashboard(models.AbstractModel):
    """The figures of the rep, manager and administrator dashboards.

    Each figure comes with the window action on the records it counts (their
    domain, from ``tools/metrics.py``): the client action renders the figures
    and the embedded graph, pivot and list views, and opens the records.
    """

    _name = "sales.process.dashboard"
    _description = "Sales Process Dashboard"

    @api.model
    def get_dashboard(self, role):
        """The blocks of the ``role`` dashboard for the current user."""
        if role not in ROLE_GROUPS or not self.env.user.has_group(ROLE_GROUPS[role]):
            raise AccessError(self.env._("This dashboard is not yours."))
        blocks = getattr(self, f"_{role}_blocks")()
        return {"blocks": [block for block in blocks if block]}

    # rep
    def _rep_blocks(self):
        return [
            self._tiles_block("rep"),
            *(self._at_risk_block(model) for model in AT_RISK_DOCUMENTS),
            self._view_block(
                self.env._("My Funnel"),
                "sales.process.funnel.report",
                "graph",
                "sales_process_automation.sales_process_funnel_report_view_graph_dashboard",
                Domain("user_id", "=", self.env.uid) & metrics.ENTRY,
                description=self.env._(
                    "Leads of mine that entered each stage; click a bar for them."
                ),
            ),
            self._view_block(
                self.env._("My Activities Due"),
                "mail.activity",
                "list",
                "mail.mail_activity_view_tree",
                metrics.activities_due(self.env),
                open_document=True,
            ),
        ]

    def _at_risk_block(self, model):
        if not self.env[model].has_access("read"):
            return None
        domain = (
            Domain("user_id", "=", self.env.uid) & metrics.DOCUMENT_AT_RISK_OR_BREACH
        )
        if not self.env[model].search_count(domain, limit=1):
            return None
        titles = {
            "crm.lead": self.env._("My Leads at Risk or Breached"),
            "sale.order": self.env._("My Quotations at Risk or Breached"),
            "helpdesk.ticket": self.env._("My Tickets at Risk or Breached"),
        }
        return self._view_block(
            titles[model],
            model,
            "list",
            False,
            domain,
        )

    # manager
    def _manager_blocks(self):
        start = fields.Datetime.now() - relativedelta(weeks=BREACH_TREND_WEEKS)
        return [
            self._tiles_block("manager"),
            self._approvals_block(),
            self._bottleneck_block(),
            self._view_block(
                self.env._("Funnel per Team"),
                "sales.process.funnel.report",
                "graph",
                "sales_process_automation.sales_process_funnel_report_view_graph_team",
                metrics.ENTRY,
                description=self.env._(
                    "Leads that entered each stage, per sales team."
                ),
            ),
            self._view_block(
                self.env._("SLA Breaches, Last 12 Weeks"),
                "sales.process.stage.time.report",
                "graph",
                "sales_process_automation.sales_process_stage_time_report_view_graph_breach_trend",
                metrics.breaches_since(start),
                description=self.env._(
                    "Stages whose deadline passed, per week of the deadline and "
                    "document type."
                ),
            ),
            self._view_block(
                self.env._("Aging of Open Leads per Stage"),
                "sales.process.stage.time.report",
                "graph",
                "sales_process_automation.sales_process_stage_time_report_view_graph_aging",
                metrics.OPEN_ROW & Domain("res_model", "=", "crm.lead"),
                description=self.env._(
                    "Open leads per stage, by how long they are in it (calendar days)."
                ),
            ),
            self.env["helpdesk.ticket"].has_access("read")
            and self._view_block(
                self.env._("Aging of Open Tickets per Stage"),
                "sales.process.stage.time.report",
                "graph",
                "sales_process_automation.sales_process_stage_time_report_view_graph_aging_ticket",
                metrics.OPEN_ROW & Domain("res_model", "=", "helpdesk.ticket"),
                description=self.env._(
                    "Open tickets per stage, by how long they are in it "
                    "(calendar days)."
                ),
            ),
        ]

    def _approvals_block(self):
        rows = []
        counted = 0
        for model in APPROVAL_MODELS:
            Model = self.env[model]
            if not Model.has_access("read"):
                continue
            domain = Domain("can_review", "=", True)
            counted += Model.search_count(domain)
            for record in Model.search(domain, limit=APPROVALS_SHOWN):
                rows.append(self._approval_row(record))
        return {
            "kind": "table",
            "key": "approvals",
            "title": self.env._("Pending Approvals (%(count)s)", count=counted),
            "columns": [
                self.env._("Request"),
                self.env._("About"),
                self.env._("Requested By"),
                self.env._("Details"),
            ],
            "rows": rows,
            "empty": self.env._("Nothing waits for your approval."),
        }

    def _approval_row(self, record):
        if record._name == "sale.order":
            kind = self.env._("Discount")
            about = record
            requester = record.user_id
            details = self.env._(
                "Largest line discount %(discount)s %%, total %(amount)s",
                discount=round(record.sales_process_max_line_discount),
                amount=format_amount(self.env, record.amount_total, record.currency_id),
            )
        else:
            about = record.lead_id
            requester = record.requester_id
            if record._name == "sales.process.complex.request":
                kind = self.env._("Complex Opportunity")
                details = record.reason_id.display_name or ""
            else:
                kind = self.env._("Stage Skip")
                details = self.env._(
                    "%(from)s to %(to)s, skipping %(skipped)s",
                    **{
                        "from": record.from_stage_id.name,
                        "to": record.to_stage_id.name,
                        "skipped": ", ".join(record.skipped_stage_ids.mapped("name")),
                    },
                )
        # the request itself: its form holds the approve and reject buttons
        # beside the document it is about
        action = self._records_action(
            record._name, Domain("id", "=", record.id), record.display_name
        )
        action.update(res_id=record.id, views=[(False, "form")])
        return {
            "action": action,
            "cells": [
                {"value": kind},
                {"value": about.display_name},
                {"value": requester.name or ""},
                {"value": details},
            ],
        }

    def _bottleneck_block(self):
        Bottleneck = self.env["sales.process.bottleneck.report"]
        by_team = {}
        # fetched with the search: reading the rows again would compute the
        # analysis view a second time
        for row in Bottleneck.search_fetch(
            Domain("is_bottleneck", "=", True)
            & metrics.team_rule_scope(self.env, Bottleneck._name),
            [
                "company_id",
                "team_id",
                "crm_stage_id",
                "lead_count",
                "reached_next_rate",
                "median_hours",
                "is_leakiest",
                "is_slowest",
            ],
        ):
            by_team.setdefault(row.team_id, []).append(row)
        rows = []
        for team, team_rows in by_team.items():
            badges = []
            for row in team_rows:
                reasons = []
                if row.is_leakiest:
                    reasons.append(
                        self.env._(
                            "loses the most deals (%(rate)s %% go on)",
                            rate=round(row.reached_next_rate),
                        )
                    )
                if row.is_slowest:
                    reasons.append(
                        self.env._(
                            "holds deals longest (median %(duration)s)",
                            duration=format_working_duration(
                                self.env, row.median_hours, row._hours_per_day()
                            ),
                        )
                    )
                badges.append(
                    {
                        "label": row.crm_stage_id.name,
                        "title": ", ".join(reasons),
                        "count": row.lead_count,
                        "action": self._records_action(
                            "crm.lead",
                            metrics.documents_with_rows(
                                "crm.lead", metrics.bottleneck_entries(row)
                            ),
                            self.env._(
                                "%(team)s: entered %(stage)s",
                                team=team.display_name or self.env._("No Team"),
                                stage=row.crm_stage_id.name,
                            ),
                            context={"active_test": False},
                        ),
                    }
                )
            rows.append(
                {
                    "cells": [
                        {"value": team.display_name or self.env._("No Team")},
                        {"badges": badges},
                    ]
                }
            )
        return {
            "kind": "table",
            "key": "bottlenecks",
            "title": self.env._("Bottleneck per Team"),
            "columns": [self.env._("Sales Team"), self.env._("Bottleneck Stages")],
            "rows": rows,
            "empty": self.env._("No stage of your teams is a bottleneck."),
        }

    # administrator
    def _admin_blocks(self):
        return [self._assignment_rule_block(), self._sla_policy_block()]

    def _assignment_rule_block(self):
        figures = metrics.assignment_rule_effectiveness(self.env)
        # the records as they stand now; what each run matched and assigned
        # month by month is the Rule Review's (its own figures)
        labels = {
            "matched": self.env._("Records from the Rule"),
            "assigned": self.env._("Assigned to a Rep"),
            "team_only": self.env._("Waiting in the Team"),
            "not_contacted": self.env._("Not Contacted in Time"),
        }
        # the rules in force, and those archived since that gave records
        rules = self.env["sales.process.assignment.rule"].search(
            [("active", "=", True)]
        )
        rows = []
        for rule in rules | self.env["sales.process.assignment.rule"].union(*figures):
            rule_figures = figures.get(rule, dict.fromkeys(labels, 0))
            cells = [{"value": rule.display_name}]
            for figure, label in labels.items():
                cells.append(
                    {
                        "value": str(rule_figures[figure]),
                        "key": figure,
                        "count": rule_figures[figure],
                        "action": self._records_action(
                            rule.res_model,
                            metrics.assignment_rule_domain(rule.id, figure),
                            f"{rule.display_name}: {label}",
                        ),
                    }
                )
            rows.append({"key": rule.id, "cells": cells})
        return {
            "kind": "table",
            "key": "assignment_rules",
            "title": self.env._("Assignment Rules: Their Records Now"),
            "help": self.env._(
                "The records each rule gave, as they stand now. What the rules "
                "matched and assigned month by month is in Analysis > Rule Review >"
                " Assignment Rules."
            ),
            "columns": [self.env._("Rule"), *labels.values()],
            "rows": rows,
            "empty": self.env._("No assignment rule yet."),
        }

    def _sla_policy_block(self):
        figures = metrics.sla_policy_effectiveness(self.env)
        labels = {
            "records": self.env._("Records"),
            "reminded": self.env._("Reminded"),
            "escalated": self.env._("Escalated"),
            "breach_rate": self.env._("Breached (%)"),
        }
        Policy = self.env["sales.process.sla.policy"]
        rows = []
        # the policies in force, and those archived since that applied
        for policy in Policy.search([("active", "=", True)]) | Policy.union(*figures):
            policy_figures = figures.get(policy, {})
            cells = [{"value": policy.display_name}]
            for figure, label in labels.items():
                value = policy_figures.get(figure) or 0
                cells.append(
                    {
                        "value": (
                            f"{round(value)} %"
                            if figure == "breach_rate"
                            else str(value)
                        ),
                        "key": figure,
                        "count": value,
                        "action": self._records_action(
                            policy.res_model,
                            metrics.documents_with_rows(
                                policy.res_model,
                                metrics.policy_rows(policy.id, figure),
                            ),
                            f"{policy.display_name}: {label}",
                            context={"active_test": False},
                        ),
                    }
                )
            rows.append({"key": policy.id, "cells": cells})
        return {
            "kind": "table",
            "key": "sla_policies",
            "title": self.env._("Stage SLA Policies"),
            "columns": [self.env._("Policy"), *labels.values()],
            "rows": rows,
            "empty": self.env._("No stage SLA policy yet."),
        }

    # blocks
    def _tiles_block(self, role):
        tiles = self.env["sales.process.dashboard.tile"].search([("role", "=", role)])
        return {
            "kind": "tiles",
            "key": "tiles",
            "tiles": [
                {
                    "id": tile.id,
                    "kind": tile.kind,
                    "name": tile.name,
                    "value": tile.value,
                    "alert": tile.alert,
                    "description": tile.description or "",
                }
                for tile in tiles
            ],
        }

    def _view_block(
        self,
        title,
        model,
        view_type,
        view_xmlid,
        domain,
        description="",
        open_document=False,
    ):
        if not self.env[model].has_access("read"):
            return None
        view = (
            self.env.ref(view_xmlid, raise_if_not_found=False) if view_xmlid else None
        )
        return {
            "kind": "view",
            "key": f"{model}.{view_type}.{view_xmlid}",
            "title": title,
            "help": description,
            "resModel": model,
            "viewType": view_type,
            "viewId": view.id if view else False,
            "domain": list(Domain(domain) & metrics.team_rule_scope(self.env, model)),
            "openDocument": open_document,
        }

    def _records_action(self, model, domain, name, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": list(Domain(domain)),
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "context": {"create": False, **(context or {})},
        }
