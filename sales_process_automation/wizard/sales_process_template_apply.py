# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class SalesProcessTemplateApply(models.TransientModel):
    """Set up a team's process from a template, or save it as a template."""

    _name = "sales.process.template.apply"
    _description = "Set Up a Sales Process"

    team_id = fields.Many2one("crm.team", string="Sales Team", required=True)
    template_id = fields.Many2one("sales.process.template", string="Template")
    name = fields.Char(string="New Template Name")

    def action_apply(self):
        self.ensure_one()
        if not self.template_id:
            raise UserError(self.env._("Choose the template to apply."))
        self.template_id._apply(self.team_id)
        return {
            "type": "ir.actions.act_window",
            "res_model": "sales.process.step",
            "view_mode": "list,form",
            "name": self.env._("Process of %(team)s", team=self.team_id.name),
            "domain": [("team_id", "=", self.team_id.id)],
            "context": {"default_team_id": self.team_id.id},
        }

    def action_save(self):
        self.ensure_one()
        if not self.name:
            raise UserError(self.env._("Name the new template."))
        template = self.env["sales.process.template"]._from_team(
            self.team_id, self.name
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sales.process.template",
            "view_mode": "form",
            "res_id": template.id,
        }
