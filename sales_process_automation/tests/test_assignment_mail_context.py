# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon

# what the web client and RPC create with: tracking, logs and subscriptions on
MAIL_ON = {
    "tracking_disable": False,
    "mail_create_nolog": False,
    "mail_create_nosubscribe": False,
    "mail_notrack": False,
}


@tagged("post_install", "-at_install")
class TestAssignmentMailContext(SalesProcessCommon):
    """Assignment on create with chatter on, as users create records.

    The rules run in the request of users who read all leads; those of reps
    who read only their own leads run in the backlog job
    (test_hardening_assignment)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep_east.group_ids = [
            Command.link(cls.env.ref("sales_team.group_sale_salesman_all_leads").id)
        ]

    def _rule(self, user):
        return self.env["sales.process.assignment.rule"].create(
            {
                "name": "Walk-ins",
                "team_id": self.team_east.id,
                "method": "round_robin",
                "member_ids": [Command.create({"user_id": user.id})],
            }
        )

    def test_rule_gives_the_lead_to_the_rep_who_creates_it(self):
        rule = self._rule(self.rep_east)
        with freeze_time("2026-11-16 09:00:00"):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .with_context(**MAIL_ON)
                .create({"name": "Walk-in", "user_id": False})
            )
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertEqual(lead.user_id, self.rep_east)
        self.assertEqual(
            lead.message_follower_ids.partner_id.filtered(
                lambda partner: partner == self.rep_east.partner_id
            ),
            self.rep_east.partner_id,
        )

    def test_rule_gives_the_lead_to_another_rep(self):
        other_rep = new_test_user(
            self.env, login="spa_rep_walk_in", groups="sales_team.group_sale_salesman"
        )
        self._rule(other_rep)
        with freeze_time("2026-11-16 09:00:00"):
            lead = (
                self.env["crm.lead"]
                .with_user(self.rep_east)
                .with_context(**MAIL_ON)
                .create({"name": "Walk-in", "user_id": False})
            )
        self.assertEqual(lead.sudo().user_id, other_rep)
        self.assertIn(other_rep.partner_id, lead.sudo().message_partner_ids)
