# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import freeze_time, new_test_user, tagged

from .common import SalesProcessCommon

MONDAY = datetime(2026, 3, 2, 8, 0)


@tagged("post_install", "-at_install")
class TestAnalysis(SalesProcessCommon):
    """Every figure on hand-made stage histories whose answer is known.

    The office hours are Monday to Friday, 8:00-12:00 and 13:00-17:00 UTC.
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
        cls.manager_west = new_test_user(
            cls.env,
            login="spa_manager_west",
            groups="sales_process_automation.group_manager",
        )
        cls.team_west.member_ids = [Command.link(cls.manager_west.id)]
        cls.source_web, cls.source_fair = cls.env["utm.source"].create(
            [{"name": "Website (test)"}, {"name": "Trade fair (test)"}]
        )
        cls.customer_big, cls.customer_small = cls.env["res.partner"].create(
            [{"name": "Big customer"}, {"name": "Small customer"}]
        )

    def _leads(self, names, **values):
        leads = self._create_leads(len(names), **values)
        for lead, name in zip(leads, names, strict=True):
            lead.name = name
        return leads

    def _history(self, lead, path):
        """Replace the history of ``lead`` by ``path``: (stage, date_in, date_out)."""
        self.History.search([("lead_id", "=", lead.id)]).unlink()
        self.History.create(
            [
                {
                    "res_model": "crm.lead",
                    "lead_id": lead.id,
                    "crm_stage_id": stage.id,
                    "date_in": date_in,
                    "date_out": date_out,
                    "state": "done" if date_out else "in_progress",
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "resource_calendar_id": self.calendar.id,
                    **(extra[0] if extra else {}),
                }
                for stage, date_in, date_out, *extra in path
            ]
        )

    def _day(self, days, hours=0):
        return MONDAY + timedelta(days=days, hours=hours)

    def _funnel_by_stage(self, domain):
        Funnel = self.env["sales.process.funnel.report"]
        return {
            stage: (count, rate, lost)
            for stage, count, rate, lost in Funnel._read_group(
                [("first_entry", "=", True), *domain],
                ["crm_stage_id"],
                ["__count", "reached_next_rate:avg", "lost_count:sum"],
            )
        }

    def _make_funnel(self):
        """Five leads of team East, their paths known.

        A: New, Qualified, Proposition, Won.   B: New, Qualified, lost there.
        C: New, lost there.                    D: New, still there.
        E: New, Qualified, back to New, still there.
        """
        lead_a, lead_b, lead_c, lead_d, lead_e = leads = self._leads("ABCDE")
        lead_a.action_set_won()
        (lead_b | lead_c).action_set_lost()
        day = self._day
        self._history(
            lead_a,
            [
                (self.new, day(0), day(1)),
                (self.qualified, day(1), day(2)),
                (self.proposition, day(2), day(4)),
                (self.won, day(4), None),
            ],
        )
        self._history(
            lead_b, [(self.new, day(0), day(1)), (self.qualified, day(1), None)]
        )
        self._history(lead_c, [(self.new, day(0), None)])
        self._history(lead_d, [(self.new, day(0), None)])
        self._history(
            lead_e,
            [
                (self.new, day(0), day(1)),
                (self.qualified, day(1), day(2)),
                (self.new, day(2), None),
            ],
        )
        return leads

    def test_funnel_shares(self):
        leads = self._make_funnel()
        funnel = self._funnel_by_stage([("lead_id", "in", leads.ids)])
        # New: A, B, E went further, C was lost there, D is still there
        self.assertEqual(funnel[self.new][0], 5)
        self.assertAlmostEqual(funnel[self.new][1], 75.0)
        self.assertEqual(funnel[self.new][2], 1)
        # Qualified: A went further, B was lost there, E went back
        self.assertEqual(funnel[self.qualified][0], 3)
        self.assertAlmostEqual(funnel[self.qualified][1], 100 / 3)
        self.assertEqual(funnel[self.qualified][2], 1)
        self.assertAlmostEqual(funnel[self.proposition][1], 100.0)
        # a won stage has no next stage
        self.assertEqual(funnel[self.won][0], 1)
        self.assertFalse(funnel[self.won][1])
        # E entered New twice: one lead, two entries
        entries = self.env["sales.process.funnel.report"].search(
            [("lead_id", "=", leads[4].id), ("crm_stage_id", "=", self.new.id)],
            order="date_in",
        )
        self.assertEqual(entries.mapped("first_entry"), [True, False])
        self.assertEqual(entries.mapped("outcome"), ["advanced", "open"])

    def test_funnel_per_source_and_rep(self):
        leads = self._make_funnel()
        leads[:2].source_id = self.source_web
        funnel = self._funnel_by_stage(
            [("lead_id", "in", leads.ids), ("source_id", "=", self.source_web.id)]
        )
        self.assertAlmostEqual(funnel[self.new][1], 100.0)
        self.assertAlmostEqual(funnel[self.qualified][1], 50.0)
        self.assertFalse(
            self._funnel_by_stage(
                [("lead_id", "in", leads.ids), ("user_id", "=", self.rep_west.id)]
            )
        )

    def _make_times(self):
        """Five stays in Qualified, in working hours 1, 2, 3, 4 and 10."""
        leads = self._leads("VWXYZ")
        day = self._day
        breached = {
            "sla_policy_id": self.policy.id,
            "sla_status": "breached",
        }
        on_track = {"sla_policy_id": self.policy.id, "sla_status": "on_track"}
        stays = [
            (day(0), day(0, 1), on_track),  # 1 h
            (day(0), day(0, 2), on_track),  # 2 h
            # Friday 16:00 to Monday 10:00: 1 h + 2 h, not 66 h
            (day(4, 8), day(7, 2), breached),
            # over lunch: 8:00 to 13:00 is 4 working hours
            (day(1), day(1, 5), {}),
            (day(0), day(1, 2), breached),  # 8 h + 2 h
        ]
        for lead, (date_in, date_out, extra) in zip(leads, stays, strict=True):
            self._history(
                lead,
                [
                    (self.qualified, date_in, date_out, extra),
                    (self.proposition, date_out, None),
                ],
            )
        return leads

    def test_time_per_stage_in_working_hours(self):
        leads = self._make_times()
        Time = self.env["sales.process.stage.time.report"]
        [(count, average, median, p90, breach_rate, breaches)] = Time._read_group(
            [("lead_id", "in", leads.ids), ("crm_stage_id", "=", self.qualified.id)],
            [],
            [
                "__count",
                "working_hours:avg",
                "median_hours:avg",
                "p90_hours:avg",
                "breach_rate:avg",
                "breach_count:sum",
            ],
        )
        self.assertEqual(count, 5)
        self.assertAlmostEqual(average, 4.0)
        self.assertAlmostEqual(median, 3.0)
        # 90th percentile, interpolated: 4 + 0.6 * (10 - 4)
        self.assertAlmostEqual(p90, 7.6)
        # four stays were under the SLA, two of them breached it
        self.assertAlmostEqual(breach_rate, 50.0)
        self.assertEqual(breaches, 2)
        # the same breaches per lead, in the lead analysis
        [(lead_breaches,)] = self.env["sales.process.lead.report"]._read_group(
            [("lead_id", "in", leads.ids)], [], ["breach_count:sum"]
        )
        self.assertEqual(lead_breaches, 2)
        # the stages still open do not count in the times
        [(open_median,)] = Time._read_group(
            [("lead_id", "in", leads.ids), ("crm_stage_id", "=", self.proposition.id)],
            [],
            ["median_hours:avg"],
        )
        self.assertFalse(open_median)

    def test_median_is_exact_per_group(self):
        leads = self._make_times()
        leads[:2].user_id = self.rep_west
        self.History.search([("lead_id", "in", leads[:2].ids)]).user_id = self.rep_west
        Time = self.env["sales.process.stage.time.report"]
        medians = dict(
            Time._read_group(
                [
                    ("lead_id", "in", leads.ids),
                    ("crm_stage_id", "=", self.qualified.id),
                ],
                ["user_id"],
                ["median_hours:avg"],
            )
        )
        self.assertAlmostEqual(medians[self.rep_west], 1.5)
        self.assertAlmostEqual(medians[self.rep_east], 4.0)

    def test_bottleneck_choice(self):
        self._make_funnel()
        rows = self.env["sales.process.bottleneck.report"].search(
            [("team_id", "=", self.team_east.id)]
        )
        leakiest = rows.filtered("is_leakiest")
        self.assertEqual(leakiest.crm_stage_id, self.qualified)
        self.assertIn("Qualified converts badly: only 33%", leakiest.advice)
        # A went on, B was lost, E went back: 3 decided; A and E left it
        self.assertEqual((leakiest.decided_count, leakiest.left_count), (3, 2))
        action = leakiest.action_open_entries()
        entries = self.env[action["res_model"]].search(
            [*action["domain"], ("first_entry", "=", True)]
        )
        self.assertEqual(sorted(entries.lead_id.mapped("name")), ["A", "B", "E"])
        # stays left in New and Qualified took 8 working hours, in Proposition 16
        slowest = rows.filtered("is_slowest")
        self.assertEqual(slowest.crm_stage_id, self.proposition)
        self.assertAlmostEqual(slowest.median_hours, 16.0)
        self.assertIn("Proposition holds deals longest", slowest.advice)
        self.assertEqual(
            rows.filtered("is_bottleneck").crm_stage_id,
            self.qualified | self.proposition,
        )

    def test_bottleneck_agrees_with_the_funnel(self):
        """The bottleneck view counts the stage rows on its own: each of its
        figures equals the funnel's for the same team and stage."""
        self._make_funnel()
        Funnel = self.env["sales.process.funnel.report"]
        rows = self.env["sales.process.bottleneck.report"].search(
            [("team_id", "=", self.team_east.id)]
        )
        self.assertEqual(len(rows), 4)
        for row in rows:
            domain = [
                ("team_id", "=", row.team_id.id),
                ("crm_stage_id", "=", row.crm_stage_id.id),
            ]
            [(entries, decided, rate)] = Funnel._read_group(
                [*domain, ("first_entry", "=", True)],
                [],
                ["__count", "reached_next_rate:count", "reached_next_rate:avg"],
            )
            [(lost, hours)] = Funnel._read_group(
                domain, [], ["lost_count:sum", "working_hours:count"]
            )
            self.assertEqual(
                (row.lead_count, row.decided_count, row.lost_count, row.left_count),
                (entries, decided, lost, hours),
                row.crm_stage_id.name,
            )
            self.assertAlmostEqual(row.reached_next_rate, rate or 0.0)

    def test_stalled_definition(self):
        lead, other = self._leads(["Quiet", "Busy"])
        (lead | other).date_last_stage_update = datetime(2026, 3, 2, 9, 0)
        self.env.company.sales_process_stalled_days = 14
        Lead = self.env["crm.lead"]
        domain = [
            ("id", "in", (lead | other).ids),
            ("sales_process_stalled", "=", True),
        ]
        with freeze_time("2026-03-10 09:00:00"):
            self.assertFalse(Lead.search(domain))
        with freeze_time("2026-03-20 09:00:00"):
            self.assertEqual(Lead.search(domain), lead | other)
            # an activity planned in the last 14 days keeps a lead alive
            other.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.to_date("2026-03-10"),
                user_id=self.rep_east.id,
            )
            self.assertEqual(Lead.search(domain), lead)
            self.assertTrue(lead.sales_process_stalled)
            self.assertFalse(other.sales_process_stalled)
            self.assertEqual(
                Lead.search(
                    [
                        ("id", "in", (lead | other).ids),
                        ("sales_process_stalled", "=", False),
                    ]
                ),
                other,
            )
            # each company sets its own delay
            self.env.company.sales_process_stalled_days = 30
            self.assertFalse(Lead.search(domain))
            self.env.company.sales_process_stalled_days = 14
            # a lost lead is not stalled, it is lost
            lead.action_set_lost()
            self.assertFalse(Lead.with_context(active_test=False).search(domain))

    def test_lead_report_sources_customers_stalled(self):
        web = self._leads(["W1", "W2", "W3"], source_id=self.source_web.id)
        fair = self._leads(["F1", "F2"], source_id=self.source_fair.id)
        web[0].write({"partner_id": self.customer_big.id, "expected_revenue": 9000})
        web[1].write({"partner_id": self.customer_small.id, "expected_revenue": 1000})
        fair[0].write({"partner_id": self.customer_big.id, "expected_revenue": 500})
        (web[0] | web[1] | fair[0]).action_set_won()
        web[2].action_set_lost()
        # F2 is open and quiet for 20 days
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = now() - interval '20 days'"
            " WHERE id = %s",
            [fair[1].id],
        )
        Report = self.env["sales.process.lead.report"]
        domain = [("lead_id", "in", (web | fair).ids)]
        by_source = {
            source: (count, rate, revenue)
            for source, count, rate, revenue in Report._read_group(
                domain,
                ["source_id"],
                ["__count", "conversion_rate:avg", "won_revenue:sum"],
            )
        }
        self.assertEqual(by_source[self.source_web][0], 3)
        self.assertAlmostEqual(by_source[self.source_web][1], 200 / 3)
        self.assertAlmostEqual(by_source[self.source_web][2], 10000.0)
        self.assertAlmostEqual(by_source[self.source_fair][1], 100.0)
        customers = Report._read_group(
            [*domain, ("won_status", "=", "won")],
            ["partner_id"],
            ["won_revenue:sum"],
            order="won_revenue:sum desc",
        )
        self.assertEqual(
            customers, [(self.customer_big, 9500.0), (self.customer_small, 1000.0)]
        )
        [(open_count, stalled_rate)] = Report._read_group(
            domain, [], ["open_count:sum", "stalled_rate:avg"]
        )
        self.assertEqual(open_count, 1)
        self.assertAlmostEqual(stalled_rate, 100.0)
        lost = Report.search([*domain, ("won_status", "=", "lost")])
        self.assertEqual(lost.lead_id, web[2])

    def test_ticket_time_per_stage(self):
        tickets = self._create_tickets(3)
        stage_new, stage_progress = self.ticket_stages[:2]
        day = self._day
        self.History.search([("ticket_id", "in", tickets.ids)]).unlink()
        self.History.create(
            [
                {
                    "res_model": "helpdesk.ticket",
                    "ticket_id": ticket.id,
                    "ticket_stage_id": stage_new.id,
                    "helpdesk_team_id": self.helpdesk_team.id,
                    "user_id": self.rep_east.id,
                    "company_id": self.company.id,
                    "resource_calendar_id": self.calendar.id,
                    "date_in": day(0),
                    "date_out": day(0, hours),
                    "state": "done",
                    "sla_policy_id": self.policy.id,
                    "sla_status": status,
                }
                for ticket, hours, status in zip(
                    tickets,
                    [1, 2, 6],
                    ["on_track", "breached", "breached"],
                    strict=True,
                )
            ]
        )
        Time = self.env["sales.process.stage.time.report"]
        [(team, stage, median, breaches)] = Time._read_group(
            [("ticket_id", "in", tickets.ids)],
            ["helpdesk_team_id", "ticket_stage_id"],
            ["median_hours:avg", "breach_count:sum"],
        )
        self.assertEqual((team, stage), (self.helpdesk_team, stage_new))
        self.assertAlmostEqual(median, 2.0)
        self.assertEqual(breaches, 2)
        self.assertNotEqual(stage_new, stage_progress)

    def test_record_rules(self):
        east = self._make_funnel()
        west = self._leads(
            ["West"], team_id=self.team_west.id, user_id=self.rep_west.id
        )
        self._history(west, [(self.new, self._day(0), None)])
        leads = east | west
        for model in (
            "sales.process.funnel.report",
            "sales.process.stage.time.report",
            "sales.process.lead.report",
        ):
            Report = self.env[model]
            domain = [("lead_id", "in", leads.ids)]
            # the director leads East
            self.assertEqual(
                Report.with_user(self.director).search(domain).lead_id, east, model
            )
            # a manager member of West only
            self.assertEqual(
                Report.with_user(self.manager_west).search(domain).lead_id, west, model
            )
            # a rep sees their own records
            self.assertEqual(
                Report.with_user(self.rep_west).search(domain).lead_id, west, model
            )
            self.assertEqual(
                Report.with_user(self.process_admin).search(domain).lead_id,
                leads,
                model,
            )
        Bottleneck = self.env["sales.process.bottleneck.report"]
        teams = self.team_east | self.team_west
        self.assertEqual(
            Bottleneck.with_user(self.director)
            .search([("team_id", "in", teams.ids)])
            .team_id,
            self.team_east,
        )
        self.assertEqual(
            Bottleneck.with_user(self.process_admin)
            .search([("team_id", "in", teams.ids)])
            .team_id,
            teams,
        )

    def test_dashboard_tiles(self):
        self._make_funnel()
        leads = self._make_times()
        self.History.search(
            [("lead_id", "=", leads[0].id), ("date_out", "=", False)]
        ).sla_status = "at_risk"
        Tile = self.env["sales.process.dashboard.tile"]
        rep_tiles = {
            tile.kind: tile
            for tile in Tile.with_user(self.rep_east).search([("role", "=", "rep")])
        }
        self.assertEqual(rep_tiles["at_risk"].value, "1")
        self.assertTrue(rep_tiles["at_risk"].alert)
        action = rep_tiles["at_risk"].action_open()
        # the leads themselves, not rows of a report
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(
            self.env[action["res_model"]]
            .with_user(self.rep_east)
            .search(action["domain"]),
            leads[0],
        )
        manager_tiles = {
            tile.kind: tile
            for tile in Tile.with_user(self.director).search([("role", "=", "manager")])
        }
        self.assertIn("Qualified", manager_tiles["bottleneck"].value)
        self.assertEqual(manager_tiles["approvals"].value, "0")
