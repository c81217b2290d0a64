# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import AccessError

ADMIN_GROUP = "sales_process_automation.group_admin"


class SalesProcessAdminFieldsMixin(models.AbstractModel):
    """Fields added to other modules' models that only Sales Process admins set.

    The model stays writable by its usual managers (a Sales Manager edits
    stages and teams); the fields in ``_sales_process_admin_fields`` change
    the sales process (mandatory stages, contracts, working time) and only a
    Sales Process Administrator changes them, in a form or over RPC. Everyone
    reads them.
    """

    _name = "sales.process.admin.fields.mixin"
    _description = "Sales Process Administrators' Fields"

    _sales_process_admin_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._sales_process_check_admin_fields(
                {fname: value for fname, value in vals.items() if value}
            )
        return super().create(vals_list)

    def write(self, vals):
        self._sales_process_check_admin_fields(vals)
        return super().write(vals)

    def _sales_process_check_admin_fields(self, vals):
        """Refuse to change an administrators' field for other users."""
        if self.env.su or self.env.user.has_group(ADMIN_GROUP):
            return
        changed = [
            fname
            for fname in self._sales_process_admin_fields
            if fname in vals
            and (
                not self
                or any(
                    self._fields[fname].convert_to_cache(vals[fname], record)
                    != self._fields[fname].convert_to_cache(record[fname], record)
                    for record in self
                )
            )
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "Only Sales Process administrators can change %(fields)s.",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env)
                        for fname in changed
                    ),
                )
            )
