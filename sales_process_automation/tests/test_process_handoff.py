# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestProcessHandoff(SalesProcessCommon):
    """East's process: Capture, Screening, Discovery (mandatory), Proposal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        team = [Command.link(cls.team_east.id)]
        cls.capture = Stage.create(
            {"name": "Capture", "sequence": 101, "team_ids": team}
        )
        cls.screening = Stage.create(
            {"name": "Screening", "sequence": 102, "team_ids": team}
        )
        cls.discovery = Stage.create(
            {
                "name": "Discovery",
                "sequence": 103,
                "team_ids": team,
                "sales_process_mandatory": True,
            }
        )
        cls.proposal = Stage.create(
            {"name": "Proposal", "sequence": 104, "team_ids": team}
        )
        cls.presales = [
            new_test_user(
                cls.env,
                login=f"spa_presales_{index}",
                groups="sales_team.group_sale_salesman",
            )
            for index in range(3)
        ]
        cls.presales_group = cls.env["res.groups"].create(
            {
                "name": "Presales",
                "user_ids": [Command.set([user.id for user in cls.presales])],
            }
        )
        cls.Step = cls.env["sales.process.step"].with_user(cls.process_admin)

    def _step(self, stage, **values):
        return self.Step.create(
            {"team_id": self.team_east.id, "stage_id": stage.id, **values}
        )

    def _lead(self, stage=None):
        return self._create_leads(1, stage_id=(stage or self.capture).id).with_user(
            self.rep_east
        )

    def _handoffs(self, lead, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "in", lead.ids),
                    ("sales_process_handoff", "=", True),
                    ("active", "=", active),
                ]
            )
        )

    @freeze_time("2026-11-16 09:00:00")
    def test_salesperson_owner_gets_the_checklist_and_leaves_it_done(self):
        self._step(
            self.screening,
            owner_type="salesperson",
            checklist="<p>Check budget and authority</p>",
            expected_days=3,
        )
        lead = self._lead()
        self.assertFalse(self._handoffs(lead), "no step for Capture: no hand-off")
        lead.stage_id = self.screening
        handoff = self._handoffs(lead)
        self.assertEqual(handoff.user_id, self.rep_east)
        self.assertIn("Screening", handoff.summary)
        self.assertIn("Check budget and authority", handoff.note)
        self.assertEqual(handoff.date_deadline, date(2026, 11, 19))
        self.assertEqual(self._open_rows(lead).stage_owner_id, self.rep_east)

        lead.stage_id = self.discovery
        self.assertFalse(self._handoffs(lead), "leaving the stage closes the hand-off")
        self.assertEqual(self._handoffs(lead, active=False), handoff, "marked done")
        self.assertFalse(self._open_rows(lead).stage_owner_id)

    def test_team_leader_owner(self):
        self._step(self.screening, owner_type="team_leader")
        lead = self._lead()
        lead.stage_id = self.screening
        self.assertEqual(self._handoffs(lead).user_id, self.director)
        self.assertEqual(self._open_rows(lead).stage_owner_id, self.director)
        lead.stage_id = self.capture
        self.assertFalse(self._handoffs(lead))

    def test_named_user_becomes_responsible_and_gives_the_lead_back(self):
        legal = self.presales[0]
        self._step(
            self.screening, owner_type="user", owner_user_id=legal.id, reassign=True
        )
        lead = self._lead()
        lead.stage_id = self.screening
        self.assertEqual(self._handoffs(lead).user_id, legal)
        self.assertEqual(lead.user_id, legal, "the owner is responsible in the stage")
        self.assertEqual(self._open_rows(lead).user_id, legal)
        self.assertEqual(self._open_rows(lead).stage_owner_id, legal)
        lead.with_user(legal).stage_id = self.discovery
        self.assertEqual(lead.user_id, self.rep_east, "given back on leaving")
        self.assertFalse(self._handoffs(lead))

    def test_group_round_robin(self):
        self._step(
            self.screening,
            owner_type="group",
            owner_group_id=self.presales_group.id,
            group_method="round_robin",
        )
        leads = self._create_leads(2, stage_id=self.capture.id)
        leads.with_user(self.rep_east).stage_id = self.screening
        lead = self._lead()
        lead.stage_id = self.screening
        another = self._lead()
        another.stage_id = self.screening
        owners = [self._handoffs(record).user_id for record in (*leads, lead, another)]
        self.assertEqual(owners, [*self.presales, self.presales[0]])
        lead.stage_id = self.discovery
        self.assertFalse(self._handoffs(lead))

    def test_group_least_load(self):
        self._step(
            self.screening,
            owner_type="group",
            owner_group_id=self.presales_group.id,
            group_method="least_load",
        )
        busy = self._create_leads(2, stage_id=self.capture.id)
        busy.with_user(self.rep_east).stage_id = self.screening
        self.assertEqual(
            self._handoffs(busy).user_id, self.presales[0] | self.presales[1]
        )
        lead = self._lead()
        lead.stage_id = self.screening
        self.assertEqual(self._handoffs(lead).user_id, self.presales[2], "least loaded")
        busy[1].with_user(self.rep_east).stage_id = self.discovery
        lead = self._lead()
        lead.stage_id = self.screening
        self.assertEqual(self._handoffs(lead).user_id, self.presales[1], "freed")

    def _owners_of_moved_leads(self, count):
        """The owners of ``count`` leads the rep moves one by one into a
        round-robin presales stage."""
        owners = []
        for _index in range(count):
            lead = self._lead()
            lead.stage_id = self.screening
            owners.append(self._handoffs(lead).user_id)
        return owners

    def test_group_member_added_in_the_group_form_gets_the_next_turn(self):
        self._step(
            self.screening, owner_type="group", owner_group_id=self.presales_group.id
        )
        # the members are cached by the first hand-offs
        self.assertEqual(self._owners_of_moved_leads(3), self.presales)
        newcomer = new_test_user(
            self.env, login="spa_presales_new", groups="sales_team.group_sale_salesman"
        )
        with Form(self.presales_group) as group_form:
            group_form.user_ids.add(newcomer)
        self.assertEqual(self._owners_of_moved_leads(2), [newcomer, self.presales[0]])

    def test_new_user_of_the_group_gets_the_next_turn(self):
        self._step(
            self.screening, owner_type="group", owner_group_id=self.presales_group.id
        )
        self.assertEqual(self._owners_of_moved_leads(3), self.presales)
        newcomer = self.env["res.users"].create(
            {
                "name": "New Presales",
                "login": "spa_presales_created",
                "group_ids": [
                    Command.link(self.env.ref("sales_team.group_sale_salesman").id),
                    Command.link(self.presales_group.id),
                ],
            }
        )
        self.assertEqual(self._owners_of_moved_leads(1), [newcomer])

    def test_member_of_an_implying_group_gets_a_turn(self):
        self._step(
            self.screening,
            owner_type="group",
            owner_group_id=self.presales_group.id,
            group_method="least_load",
        )
        lead_presales = new_test_user(
            self.env, login="spa_presales_lead", groups="sales_team.group_sale_salesman"
        )
        self.assertEqual(self._owners_of_moved_leads(1), self.presales[:1])
        # new groups implying the owner group bring their users to it
        presales_leads = self.env["res.groups"].create(
            {
                "name": "Presales Leads",
                "implied_ids": [Command.link(self.presales_group.id)],
            }
        )
        self.env["res.groups"].create(
            {
                "name": "Presales Heads",
                "implied_ids": [Command.link(presales_leads.id)],
                "user_ids": [Command.link(lead_presales.id)],
            }
        )
        self.assertEqual(
            self._owners_of_moved_leads(3), [*self.presales[1:], lead_presales]
        )
        # the group in between deleted, the user is no longer a member
        presales_leads.unlink()
        self.assertEqual(self._owners_of_moved_leads(3), self.presales)

    def test_archived_member_gets_no_more_turns(self):
        self._step(
            self.screening, owner_type="group", owner_group_id=self.presales_group.id
        )
        self.assertEqual(self._owners_of_moved_leads(1), self.presales[:1])
        self.presales[1].action_archive()
        self.assertEqual(
            self._owners_of_moved_leads(2), [self.presales[2], self.presales[0]]
        )

    def test_group_member_moving_the_lead_keeps_the_turns(self):
        """A presales member moves a lead they can read (as its salesperson):
        the turn goes on from the last owner."""
        self._step(
            self.screening, owner_type="group", owner_group_id=self.presales_group.id
        )
        self.assertEqual(self._owners_of_moved_leads(1), self.presales[:1])
        member = self.presales[2]
        lead = self._create_leads(1, stage_id=self.capture.id, user_id=member.id)
        lead.with_user(member).stage_id = self.screening
        self.assertEqual(self._handoffs(lead).user_id, self.presales[1])
        self.assertEqual(self._owners_of_moved_leads(1), self.presales[2:])

    @freeze_time("2026-11-16 09:00:00")
    def test_deadline_is_the_sla_deadline(self):
        self._step(self.screening, owner_type="team_leader", expected_days=10)
        self.env["sales.process.sla.policy"].create(
            {
                "name": "Screening within 2 days",
                "res_model": "crm.lead",
                "crm_stage_id": self.screening.id,
                "duration": 2,
                "team_ids": [Command.link(self.team_east.id)],
            }
        )
        lead = self._lead()
        lead.stage_id = self.screening
        self.assertEqual(
            self._handoffs(lead).date_deadline,
            lead.sales_process_sla_deadline.date(),
        )
        self.assertLess(self._handoffs(lead).date_deadline, date(2026, 11, 26))

    def test_group_owner_with_own_documents_works_on_the_lead_handed_over(self):
        """A presales member who reads only his own leads opens the lead the
        step hands him, says its stage is done, and no longer sees it once the
        stage is no longer his."""
        self._step(self.capture)
        self._step(
            self.screening, owner_type="group", owner_group_id=self.presales_group.id
        )
        self._step(self.discovery)
        lead = self._lead()
        presales = self.presales[0]
        as_presales = lead.with_user(presales)
        with self.assertRaises(AccessError):
            as_presales.check_access("read")
        lead.action_sales_process_stage_done()
        self.assertEqual(self._handoffs(lead).user_id, presales)
        self.assertEqual(as_presales.name, lead.name)
        self.assertEqual(
            self.env["sales.process.stage.history"]
            .with_user(presales)
            .search([("lead_id", "=", lead.id)]),
            self._open_rows(lead),
            "the row of his stage, not the earlier ones",
        )
        self.assertIn(as_presales, as_presales.search([("id", "=", lead.id)]))
        with self.assertRaises(AccessError):
            as_presales.unlink()
        as_presales.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.discovery)
        as_presales.invalidate_recordset()
        with self.assertRaises(AccessError):
            as_presales.check_access("read")

    def test_stage_done_follows_the_team_process(self):
        for stage in (self.capture, self.screening, self.discovery, self.proposal):
            self._step(stage)
        lead = self._lead()
        lead.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.screening)
        self.assertEqual(self._handoffs(lead).user_id, self.rep_east)
        lead.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.discovery, "the mandatory stage is next")
        self.assertFalse(lead.sales_process_stage_skip_request_id)
        lead.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.proposal)
        with self.assertRaisesRegex(UserError, "last stage"):
            lead.action_sales_process_stage_done()

    def test_stage_done_past_a_mandatory_stage_waits_for_approval(self):
        # the team's process leaves Discovery out: the move skips it
        for stage in (self.capture, self.screening, self.proposal):
            self._step(stage)
        lead = self._lead(self.screening)
        lead.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.screening, "held")
        request = lead.sales_process_stage_skip_request_id
        self.assertEqual(request.to_stage_id, self.proposal)
        self.assertEqual(request.skipped_stage_ids, self.discovery)

    def test_stage_done_without_steps_uses_the_team_stages(self):
        lead = self._lead()
        lead.action_sales_process_stage_done()
        self.assertEqual(lead.stage_id, self.screening)
        self.assertFalse(self._handoffs(lead))
