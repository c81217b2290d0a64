# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models


class SalesProcessAssignmentTest(models.TransientModel):
    """Which rule would assign each record, to whom and why: nothing is assigned."""

    _name = "sales.process.assignment.test"
    _description = "Test Assignment Rules"

    res_model = fields.Char(readonly=True)
    result = fields.Html(readonly=True, sanitize=True)

    @api.model
    def _action_open(self, records):
        wizard = self.create(
            {"res_model": records._name, "result": self._result_html(records)}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test Assignment Rules"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _result_html(self, records):
        matched = self.env["sales.process.assignment.rule"]._match(records)
        by_rule = defaultdict(list)
        for record in records:
            if record.id in matched:
                by_rule[matched[record.id]].append(record.id)
        plans = {}
        rules = self.env["sales.process.assignment.rule"].union(*by_rule)
        availability = rules._availability()
        for rule, ids in by_rule.items():
            plan, _turns = rule._plan_assignment(
                records.browse(ids), None, availability
            )
            plans.update(
                {record_id: (rule, *choice) for record_id, choice in plan.items()}
            )
        rows = []
        for record in records:
            if record.id not in plans:
                cells = [record.display_name, self.env._("No rule matches"), "", ""]
            else:
                rule, user, reason = plans[record.id]
                if record.user_id and not rule.reassign:
                    outcome = self.env._(
                        "Left with %(user)s: the record has an owner and the rule "
                        "does not reassign",
                        user=record.user_id.name,
                    )
                elif user:
                    outcome = self.env._(
                        "%(user)s: %(reason)s", user=user.name, reason=reason
                    )
                else:
                    outcome = self.env._(
                        "Waits in the team %(team)s: %(reason)s",
                        team=rule._target_team().display_name or record.team_id.name,
                        reason=reason,
                    )
                cells = [record.display_name, rule.name, rule._explain(), outcome]
            rows.append(
                Markup("<tr>%s</tr>")
                % Markup().join(Markup("<td>%s</td>") % cell for cell in cells)
            )
        head = Markup().join(
            Markup("<th>%s</th>") % title
            for title in (
                self.env._("Record"),
                self.env._("Rule"),
                self.env._("Conditions"),
                self.env._("Would Go To"),
            )
        )
        return Markup(
            '<table class="table table-sm"><thead><tr>%s</tr></thead>'
            "<tbody>%s</tbody></table>"
        ) % (head, Markup().join(rows))
