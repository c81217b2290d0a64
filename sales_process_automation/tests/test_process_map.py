# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
class TestProcessMap(SalesProcessCommon):
    """East's process: Map Intake (the salesperson's), Map Proposal (the team
    leader's, within 2 working days) and Map Won (the administrator's), with a
    history made by hand in March 2026 (times in working hours):

    ====  ======  ======  ========  ======================
    lead  rep     Intake  Proposal  now
    ====  ======  ======  ========  ======================
    L1    east    4       10        in Map Won
    L2    east    6       20        in Map Won
    L3    east    8       -         in Map Proposal, breached
    L4    second  10      -         in Map Proposal
    L5    second  -       -         lost in Map Intake
    L6    second  -       -         in Map Intake
    ====  ======  ======  ========  ======================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep_second = new_test_user(
            cls.env, login="spa_map_rep_second", groups="sales_team.group_sale_salesman"
        )
        cls.team_east.member_ids = [Command.link(cls.rep_second.id)]
        Stage = cls.env["crm.stage"]
        team = [Command.link(cls.team_east.id)]
        cls.intake, cls.proposal, cls.won = Stage.create(
            [
                {"name": "Map Intake", "sequence": 201, "team_ids": team},
                {"name": "Map Proposal", "sequence": 202, "team_ids": team},
                {"name": "Map Won", "sequence": 203, "team_ids": team, "is_won": True},
            ]
        )
        cls.env["sales.process.step"].create(
            [
                {
                    "team_id": cls.team_east.id,
                    "stage_id": cls.intake.id,
                    "owner_type": "salesperson",
                    "expected_days": 1,
                },
                {
                    "team_id": cls.team_east.id,
                    "stage_id": cls.proposal.id,
                    "owner_type": "team_leader",
                },
                {
                    "team_id": cls.team_east.id,
                    "stage_id": cls.won.id,
                    "owner_type": "user",
                    "owner_user_id": cls.process_admin.id,
                },
            ]
        )
        Policy = cls.env["sales.process.sla.policy"]
        Policy.search([]).action_archive()
        cls.proposal_policy = Policy.create(
            {
                "name": "Proposal within 2 days",
                "res_model": "crm.lead",
                "crm_stage_id": cls.proposal.id,
                "team_ids": [Command.link(cls.team_east.id)],
                "duration": 2,
            }
        )
        east, second = cls.rep_east, cls.rep_second
        paths = [
            (east, [(cls.intake, 4), (cls.proposal, 10), (cls.won, None)]),
            (east, [(cls.intake, 6), (cls.proposal, 20), (cls.won, None)]),
            (east, [(cls.intake, 8), (cls.proposal, None)]),
            (second, [(cls.intake, 10), (cls.proposal, None)]),
            (second, [(cls.intake, None)]),
            (second, [(cls.intake, None)]),
        ]
        cls.leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"L{index + 1}",
                    "type": "opportunity",
                    "team_id": cls.team_east.id,
                    "user_id": user.id,
                    "stage_id": path[-1][0].id,
                    # won: set, not left to a default (beside OCA's
                    # crm_stage_probability a lead takes a stage's probability)
                    **({"probability": 100} if path[-1][0].is_won else {}),
                }
                for index, (user, path) in enumerate(paths)
            ]
        )
        cls.leads[4].action_set_lost()
        cls.History.search([("lead_id", "in", cls.leads.ids)]).unlink()
        start = datetime(2026, 3, 2, 8, 0)
        rows = []
        for index, (lead, (user, path)) in enumerate(
            zip(cls.leads, paths, strict=True)
        ):
            for step, (stage, hours) in enumerate(path):
                date_in = start + timedelta(days=index, hours=step * 24)
                rows.append(
                    {
                        "res_model": "crm.lead",
                        "lead_id": lead.id,
                        "crm_stage_id": stage.id,
                        "team_id": cls.team_east.id,
                        "user_id": user.id,
                        "company_id": lead.company_id.id,
                        "date_in": date_in,
                        "date_out": hours is not None and date_in + timedelta(days=1),
                        "working_hours": hours or 0.0,
                        "state": "done" if hours is not None else "in_progress",
                    }
                )
        cls.rows = cls.History.create(rows)
        breached = cls.rows.filtered(
            lambda row: row.lead_id == cls.leads[2] and row.crm_stage_id == cls.proposal
        )
        breached.write(
            {"sla_policy_id": cls.proposal_policy.id, "sla_status": "breached"}
        )

    def _map(self, user, **kwargs):
        data = self.team_east.with_user(user).sales_process_map(**kwargs)
        return data, {box["name"]: box for box in data["stages"]}

    def test_team_leader_sees_the_whole_team(self):
        data, boxes = self._map(self.director)
        self.assertEqual(
            [box["name"] for box in data["stages"]],
            ["Map Intake", "Map Proposal", "Map Won"],
        )
        intake, proposal, won = (
            boxes[name] for name in ("Map Intake", "Map Proposal", "Map Won")
        )
        # owners, from the steps
        self.assertEqual(intake["owner"], "Salesperson of the record")
        self.assertEqual(proposal["owner"], f"Team leader ({self.director.name})")
        self.assertEqual(won["owner"], self.process_admin.name)
        # expected: the SLA policy, else the step's duration
        self.assertEqual(proposal["expected"], "2 working days")
        self.assertEqual(proposal["expected_hours"], 16.0)
        self.assertEqual(proposal["policy"], "Proposal within 2 days")
        self.assertEqual(intake["expected"], "1 working days (expected)")
        self.assertFalse(won["expected"])
        # Intake: 6 entries, 4 stays ended (4, 6, 8, 10 h); 4 went on, L5 was
        # lost there, L6 is still there
        self.assertEqual((intake["entries"], intake["left"]), (6, 4))
        self.assertAlmostEqual(intake["median_hours"], 7.0)
        self.assertAlmostEqual(intake["p90_hours"], 8 + 0.7 * 2)
        self.assertAlmostEqual(intake["conversion"], 80.0)
        self.assertEqual((intake["open_count"], intake["open_breach_count"]), (1, 0))
        # Proposal: 10 and 20 h; both decided leads went on; L3 and L4 there,
        # L3 past its deadline
        self.assertEqual((proposal["entries"], proposal["left"]), (4, 2))
        self.assertAlmostEqual(proposal["median_hours"], 15.0)
        self.assertAlmostEqual(proposal["p90_hours"], 19.0)
        self.assertAlmostEqual(proposal["conversion"], 100.0)
        self.assertEqual(
            (proposal["open_count"], proposal["open_breach_count"]), (2, 1)
        )
        self.assertTrue(proposal["over_expected"])
        # the won stage has no next stage and no time yet
        self.assertIsNone(won["conversion"])
        self.assertIsNone(won["median_hours"])
        self.assertEqual(won["open_count"], 2)
        # the bottlenecks: Intake loses the most deals, Proposal holds them longest
        self.assertEqual(
            {
                name: (box["is_leakiest"], box["is_slowest"])
                for name, box in boxes.items()
            },
            {
                "Map Intake": (True, False),
                "Map Proposal": (False, True),
                "Map Won": (False, False),
            },
        )
        self.assertTrue(intake["is_bottleneck"] and proposal["is_bottleneck"])
        # each box opens the leads it counts
        Lead = self.env["crm.lead"].with_user(self.director)
        for box in data["stages"]:
            self.assertEqual(Lead.search_count(box["domain"]), box["open_count"])

    def test_figures_match_the_bottleneck_analysis(self):
        _data, boxes = self._map(self.director)
        rows = (
            self.env["sales.process.bottleneck.report"]
            .with_user(self.director)
            .search([("team_id", "=", self.team_east.id)])
        )
        for row in rows:
            box = boxes[row.crm_stage_id.name]
            self.assertAlmostEqual(box["median_hours"] or 0.0, row.median_hours)
            self.assertAlmostEqual(box["p90_hours"] or 0.0, row.p90_hours)
            self.assertEqual(box["is_bottleneck"], row.is_bottleneck)

    def test_rep_sees_their_own_records(self):
        _data, boxes = self._map(self.rep_east)
        intake, proposal, won = (
            boxes[name] for name in ("Map Intake", "Map Proposal", "Map Won")
        )
        # L1 to L3 only: 4, 6 and 8 h in Intake, all went on
        self.assertEqual(intake["entries"], 3)
        self.assertAlmostEqual(intake["median_hours"], 6.0)
        self.assertAlmostEqual(intake["p90_hours"], 6 + 0.8 * 2)
        self.assertAlmostEqual(intake["conversion"], 100.0)
        self.assertEqual(intake["open_count"], 0)
        self.assertEqual((proposal["entries"], proposal["open_count"]), (3, 1))
        self.assertEqual(proposal["open_breach_count"], 1)
        self.assertEqual(won["open_count"], 2)
        # among their records, only Proposal is a bottleneck
        self.assertEqual(
            [name for name, box in boxes.items() if box["is_bottleneck"]],
            ["Map Proposal"],
        )

    def test_period(self):
        _data, boxes = self._map(self.director, date_from="2026-04-01")
        proposal = boxes["Map Proposal"]
        # no stay entered since April; what is open now still shows
        self.assertEqual(proposal["entries"], 0)
        self.assertIsNone(proposal["median_hours"])
        self.assertEqual(
            (proposal["open_count"], proposal["open_breach_count"]), (2, 1)
        )

    def test_another_company_sees_nothing(self):
        company_b = self.env["res.company"].create({"name": "Map B"})
        manager_b = new_test_user(
            self.env,
            login="spa_map_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        with self.assertRaises(AccessError):
            self.team_east.with_user(manager_b).sales_process_map()

    def test_action_from_the_team(self):
        action = self.team_east.with_user(self.director).action_sales_process_map()
        self.assertEqual(action["tag"], "sales_process_automation.process_map")
        self.assertEqual(action["params"], {"team_id": self.team_east.id})
