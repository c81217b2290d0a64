# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.sales_process_assignment_rule import ASSIGNMENT_MODELS


class SalesProcessAssignmentTest(models.TransientModel):
    """Which rules a record typed in, or existing records, would match, which
    one wins and why, and the rep it would choose: nothing is assigned."""

    _name = "sales.process.assignment.test"
    _description = "Test Assignment Rules"

    res_model = fields.Selection(
        ASSIGNMENT_MODELS, string="Applies To", required=True, default="crm.lead"
    )
    rule_id = fields.Many2one(
        "sales.process.assignment.rule",
        string="Rule Tested",
        readonly=True,
        help="The rule the test was opened from: the result says why it wins or not.",
    )
    mode = fields.Selection(
        [("typed", "A Record Typed In"), ("existing", "Existing Records")],
        string="Test With",
        required=True,
        default="typed",
    )
    lead_ids = fields.Many2many("crm.lead", string="Leads/Opportunities")
    ticket_ids = fields.Many2many("helpdesk.ticket", string="Tickets")

    # the record typed in
    company_id = fields.Many2one(
        "res.company", string="Company", default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        domain=[("share", "=", False)],
        help="Leave empty for a record nobody owns yet.",
    )
    source_id = fields.Many2one("utm.source", string="Source")
    medium_id = fields.Many2one("utm.medium", string="Medium")
    campaign_id = fields.Many2one("utm.campaign", string="Campaign")
    tag_ids = fields.Many2many("crm.tag", string="Lead Tags")
    helpdesk_tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Ticket Tags")
    team_id = fields.Many2one("crm.team", string="Current Sales Team")
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team", string="Current Helpdesk Team"
    )
    city = fields.Char()
    country_id = fields.Many2one("res.country", string="Country")
    state_id = fields.Many2one("res.country.state", string="State")
    partner_category_ids = fields.Many2many(
        "res.partner.category", string="Customer Tags"
    )
    other_values = fields.Char(
        string="Other Field Values",
        help="Values of any other field the rules' conditions read, as a "
        "dictionary, e.g. {'expected_revenue': 50000, 'priority': '2'}.",
    )

    result = fields.Html(compute="_compute_result", sanitize=True)

    @api.depends(
        "res_model",
        "rule_id",
        "mode",
        "lead_ids",
        "ticket_ids",
        "company_id",
        "user_id",
        "source_id",
        "medium_id",
        "campaign_id",
        "tag_ids",
        "helpdesk_tag_ids",
        "team_id",
        "helpdesk_team_id",
        "city",
        "country_id",
        "state_id",
        "partner_category_ids",
        "other_values",
    )
    def _compute_result(self):
        for wizard in self:
            try:
                records = wizard._records()
            except UserError as error:
                wizard.result = Markup('<p class="text-danger">%s</p>') % error
                continue
            wizard.result = wizard._result_html(records)

    @api.model
    def _action_open(self, records):
        """The test of existing ``records``, from their list."""
        link = "ticket_ids" if records._name == "helpdesk.ticket" else "lead_ids"
        return self.create(
            {
                "res_model": records._name,
                "mode": "existing",
                link: [Command.set(records.ids)],
            }
        )._action_show()

    @api.model
    def _action_open_for_rule(self, rule):
        """The test from a rule's form: a record typed in, filled with the
        rule's conditions, so that the first result shows the rule at work."""
        return self.create(
            {
                "res_model": rule.res_model,
                "rule_id": rule.id,
                "company_id": (rule.company_id or self.env.company).id,
                "source_id": rule.source_ids[:1].id,
                "medium_id": rule.medium_ids[:1].id,
                "campaign_id": rule.campaign_ids[:1].id,
                "tag_ids": [Command.set(rule.tag_ids.ids)],
                "helpdesk_tag_ids": [Command.set(rule.helpdesk_tag_ids.ids)],
                "team_id": rule.match_team_ids[:1].id,
                "helpdesk_team_id": rule.match_helpdesk_team_ids[:1].id,
                "city": (rule._city_names() or [False])[0],
                "country_id": rule.country_ids[:1].id,
                "state_id": rule.state_ids[:1].id,
                "partner_category_ids": [
                    Command.set(rule.partner_category_ids[:1].ids)
                ],
            }
        )._action_show()

    def _action_show(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test Assignment Rules"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _records(self):
        """The records tested: existing ones, or one record typed in (in memory)."""
        self.ensure_one()
        Model = self.env[self.res_model]
        if self.mode == "existing":
            records = (
                self.ticket_ids
                if self.res_model == "helpdesk.ticket"
                else self.lead_ids
            )
            return Model.browse(records._origin.ids)
        return Model.new(self._typed_values())

    def _typed_values(self):
        """Values of the record typed in; raises UserError on other values
        that are not a dictionary of the model's fields."""
        self.ensure_one()
        Model = self.env[self.res_model]
        location = {
            "city": self.city,
            "country_id": self.country_id._origin.id,
            "state_id": self.state_id._origin.id,
        }
        partner = self.env["res.partner"].new(
            {
                "name": self.env._("Customer typed in"),
                "category_id": [Command.set(self.partner_category_ids._origin.ids)],
                **location,
            }
        )
        values = {
            "name": self.env._("Record typed in"),
            "company_id": self.company_id._origin.id,
            "user_id": self.user_id._origin.id,
            "partner_id": partner,
        }
        if self.res_model == "helpdesk.ticket":
            values.update(
                {
                    "team_id": self.helpdesk_team_id._origin.id,
                    "tag_ids": [Command.set(self.helpdesk_tag_ids._origin.ids)],
                }
            )
        else:
            values.update(
                {
                    **location,
                    "team_id": self.team_id._origin.id,
                    "source_id": self.source_id._origin.id,
                    "medium_id": self.medium_id._origin.id,
                    "campaign_id": self.campaign_id._origin.id,
                    "tag_ids": [Command.set(self.tag_ids._origin.ids)],
                }
            )
        try:
            other = ast.literal_eval(self.other_values or "{}")
        except (SyntaxError, ValueError) as error:
            raise UserError(
                self.env._(
                    "Other field values: %(error)s. Write a dictionary, e.g. "
                    "{'expected_revenue': 50000}.",
                    error=error,
                )
            ) from error
        if not isinstance(other, dict):
            raise UserError(
                self.env._(
                    "Other field values: write a dictionary, e.g. "
                    "{'expected_revenue': 50000}."
                )
            )
        unknown = [name for name in other if name not in Model._fields]
        if unknown:
            raise UserError(
                self.env._(
                    "Other field values: %(model)s has no field %(fields)s.",
                    model=self.env["ir.model"]._get(self.res_model).name,
                    fields=", ".join(map(str, unknown)),
                )
            )
        return {**values, **other}

    def _result_html(self, records):
        """Per record, every rule and the conditions it meets, the winner and
        why; then the reps of the winning rules as the plan saw them."""
        self.ensure_one()
        Rule = self.env["sales.process.assignment.rule"]
        rules = Rule.search([("res_model", "=", self.res_model)])
        valid = rules.filtered(
            lambda rule: rule._sales_process_valid_domain(records) is not None
        )
        matches = defaultdict(lambda: Rule)
        for rule in valid:
            for record in records.filtered_domain(rule._condition_domain()):
                matches[record.id] |= rule
        winners = defaultdict(list)
        for record in records:
            winner = matches[record.id][:1]
            if winner and (winner.reassign or not record.user_id):
                winners[winner].append(record.id)
        availability = Rule.union(*winners)._availability() if winners else None
        # the reps as they are before the plans below count their records
        reps = {rule: rule._reps_report(availability) for rule in winners}
        plans = {}
        for rule, ids in winners.items():
            plan, _turns = rule._plan_assignment(
                records.browse(ids), None, availability
            )
            plans.update(plan)
        sections = [
            self._record_html(record, rules, valid, matches[record.id], plans)
            for record in records
        ]
        sections += [self._reps_html(rule, rows) for rule, rows in reps.items()]
        return Markup().join(sections) or Markup("<p>%s</p>") % self.env._(
            "Choose the records to test."
        )

    def _record_html(self, record, rules, valid, matched, plans):
        """The section of one tested record."""
        rows = []
        for rule in rules:
            if rule not in valid:
                verdict = self.env._("skipped: its condition is no longer valid")
                conditions = Markup()
            else:
                verdict = (
                    self.env._("matches") if rule in matched else self.env._("no match")
                )
                conditions = Markup("<br/>").join(
                    Markup("%s %s")
                    % ("✓" if record.filtered_domain(domain) else "✗", words)
                    for _kind, words, domain in rule._condition_parts()
                ) or self.env._("no condition: every record matches")
            rows.append(
                Markup("<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    Markup(' class="table-success"')
                    if matched and rule == matched[0]
                    else Markup(),
                    rule.sequence,
                    rule.name,
                    verdict,
                    conditions,
                )
            )
        head = Markup().join(
            Markup("<th>%s</th>") % title
            for title in (
                self.env._("Order"),
                self.env._("Rule"),
                self.env._("Result"),
                self.env._("Conditions"),
            )
        )
        name = (
            record.display_name
            if isinstance(record.id, int)
            else self.env._("The record typed in")
        )
        return Markup(
            '<h5>%s</h5><table class="table table-sm"><thead><tr>%s</tr></thead>'
            "<tbody>%s</tbody></table><p>%s</p>%s"
        ) % (
            name,
            head,
            Markup().join(rows),
            self._verdict(record, matched, plans),
            self._tested_rule_note(matched),
        )

    def _verdict(self, record, matched, plans):
        """Which rule wins and why, and the rep it would choose."""
        if not matched:
            return self.env._("No rule matches: the record keeps its team and owner.")
        winner = matched[0]
        why = self.env._(
            "%(rule)s wins: it comes first in the rules' order (sequence "
            "%(sequence)s) of the %(count)s rule(s) the record matches "
            "(%(rules)s), and the record meets all its conditions.",
            rule=winner.name,
            sequence=winner.sequence,
            count=len(matched),
            rules=", ".join(matched.mapped("name")),
        )
        if record.user_id and not winner.reassign:
            return "%s %s" % (
                why,
                self.env._(
                    "Left with %(user)s: the record has an owner and the rule "
                    "does not reassign; kept by its creator, the chatter says "
                    "the rule would give it to %(target)s.",
                    user=record.user_id.name,
                    target=winner._target_label(),
                ),
            )
        user, reason = plans[record.id]
        if user:
            outcome = self.env._(
                "Would go to %(user)s in %(team)s: %(reason)s.",
                user=user.name,
                team=winner._target_team().display_name
                or record.team_id.display_name
                or self.env._("(no team)"),
                reason=reason,
            )
        else:
            outcome = self.env._(
                "Waits in the team %(team)s: %(reason)s.",
                team=winner._target_team().display_name or record.team_id.name,
                reason=reason,
            )
        return "%s %s" % (why, outcome)

    def _tested_rule_note(self, matched):
        """Why the rule the test was opened from wins or not."""
        rule = self.rule_id
        if not rule or (matched and rule == matched[0]):
            return Markup()
        if rule in matched:
            note = self.env._(
                "%(rule)s matches too, but %(winner)s comes before it.",
                rule=rule.name,
                winner=matched[0].name,
            )
        elif not rule.active:
            note = self.env._(
                "%(rule)s is archived: it matches nothing.", rule=rule.name
            )
        else:
            note = self.env._(
                "%(rule)s does not match: see the conditions marked ✗.",
                rule=rule.name,
            )
        return Markup('<p class="text-muted">%s</p>') % note

    def _reps_html(self, rule, rows):
        """The reps of a winning rule: who works today, their load and turns."""
        head = Markup().join(
            Markup("<th>%s</th>") % title
            for title in (
                self.env._("Rep"),
                self.env._("Works Today"),
                self.env._("Open Records"),
                self.env._("Capacity"),
                self.env._("Records Given"),
                self.env._("Weight"),
            )
        )
        body = Markup().join(
            Markup("<tr>%s</tr>")
            % Markup().join(Markup("<td>%s</td>") % cell for cell in row)
            for row in rows
        )
        return Markup(
            '<h5>%s</h5><table class="table table-sm"><thead><tr>%s</tr></thead>'
            "<tbody>%s</tbody></table>"
        ) % (
            self.env._(
                "Reps of %(rule)s (%(method)s), before this test",
                rule=rule.name,
                method=dict(rule._fields["method"]._description_selection(self.env))[
                    rule.method
                ],
            ),
            head,
            body,
        )
