# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import metrics

DIGEST_MANAGER_BATCH = 50
DIGEST_ROWS_LIMIT = 500


class SalesProcessSlaDigest(models.Model):
    """The daily summary of breached and at-risk records sent to a manager."""

    _name = "sales.process.sla.digest"
    _description = "Stage SLA Digest"
    _order = "date desc, id desc"

    user_id = fields.Many2one(
        "res.users", string="Manager", required=True, index=True, ondelete="cascade"
    )
    date = fields.Date(required=True)
    history_ids = fields.Many2many(
        "sales.process.stage.history", string="Records Listed"
    )
    breached_count = fields.Integer(compute="_compute_counts")
    at_risk_count = fields.Integer(compute="_compute_counts")

    _one_digest_per_day = models.UniqueIndex("(user_id, date)")

    @api.depends("history_ids.sla_status")
    def _compute_counts(self):
        for digest in self:
            statuses = digest.history_ids.mapped("sla_status")
            digest.breached_count = statuses.count("breached")
            digest.at_risk_count = statuses.count("at_risk")

    def _rows_by_rep(self):
        """The listed rows grouped by owner, breached first: for the email."""
        self.ensure_one()
        rows = self.history_ids.sorted(
            lambda row: (
                row.user_id.name or "",
                row.sla_status != "breached",
                row.date_deadline,
            )
        )
        return list(rows.grouped("user_id").items())

    @api.model
    def _watched_domain(self):
        return metrics.OPEN_AT_RISK_OR_BREACH

    @api.model
    def _digest_readers(self, watched):
        """Who reads the digest besides team leaders, and the rows they read:
        the digest users of the companies and teams, and the escalation users
        of the policies (a sales director) where breaches are not mailed one by
        one. ``{user: Domain}``"""
        History = self.env["sales.process.stage.history"]
        domains = {}

        def add(users, domain):
            for user in users.filtered(lambda user: user.active and not user.share):
                domains[user] = domains.get(user, Domain.FALSE) | domain

        for company, team, policy in History._read_group(
            watched, ["company_id", "team_id", "sla_policy_id"]
        ):
            settings = (company or self.env.company)._sales_process_notification_policy(
                team
            )
            rows = Domain("company_id", "=", company.id) & Domain(
                "team_id", "=", team.id
            )
            add(settings["digest_users"], rows)
            if not settings["breach_notify_managers"]:
                # no mail on each breach: the digest tells them instead
                add(
                    policy.escalation_user_ids,
                    rows & Domain("sla_policy_id", "=", policy.id),
                )
        return domains

    @api.model
    def _cron_send_digests(self):
        """One email a day to each team leader whose teams have something to say.

        Managers who got today's digest are skipped, so the job can run again.
        """
        History = self.env["sales.process.stage.history"]
        today = fields.Date.context_today(self)
        watched = self._watched_domain()
        managers = self.env["res.users"]
        for team_field in ("team_id", "helpdesk_team_id"):
            for (team,) in History._read_group(watched, [team_field]):
                managers |= team.user_id
        readers = self._digest_readers(watched)
        managers |= self.env["res.users"].union(*readers)
        done = self.search(
            [("date", "=", today), ("user_id", "in", managers.ids)]
        ).user_id
        todo = (managers - done).filtered(lambda user: user.active)
        batch = todo[:DIGEST_MANAGER_BATCH]
        template = self.env.ref("sales_process_automation.mail_template_sla_digest")
        digests = self.create(
            [
                {
                    "user_id": manager.id,
                    "date": today,
                    "history_ids": History.search(
                        watched
                        & Domain.OR(
                            [
                                Domain("team_id.user_id", "=", manager.id),
                                Domain("helpdesk_team_id.user_id", "=", manager.id),
                                *(
                                    domain
                                    for user, domain in readers.items()
                                    if user == manager
                                ),
                            ]
                        ),
                        order="date_deadline",
                        limit=DIGEST_ROWS_LIMIT,
                    ).ids,
                }
                for manager in batch
            ]
        )
        # one rendering and one queue insert for the batch, not one per manager
        template.send_mail_batch(digests.ids)
        self.env["ir.cron"]._commit_progress(
            len(batch), remaining=len(todo) - len(batch)
        )
