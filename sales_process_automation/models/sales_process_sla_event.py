# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# the event fields the notified flags of its row follow
NOTIFIED_FLAG_SOURCES = {"history_id", "kind", "skipped"}


class SalesProcessSlaEvent(models.Model):
    """What the SLA sweep did for a stage history row, once each."""

    _name = "sales.process.sla.event"
    _description = "Stage SLA Event"
    _order = "date desc, id desc"

    history_id = fields.Many2one(
        "sales.process.stage.history",
        string="Stage History",
        required=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(
        [
            ("reminder", "Reminder"),
            ("at_risk", "At Risk"),
            ("breach", "Breach"),
        ],
        required=True,
    )
    reminder_id = fields.Many2one(
        "sales.process.sla.reminder", ondelete="set null", index="btree_not_null"
    )
    date = fields.Datetime(required=True)
    skipped = fields.Boolean(
        help="The reminder was due while the record's reminders were off."
    )
    failed = fields.Boolean(
        help="Its notifications or the action on breach failed: the sweep went "
        "on with the other records and does not try it again.",
    )
    error = fields.Text(readonly=True)

    _one_reminder_per_row = models.UniqueIndex(
        "(history_id, reminder_id) WHERE reminder_id IS NOT NULL"
    )
    _one_status_change_per_row = models.UniqueIndex(
        "(history_id, kind) WHERE kind != 'reminder'"
    )

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events.history_id._refresh_sla_notified_flags(events.history_id.ids)
        return events

    def write(self, vals):
        rows = self.history_id if NOTIFIED_FLAG_SOURCES & vals.keys() else None
        result = super().write(vals)
        if rows is not None:
            rows._refresh_sla_notified_flags((rows | self.history_id).ids)
        return result

    def unlink(self):
        rows = self.history_id
        result = super().unlink()
        rows._refresh_sla_notified_flags(rows.exists().ids)
        return result
