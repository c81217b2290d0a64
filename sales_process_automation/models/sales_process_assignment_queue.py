# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SalesProcessAssignmentQueue(models.Model):
    """A record a user saved, waiting for the assignment rules' job.

    Kept beside the record, not on it: the job reads a record its owner keeps
    (to note the rule that would have routed it) without writing it, so a rep
    who edits his new lead meanwhile never waits for the job nor conflicts
    with it. Rows are inserted by the save and deleted by the job.
    """

    _name = "sales.process.assignment.queue"
    _description = "Record Waiting for the Assignment Job"
    _order = "id"

    res_model = fields.Char(string="Model", required=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", required=True
    )
    owner_id = fields.Many2one(
        "res.users",
        string="Owner When Saved",
        ondelete="set null",
        help="An owner chosen by hand before the job ran takes the record out "
        "of the rules.",
    )

    @api.model
    def _enqueue(self, records):
        """Queue ``records``, with their owners as saved."""
        return self.create(
            [
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "owner_id": record.user_id.id,
                }
                for record in records
            ]
        )

    def _run(self):
        """Run the rules on the queued records their owners did not change
        since, still open: one run per model."""
        for res_model, entries in self.grouped("res_model").items():
            if res_model not in self.env:
                continue  # its module was uninstalled: nothing to assign
            Model = self.env[res_model]
            owners = {entry.res_id: entry.owner_id for entry in entries}
            records = Model.browse(owners).exists()
            records.filtered(
                lambda record, owners=owners: record.user_id == owners[record.id]
            ).filtered_domain(
                Model._assignment_open_domain()
            )._assignment_apply_queued()
