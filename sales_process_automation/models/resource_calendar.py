# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError, ValidationError


class ResourceCalendar(models.Model):
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "sales.process.working.time.cache.mixin"]

    def _sales_process_check_working_time(self, team):
        """Refuse working hours in which no stage deadline can be planned.

        Set on a team, they would make every record entering a stage with a
        deadline, or assigned with a first contact delay, fail.
        """
        History = self.env["sales.process.stage.history"]
        for calendar in self:
            try:
                History._plan(calendar.id, fields.Datetime.now(), 1.0)
            except UserError as error:
                raise ValidationError(
                    self.env._(
                        "Team %(team)s: the working hours %(calendar)s have no "
                        "working time; add working hours to them or choose "
                        "others.",
                        team=team.display_name,
                        calendar=calendar.display_name,
                    )
                ) from error
