# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime, timedelta

from odoo.tests import freeze_time, tagged

from . import test_discount_approval
from .common import SalesProcessCommon

MONDAY = datetime(2026, 3, 2, 8, 0)


@tagged("post_install", "-at_install")
class TestOneTruth(SalesProcessCommon):
    """Every figure of one hand-made history, on every screen that shows it.

    Leads of team East (owner: the East rep):

    - A: New, Qualified (breached, left), Proposition, Won.
    - B: New, Qualified, still there and breached.
    - C: New, lost there.
    - D: New, Qualified, back to New, still there.
    - E: New, Qualified, still there and at risk.

    A quotation and a ticket of the East rep are past their deadline now.

    Known answers: entries New 5 (D back in New is no new entry), Qualified 4,
    Proposition 1; conversion New 80 % (4 of 5 decided reached a further
    stage), Qualified 50 % (A went on, D went back; B and E undecided),
    Proposition 100 %. Open breaches: 1 lead, 1 quotation, 1 ticket; breaches
    in history: 2 leads (A, B), 4 in all.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new, cls.qualified, cls.proposition, cls.won = cls.stages[:4]
        cls.policy = cls.env["sales.process.sla.policy"].create(
            {
                "name": "Qualify within a day",
                "res_model": "crm.lead",
                "crm_stage_id": cls.qualified.id,
                "duration": 1,
                "duration_unit": "days",
            }
        )
        cls.leads = cls._create_leads(5)
        for lead, name in zip(cls.leads, "ABCDE", strict=True):
            lead.name = name
        lead_a, lead_b, lead_c, lead_d, lead_e = cls.leads
        lead_a.action_set_won()
        lead_c.action_set_lost()
        breached = {
            "sla_policy_id": cls.policy.id,
            "sla_status": "breached",
            "date_deadline": MONDAY + timedelta(days=2),
        }
        at_risk = {**breached, "sla_status": "at_risk"}
        cls._history(
            lead_a,
            [
                (cls.new, 0, 1),
                (cls.qualified, 1, 3, breached),
                (cls.proposition, 3, 4),
                (cls.won, 4, None),
            ],
        )
        cls._history(lead_b, [(cls.new, 0, 1), (cls.qualified, 1, None, breached)])
        cls._history(lead_c, [(cls.new, 0, None)])
        cls._history(
            lead_d, [(cls.new, 0, 1), (cls.qualified, 1, 2), (cls.new, 2, None)]
        )
        cls._history(lead_e, [(cls.new, 0, 1), (cls.qualified, 1, None, at_risk)])
        cls.order = cls._create_orders(1)
        cls.ticket = cls._create_tickets(1)
        for record in (cls.order, cls.ticket):
            cls.History.search(
                [(record._stage_history_link, "=", record.id), ("date_out", "=", False)]
            ).write(breached)

    @classmethod
    def _history(cls, lead, path):
        """Replace the history of ``lead``: (stage, day in, day out, values)."""
        cls.History.search([("lead_id", "=", lead.id)]).unlink()
        cls.History.create(
            [
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": stage.id,
                    "date_in": MONDAY + timedelta(days=day_in),
                    "date_out": day_out is not None
                    and MONDAY + timedelta(days=day_out),
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "resource_calendar_id": cls.calendar.id,
                    **(extra[0] if extra else {}),
                }
                for stage, day_in, day_out, *extra in path
            ]
        )

    def test_entries_and_conversion_agree_everywhere(self):
        expected = {
            self.new: (5, 80.0),
            self.qualified: (4, 50.0),
            self.proposition: (1, 100.0),
        }
        # funnel analysis, whatever the filters: re-entries carry no conversion
        funnel = {
            stage: (entries, rate)
            for stage, entries, rate in self.env["sales.process.funnel.report"]
            .with_user(self.director)
            ._read_group(
                [("lead_id", "in", self.leads.ids)],
                ["crm_stage_id"],
                ["entry_count:sum", "reached_next_rate:avg"],
            )
        }
        # bottleneck analysis of the team
        bottleneck = {
            row.crm_stage_id: (row.lead_count, row.reached_next_rate)
            for row in self.env["sales.process.bottleneck.report"]
            .with_user(self.director)
            .search([("team_id", "=", self.team_east.id)])
        }
        # the inputs of the pipeline simulation
        with freeze_time("2026-03-31 10:00:00"):
            wizard = (
                self.env["sales.process.pipeline.simulation"]
                .with_user(self.director)
                .create(
                    {
                        "team_id": self.team_east.id,
                        "date_from": date(2026, 3, 1),
                        "date_to": date(2026, 3, 30),
                        "runs": 10,
                    }
                )
            )
            wizard.action_run()
        simulation = {
            line.stage_id: (line.entries, line.conversion)
            for line in wizard.stage_line_ids
        }
        for stage, (entries, rate) in expected.items():
            for screen, figures in (
                ("funnel", funnel),
                ("bottleneck", bottleneck),
                ("simulation", simulation),
            ):
                self.assertEqual(figures[stage][0], entries, f"{screen} {stage.name}")
                self.assertAlmostEqual(
                    figures[stage][1], rate, msg=f"{screen} {stage.name}"
                )
        self.assertEqual(
            sum(line.lost_count for line in wizard.stage_line_ids), 1, "C lost"
        )

    def test_breaches_agree_everywhere(self):
        leads = self.leads
        # the filters and badges of the documents (stored status)
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.rep_east)
            .search([("sales_process_sla_status", "=", "breached")])
            .filtered(lambda lead: lead in leads)
            .mapped("name"),
            ["B"],
        )
        for record in (self.order, self.ticket):
            self.assertEqual(
                record.search_count(
                    [
                        ("id", "=", record.id),
                        ("sales_process_sla_status", "=", "breached"),
                    ]
                ),
                1,
            )
        scope = [
            "|",
            "|",
            ("lead_id", "in", leads.ids),
            ("order_id", "=", self.order.id),
            ("ticket_id", "=", self.ticket.id),
        ]
        # time per stage analysis: open breaches per document type, history
        per_type = {
            res_model: (open_count, count)
            for res_model, open_count, count in self.env[
                "sales.process.stage.time.report"
            ]._read_group(
                scope, ["res_model"], ["open_breach_count:sum", "breach_count:sum"]
            )
        }
        self.assertEqual(
            per_type,
            {"crm.lead": (1, 2), "sale.order": (1, 1), "helpdesk.ticket": (1, 1)},
        )
        # lead analysis (rep performance): the same two figures for leads
        [(open_count, count)] = self.env["sales.process.lead.report"]._read_group(
            [("lead_id", "in", leads.ids)],
            [],
            ["open_breach_count:sum", "breach_count:sum"],
        )
        self.assertEqual((open_count, count), (1, 2))
        # the rep's tiles: my open records at risk or breached, per document
        # type: B and E, the quotation, the ticket; they open the documents
        # (the owner is the test user: the record rules are tested elsewhere)
        Tile = self.env["sales.process.dashboard.tile"]
        self.order.user_id = self.ticket.user_id = self.env.user
        tiles = Tile.search([("role", "=", "rep")])
        for kind, records in (
            ("at_risk_orders", self.order),
            ("at_risk_tickets", self.ticket),
        ):
            tile = tiles.filtered(lambda tile, kind=kind: tile.kind == kind)
            self.assertEqual(tile.value, "1", kind)
            action = tile.action_open()
            self.assertEqual(
                self.env[action["res_model"]].search(action["domain"]), records
            )
        at_risk = Tile.with_user(self.rep_east).search([("kind", "=", "at_risk")])
        self.assertEqual(at_risk.value, "2")
        action = at_risk.action_open()
        self.assertEqual(
            sorted(
                self.env[action["res_model"]]
                .with_user(self.rep_east)
                .search(action["domain"])
                .mapped("name")
            ),
            ["B", "E"],
        )
        # the manager's tile: open breaches of every document type
        admin_tile = Tile.with_user(self.process_admin).search(
            [("kind", "=", "team_breaches")]
        )
        self.assertEqual(
            int(admin_tile.value),
            self.env["sales.process.stage.time.report"].search_count(
                [("open_breach_count", "=", 1)]
            ),
        )
        self.assertGreaterEqual(int(admin_tile.value), 3)

    def test_digest_counts_the_open_breaches_and_says_zero(self):
        """The digest of the East leader lists B and the quotation (open
        breaches of team East) and E (at risk); the subject says "0" too."""
        self.order.team_id = self.team_east
        Digest = self.env["sales.process.sla.digest"]
        with freeze_time("2026-03-31 06:00:00"), self.enter_registry_test_mode():
            self.env.ref(
                "sales_process_automation.ir_cron_sla_digest"
            ).method_direct_trigger()
        digest = Digest.search([("user_id", "=", self.director.id)])
        self.assertEqual((digest.breached_count, digest.at_risk_count), (2, 1))
        template = self.env.ref("sales_process_automation.mail_template_sla_digest")
        self.assertEqual(
            template._render_field("subject", digest.ids)[digest.id],
            "Stage SLAs of your teams: 2 breached, 1 at risk",
        )
        digest.history_ids = digest.history_ids.filtered(
            lambda row: row.sla_status == "breached"
        )
        self.assertEqual(
            template._render_field("subject", digest.ids)[digest.id],
            "Stage SLAs of your teams: 2 breached, 0 at risk",
        )


@tagged("post_install", "-at_install")
class TestBottleneckTie(SalesProcessCommon):
    def test_no_bottleneck_when_all_stages_are_alike(self):
        """Two leads spend one working day in New and in Qualified and both
        reach Proposition: no stage converts worse or holds deals longer."""
        new, qualified, proposition = self.stages[:3]
        leads = self._create_leads(2, team_id=self.team_west.id)
        self.History.search([("lead_id", "in", leads.ids)]).unlink()
        self.History.create(
            [
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": stage.id,
                    "date_in": MONDAY + timedelta(days=day),
                    "date_out": day < 2 and MONDAY + timedelta(days=day + 1),
                    "team_id": self.team_west.id,
                    "company_id": lead.company_id.id,
                    "resource_calendar_id": self.calendar.id,
                }
                for lead in leads
                for day, stage in enumerate((new, qualified, proposition))
            ]
        )
        rows = self.env["sales.process.bottleneck.report"].search(
            [("team_id", "=", self.team_west.id)]
        )
        self.assertEqual(
            rows.filtered(lambda row: row.crm_stage_id in new | qualified).mapped(
                "median_hours"
            ),
            [8.0, 8.0],
        )
        self.assertFalse(rows.filtered("is_slowest"))
        self.assertFalse(rows.filtered("is_leakiest"))
        self.assertFalse(rows.filtered("is_bottleneck"))
        self.assertFalse(any(rows.mapped("advice")))
        # one stage slower than the other: that one is flagged
        self.History.search(
            [("lead_id", "in", leads.ids), ("crm_stage_id", "=", qualified.id)]
        ).write({"working_hours": 16.0})
        self.env.invalidate_all()
        slowest = rows.search(
            [("team_id", "=", self.team_west.id), ("is_slowest", "=", True)]
        )
        self.assertEqual(slowest.crm_stage_id, qualified)
        self.assertEqual(slowest.bottleneck_badge, "Holds deals longest")


@tagged("post_install", "-at_install")
class TestApprovalTiles(test_discount_approval.DiscountApprovalCommon):
    def test_discounts_to_approve_open_the_quotations(self):
        """The team leader's tile counts the quotation waiting for them and
        opens the quotation, not the review rows of the tier engine."""
        order = self._quotation((self.chair, 2, 15.0))
        order.request_validation()
        Tile = self.env["sales.process.dashboard.tile"].with_user(self.director)
        tile = Tile.search([("kind", "=", "approvals")])
        self.assertEqual(tile.value, "1")
        action = tile.action_open()
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(
            self.env["sale.order"].with_user(self.director).search(action["domain"]),
            order,
        )
        order.with_user(self.director).validate_tier()
        tile.invalidate_recordset()
        self.assertEqual(tile.value, "0")
