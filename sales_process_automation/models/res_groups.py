# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import ormcache


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        # a new group implying others brings its users to them. Odoo clears
        # only the 'groups' cache here: the members of a process owner group
        # are in the default one, which Odoo clears when a group is written or
        # deleted, or a user created or written (groups, active)
        if any(vals.get("implied_ids") for vals in vals_list):
            self.env.registry.clear_cache()
        return groups

    @api.model
    @ormcache("group_id")
    def _sales_process_member_ids(self, group_id):
        """Ids of the active internal users of group ``group_id``, those of the
        groups implying it included, in id order.

        Kept in the registry cache, so that a hand-off to a group does not read
        its members: Odoo clears it when a group is written or deleted, a user
        created or their groups or active flag written; ``create`` clears it
        for a new group implying others.
        """
        # sudo: cached for everyone, the members must not depend on who asks first
        return tuple(
            self.env["res.users"]
            .sudo()
            .with_context(active_test=True)
            .search(
                [("all_group_ids", "in", [group_id]), ("share", "=", False)],
                order="id",
            )
            .ids
        )
