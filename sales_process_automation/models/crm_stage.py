# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, ormcache

from ..tools.cron_cursor import trigger_job, write_cursor


class CrmStage(models.Model):
    _name = "crm.stage"
    _inherit = ["crm.stage", "sales.process.admin.fields.mixin"]

    _sales_process_admin_fields = (
        "sales_process_contract_signed",
        "sales_process_mandatory",
    )

    sales_process_contract_signed = fields.Boolean(
        string="Contract Signed",
        help="An opportunity reaching this stage with a confirmed order starts "
        "the contract-to-invoice chain of that order.",
    )
    sales_process_mandatory = fields.Boolean(
        string="Mandatory Stage",
        help="Opportunities cannot move past this stage without entering it, "
        "unless a sales manager approves the skip.",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sales_process_history(self):
        """Stages with history rows or stage SLA policies stay: deleting them
        would blank the rows' stage and leave the policies without one."""
        used = self.env["sales.process.stage.history"]._stages_in_use(
            "crm_stage_id", "pause_crm_stage_ids", self
        )
        if used:
            raise UserError(
                self.env._(
                    "%(stages)s cannot be deleted: the stage history or stage SLA "
                    "policies refer to them. Fold the stage and move its "
                    "opportunities instead.",
                    stages=", ".join(used.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        stages = super().create(vals_list)
        if any(vals.get("sales_process_mandatory") for vals in vals_list):
            self.env.registry.clear_cache()
        return stages

    def write(self, vals):
        # the cached mandatory stages and hand-off labels
        if vals.keys() & {"name", "sales_process_mandatory", "sequence", "team_ids"}:
            self.env.registry.clear_cache()
        if "sequence" not in vals:
            return super().write(vals)
        ranking = self._sales_process_ranking()
        result = super().write(vals)
        if self._sales_process_ranking() != ranking:
            # which stage a lead reached further changes with the ranking:
            # every lead again, from the first
            write_cursor(self.env, "funnel_flags", 0)
            trigger_job(
                self.env, "sales_process_automation.ir_cron_refresh_funnel_flags"
            )
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @ormcache()
    def _sales_process_mandatory_stages(self):
        """``(stage id, sequence, team ids)`` of the mandatory stages: kept in
        the registry cache, cleared when stages change, so that a stage change
        reads no stage when none is mandatory."""
        # sudo: cached for everyone, the stages must not depend on who asks first
        return tuple(
            (stage.id, stage.sequence, frozenset(stage.team_ids.ids))
            for stage in self.sudo().search([("sales_process_mandatory", "=", True)])
        )

    def _sales_process_ranking(self):
        """Stage ids in the order the funnel ranks them, every stage included."""
        self.flush_model(["sequence"])
        return self.env.execute_query(
            SQL("SELECT id FROM crm_stage ORDER BY sequence, id")
        )
