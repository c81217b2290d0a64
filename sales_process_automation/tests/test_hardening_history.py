# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import sql

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestHardeningHistory(SalesProcessCommon):
    """Stage SLAs and history rows stay right when their configuration or their
    record changes. The office calendar works Monday to Friday, 8:00-12:00 and
    13:00-17:00 UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_proposal_sla()

    # item 12: a policy whose condition became invalid
    def test_policy_with_a_condition_now_invalid_is_skipped_and_flagged(self):
        broken = self.Policy.create(
            {
                "name": "Key accounts",
                "res_model": "crm.lead",
                "crm_stage_id": self.proposition.id,
                "duration": 1,
                "domain": "[('priority', '=', '3')]",
            }
        )
        self.env.cr.execute(
            "UPDATE sales_process_sla_policy SET domain = %s WHERE id = %s",
            ["[('x_removed_field', '=', 1)]", broken.id],
        )
        broken.invalidate_recordset()
        lead = self._create_leads(1).with_user(self.rep_east)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self.assertEqual(lead.sales_process_sla_policy_id, self.proposal_policy)
        self.assertIn("x_removed_field", broken.domain_error)
        self.assertTrue(
            broken.message_ids.filtered(
                lambda message: (
                    self.process_admin.partner_id in message.partner_ids
                    and "Key accounts" in message.body
                )
            )
        )

    # item 20: stages the history or a policy refers to are not deleted
    def test_stages_in_use_cannot_be_deleted(self):
        lead = self._create_leads(1)
        self._enter(lead, self.stages[1], "2026-11-16 09:00:00")
        for stage in (self.stages[1], self.proposition):
            with self.assertRaises(UserError) as refused:
                stage.unlink()
            self.assertIn("Fold the stage", str(refused.exception))
        self.assertIn(self.stages[1], self._rows(lead).crm_stage_id)
        unused = self.env["crm.stage"].create({"name": "Unused", "sequence": 99})
        unused.unlink()
        self.assertFalse(unused.exists())
        ticket = self._create_tickets(1)
        ticket_stage = ticket.stage_id
        with self.assertRaises(UserError) as refused:
            ticket_stage.unlink()
        self.assertIn("Archive the stage", str(refused.exception))
        self.assertEqual(self._rows(ticket).ticket_stage_id, ticket_stage)

    # item 16: a breach is escalated once, pause or not
    def test_breach_is_not_escalated_again_after_a_pause(self):
        waiting = self.env["crm.stage"].create({"name": "Waiting for customer"})
        self.proposal_policy.pause_crm_stage_ids = waiting
        with freeze_time("2026-11-16 08:00:00"):
            lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self._sweep("2026-11-24 09:00:00")
        self.assertEqual(lead.sales_process_sla_status, "breached")
        breaches = self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("summary", "ilike", "SLA breached"),
            ]
        )
        self.assertTrue(breaches)
        self._enter(lead, waiting, "2026-11-24 10:00:00")
        self.assertFalse(breaches.exists(), "the escalation left with the stage")
        self._enter(lead, self.proposition, "2026-11-25 10:00:00")
        self.assertEqual(lead.sales_process_sla_status, "breached", "still breached")
        self._sweep("2026-11-25 11:00:00")
        self.assertFalse(
            breaches.search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("summary", "ilike", "SLA breached"),
                ]
            ),
            "escalated once",
        )
        self.assertEqual(lead.sales_process_sla_status, "breached")

    # item 19: the open row follows its record
    def test_open_row_follows_a_new_owner_and_team(self):
        west_policy = self.Policy.create(
            {
                "name": "West: proposal within 2 days",
                "res_model": "crm.lead",
                "crm_stage_id": self.proposition.id,
                "team_ids": [Command.link(self.team_west.id)],
                "duration": 2,
            }
        )
        with freeze_time("2026-11-16 08:00:00"):
            lead = self._create_leads(1)
        self._enter(lead, self.proposition, "2026-11-16 09:00:00")
        self.assertEqual(lead.sales_process_sla_policy_id, self.proposal_policy)
        with freeze_time("2026-11-16 10:00:00"):
            lead.with_user(self.director).write(
                {"team_id": self.team_west.id, "user_id": self.rep_west.id}
            )
        row = self._open_rows(lead)
        self.assertEqual(row.crm_stage_id, self.proposition, "no new stage entry")
        self.assertEqual(row.team_id, self.team_west)
        self.assertEqual(row.user_id, self.rep_west)
        self.assertEqual(row.sla_policy_id, west_policy)
        self.assertEqual(lead.sales_process_sla_policy_id, west_policy)
        # the new team's leader reads it in the digest, not the old one
        self.assertFalse(
            self.History.with_user(self.director).search(
                [("id", "=", row.id), ("team_id", "=", self.team_east.id)]
            )
        )
        # an owner of the East team brings the lead back to East (Odoo)
        with freeze_time("2026-11-17 10:00:00"):
            lead.user_id = self.rep_east
        self.assertEqual(lead.team_id, self.team_east)
        self.assertEqual(row.user_id, self.rep_east)
        self.assertEqual(row.team_id, self.team_east)
        self.assertEqual(row.sla_policy_id, self.proposal_policy)

    # item 22: what crons and deletes scan is indexed
    def test_foreign_keys_and_pending_first_contacts_are_indexed(self):
        for index in (
            "sales_process_sla_event__reminder_id_index",
            "sales_process_stage_history__resource_calendar_id_index",
            "sales_process_complex_request__stage_history_id_index",
            "sales_process_contract_chain__policy_id_index",
            "crm_lead_first_contact_pending_index",
            "helpdesk_ticket_first_contact_pending_index",
        ):
            self.assertTrue(sql.index_exists(self.env.cr, index), index)
        for index in (
            "crm_lead__first_contact_deadline_index",
            "helpdesk_ticket__first_contact_deadline_index",
        ):
            self.assertFalse(sql.index_exists(self.env.cr, index), index)
