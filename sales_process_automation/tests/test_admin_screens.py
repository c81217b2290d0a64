# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast

from odoo import Command
from odoo.fields import Domain
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import SalesProcessCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-16 09:00:00")
class TestAdminScreens(SalesProcessCommon):
    """Rules and policies as their administrator sees them; Monday 2026-11-16."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.online = cls.env["utm.source"].create({"name": "Online promotion"})
        cls.li = new_test_user(
            cls.env,
            login="spa_screens_li",
            name="Li",
            groups="sales_team.group_sale_salesman",
        )
        cls.team_east.member_ids = [Command.set((cls.rep_east | cls.li).ids)]
        Rule = cls.env["sales.process.assignment.rule"].with_user(cls.process_admin)
        cls.beijing_online = Rule.create(
            {
                "name": "Beijing online",
                "sequence": 10,
                "source_ids": [Command.link(cls.online.id)],
                "cities": "Beijing",
                "team_id": cls.team_east.id,
                "method": "least_load",
            }
        )
        cls.beijing_online.member_ids.filtered(
            lambda member: member.user_id == cls.rep_east
        ).max_open = 1
        cls.beijing = Rule.create(
            {
                "name": "Beijing",
                "sequence": 20,
                "cities": "Beijing, Tianjin",
                "team_id": cls.team_west.id,
            }
        )
        cls.big_deals = Rule.create(
            {
                "name": "Big deals",
                "sequence": 30,
                "domain": "[('expected_revenue', '>=', 50000)]",
                "team_id": cls.team_east.id,
            }
        )
        # the East rep already owns one open lead: at the capacity of the rule
        cls._create_leads(1, name="Open lead of the East rep")

    def _test_wizard(self, rule):
        action = rule.with_user(self.process_admin).action_test_rules()
        return (
            self.env[action["res_model"]]
            .with_user(self.process_admin)
            .browse(action["res_id"])
        )

    def test_typed_record_shows_every_rule_and_why_the_winner_wins(self):
        wizard = self._test_wizard(self.beijing)
        self.assertEqual(wizard.city, "Beijing", "filled with the rule's conditions")
        self.assertEqual(wizard.mode, "typed")
        result = wizard.result
        self.assertIn(f"✗ source: {self.online.display_name}", result)
        self.assertIn("✓ city: Beijing, Tianjin", result)
        self.assertIn("✗ condition: [('expected_revenue', '&gt;=', 50000)]", result)
        self.assertIn(
            "Beijing wins: it comes first in the rules' order (sequence 20) of the "
            "1 rule(s) the record matches (Beijing)",
            result,
        )
        self.assertIn(f"Would go to {self.rep_west.name} in West", result)

        with Form(wizard) as form:
            form.source_id = self.online
            form.other_values = "{'expected_revenue': 80000}"
        result = wizard.result
        self.assertIn(
            "Beijing online wins: it comes first in the rules' order (sequence 10) "
            "of the 3 rule(s) the record matches (Beijing online, Beijing, Big "
            "deals)",
            result,
        )
        self.assertIn(
            "Beijing matches too, but Beijing online comes before it.", result
        )
        self.assertIn("✓ condition: [('expected_revenue', '&gt;=', 50000)]", result)
        # the East rep is at capacity: least load goes to Li
        self.assertIn(
            "Would go to Li in East: least open load among 1 available reps.", result
        )
        self.assertIn(
            "Reps of Beijing online (Least Open Load), before this test", result
        )
        self.assertIn(
            f"<td>{self.rep_east.name}</td><td>yes</td><td>1</td><td>1</td><td>0</td>"
            "<td>1</td>",
            result,
        )
        self.assertIn(
            "<td>Li</td><td>yes</td><td>0</td><td>no limit</td><td>0</td><td>1</td>",
            result,
        )
        self.assertFalse(
            self.env["crm.lead"].search([("name", "=", "Record typed in")]),
            "nothing is created",
        )

    def test_typed_record_kept_by_its_owner_and_bad_values(self):
        wizard = self._test_wizard(self.big_deals)
        with Form(wizard) as form:
            form.city = "Paris"
            form.user_id = self.rep_east
            form.other_values = "{'expected_revenue': 60000}"
        self.assertIn(
            f"Left with {self.rep_east.name}: the record has an owner and the rule "
            "does not reassign; kept by its creator, the chatter says the rule "
            "would give it to the team East.",
            wizard.result,
        )
        with Form(wizard) as form:
            form.other_values = "{'no_such_field': 1}"
        self.assertIn("has no field no_such_field", wizard.result)
        with Form(wizard) as form:
            form.other_values = "expected_revenue = 1"
        self.assertIn("Write a dictionary", wizard.result)
        with Form(wizard) as form:
            form.other_values = False
            form.city = "Lyon"
        self.assertIn(
            "No rule matches: the record keeps its team and owner.", wizard.result
        )
        self.assertIn(
            "Big deals does not match: see the conditions marked ✗.", wizard.result
        )

    def test_existing_records(self):
        leads = (
            self.env["crm.lead"]
            .with_context(sales_process_skip_assignment=True)
            .create(
                [
                    {"name": "In Tianjin", "city": "Tianjin", "user_id": False},
                    {"name": "In Paris", "city": "Paris", "user_id": False},
                ]
            )
        )
        wizard = self._test_wizard(self.beijing)
        with Form(wizard) as form:
            form.mode = "existing"
            form.lead_ids.add(leads[0])
            form.lead_ids.add(leads[1])
        result = wizard.result
        self.assertIn("<h5>In Tianjin</h5>", result)
        self.assertIn(f"Would go to {self.rep_west.name} in West", result)
        self.assertIn("<h5>In Paris</h5>", result)
        self.assertIn("No rule matches", result)
        self.assertFalse(leads.user_id, "nothing is assigned")

    def test_lists_open_ungrouped_and_sum_no_duration(self):
        for xmlid in (
            "sales_process_automation.sales_process_sla_policy_action",
            "sales_process_automation.sales_process_assignment_rule_action",
        ):
            self.assertNotIn("group_by", self.env.ref(xmlid).context)
        for model, fnames in (
            (
                "sales.process.sla.policy",
                ["duration", "at_risk_percent", "specificity", "sequence"],
            ),
            ("sales.process.sla.reminder", ["delay"]),
            ("sales.process.assignment.rule", ["first_contact_hours", "sequence"]),
            ("sales.process.assignment.member", ["weight", "max_open"]),
            ("sales.process.step", ["expected_days"]),
        ):
            described = (
                self.env[model]
                .with_user(self.process_admin)
                .fields_get(fnames, attributes=["aggregator"])
            )
            self.assertEqual(
                {fname: described[fname].get("aggregator") for fname in fnames},
                dict.fromkeys(fnames),
                model,
            )

    def test_rule_count_is_within_its_other_conditions(self):
        self._create_leads(2, city="Xining")
        self._create_leads(1, city="Lhasa", expected_revenue=90000)
        self._create_leads(1, city="Paris", expected_revenue=90000)
        big_deals_in_the_west = self.beijing.copy(
            {
                "name": "Big deals in Xining and Lhasa",
                "cities": "Xining, Lhasa",
                "domain": "[('expected_revenue', '>', 0)]",
            }
        )
        Lead = self.env["crm.lead"].with_user(self.process_admin)
        scope = Domain(ast.literal_eval(big_deals_in_the_west.scope_domain))
        self.assertEqual(Lead.search_count(scope), 3, "in Xining or Lhasa")
        self.assertEqual(
            Lead.search_count(scope & big_deals_in_the_west._extra_domain()), 1
        )


@tagged("post_install", "-at_install")
class TestPolicyCount(SalesProcessCommon):
    """The records a policy's condition is counted among: its stage, teams and
    company; the administrator works in two companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.process_admin.write({"company_ids": [Command.link(cls.company_b.id)]})
        cls.team_b = cls.env["crm.team"].create(
            {"name": "East B", "company_id": cls.company_b.id}
        )
        # stages of their own: the demo leads are in none of them
        cls.new, cls.qualified = cls.env["crm.stage"].create(
            [
                {"name": "Count: new", "sequence": 201},
                {"name": "Count: qualified", "sequence": 202},
            ]
        )
        cls._create_leads(3, stage_id=cls.qualified.id, priority="2")
        cls._create_leads(1, stage_id=cls.qualified.id, priority="0")
        cls._create_leads(2, stage_id=cls.new.id, priority="2")
        cls._create_leads(
            1, stage_id=cls.qualified.id, priority="2", team_id=cls.team_west.id
        )
        cls.env["crm.lead"].create(
            [
                {
                    "name": f"Lead B {index}",
                    "type": "opportunity",
                    "stage_id": cls.qualified.id,
                    "team_id": cls.team_b.id,
                    "company_id": cls.company_b.id,
                    "priority": "2",
                }
                for index in range(2)
            ]
        )
        cls.Lead = (
            cls.env["crm.lead"]
            .with_user(cls.process_admin)
            .with_context(allowed_company_ids=[cls.company.id, cls.company_b.id])
        )

    def _count(self, policy):
        """What the condition's widget counts: its domain within the scope."""
        scope = Domain(ast.literal_eval(policy.scope_domain))
        return self.Lead.search_count(scope & policy._get_domain())

    def test_count_is_within_stage_teams_and_company(self):
        Policy = self.env["sales.process.sla.policy"].with_user(self.process_admin)
        policy = Policy.create(
            {
                "name": "Qualified within 2 days",
                "crm_stage_id": self.qualified.id,
                "team_ids": [Command.link(self.team_east.id)],
                "duration": 2,
            }
        )
        self.assertEqual(self._count(policy), 4, "every East lead in Qualified")
        policy.domain = "[('priority', '=', '2'), ('name', '=like', 'Lead %')]"
        self.assertEqual(self._count(policy), 3)
        self.assertEqual(
            self.Lead.search_count(
                policy._get_domain()
                & Domain("stage_id", "in", (self.new | self.qualified).ids)
            ),
            8,
            "the plain widget counted every stage, team and company",
        )
        policy.team_ids = [Command.clear()]
        self.assertEqual(self._count(policy), 4, "East and West, not company B")
        with Form(policy) as form:
            form.team_ids.add(self.team_west)
            self.assertEqual(
                ast.literal_eval(form.scope_domain),
                [
                    "&",
                    "&",
                    ("stage_id", "=", self.qualified.id),
                    ("team_id", "in", [self.team_west.id]),
                    ("company_id", "in", [self.company.id, False]),
                ],
                "follows the form before it is saved",
            )
        self.assertEqual(self._count(policy), 1)
        policy.team_ids = [Command.clear()]
        policy.company_id = False
        self.assertEqual(self._count(policy), 6, "both companies")
        policy.crm_stage_id = self.new
        self.assertEqual(self._count(policy), 2)

    def test_count_of_a_quotation_policy(self):
        orders = self._create_orders(2)
        orders[0].action_quotation_sent()
        policy = (
            self.env["sales.process.sla.policy"]
            .with_user(self.process_admin)
            .create(
                {
                    "name": "Sent quotations within 3 days",
                    "res_model": "sale.order",
                    "order_state": "sent",
                    "duration": 3,
                }
            )
        )
        scope = Domain(ast.literal_eval(policy.scope_domain))
        Order = self.env["sale.order"].with_user(self.process_admin)
        self.assertEqual(Order.search_count(scope & Domain("id", "in", orders.ids)), 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-16 09:00:00")
class TestKeptByCreator(SalesProcessCommon):
    """A lead a rep types in with its salesperson stays theirs; its chatter
    names the rule that would have routed it. A rep who reads only his own
    leads leaves the rules, and the note, to the assignment job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.process.assignment.rule"]
        cls.shanghai = cls.Rule.create(
            {
                "name": "Shanghai",
                "cities": "Shanghai",
                "team_id": cls.team_west.id,
            }
        )
        cls.Lead = cls.env["crm.lead"].with_user(cls.rep_east)
        cls.queued_cron = cls.env.ref("sales_process_automation.ir_cron_assign_queued")

    def _notes(self, leads, text="Kept by"):
        return self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
                ("body", "ilike", text),
            ]
        )

    def _queued(self, leads):
        return self.env["sales.process.assignment.queue"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
        )

    def _run_queued_job(self):
        with self.enter_registry_test_mode():
            self.queued_cron.method_direct_trigger()

    def test_lead_typed_in_with_its_salesperson(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["sales_process_automation"], ["fr_FR"], overwrite=True
        )
        self.rep_east.lang = "fr_FR"
        lead = self.Lead.create(
            {"name": "Typed in", "city": "Shanghai", "team_id": self.team_east.id}
        )
        self.assertEqual(lead.user_id, self.rep_east, "the creator keeps it")
        self.assertTrue(self._queued(lead))
        self.assertFalse(self._notes(lead, "Shanghai"), "left to the job")
        self._run_queued_job()
        lead = lead.with_env(self.env)
        self.assertEqual(lead.user_id, self.rep_east, "the job leaves it too")
        self.assertEqual(lead.team_id, self.team_east)
        self.assertFalse(lead.sales_process_assignment_rule_id)
        self.assertFalse(self._queued(lead))
        note = self._notes(lead, "Shanghai")
        self.assertEqual(len(note), 1)
        self.assertEqual(
            note.body,
            f"<p>Conservé par son créateur, {self.rep_east.name} : la règle "
            "Shanghai le confierait à l'équipe West.</p>",
            "in the language of the creator, not of the job",
        )
        # a sales manager reads every lead: the rules run as he saves it
        other = (
            self.env["crm.lead"]
            .with_user(self.director)
            .create(
                {
                    "name": "For a rep",
                    "city": "Shanghai",
                    "user_id": self.rep_west.id,
                }
            )
        )
        self.assertIn(
            f"Kept by {self.rep_west.name}, chosen by its creator: the rule Shanghai",
            self._notes(other).body,
        )
        self.assertFalse(self._queued(other))

    def test_no_note_without_rule_or_with_reassigning_rule(self):
        lead = self.Lead.create({"name": "In Paris", "city": "Paris"})
        self.shanghai.reassign = True
        routed = self.Lead.create({"name": "Routed", "city": "Shanghai"})
        self.assertEqual(routed.user_id, self.rep_east, "until the job runs")
        self._run_queued_job()
        self.assertFalse(self._notes(lead))
        routed = routed.with_env(self.env)
        self.assertEqual(routed.user_id, self.rep_west, "a reassigning rule routes it")
        self.assertFalse(self._notes(routed))

    def test_owner_chosen_before_the_job_runs(self):
        """The rep gives his new lead to a colleague before the job ran: the
        rules no longer apply to it, no note says it was kept."""
        self.shanghai.reassign = True
        lead = self.Lead.create({"name": "Handed over", "city": "Shanghai"})
        lead.user_id = self.rep_west
        self._run_queued_job()
        lead = lead.with_env(self.env)
        self.assertFalse(self._queued(lead))
        self.assertEqual(lead.user_id, self.rep_west)
        self.assertFalse(lead.sales_process_assignment_rule_id)
        self.assertFalse(self._notes(lead))

    def test_no_rule_no_job(self):
        """Without any rule for leads, a rep's new lead waits for nothing."""
        self.shanghai.active = False
        lead = self.Lead.create(
            {"name": "No rules", "city": "Shanghai", "user_id": False}
        )
        self.assertFalse(self._queued(lead))

    def test_batch_costs_the_queries_of_one_lead(self):
        self.Rule.create(
            {"name": "Beijing", "cities": "Beijing", "team_id": self.team_east.id}
        )
        Lead = self.Lead.with_context(sales_process_skip_assignment=True)
        warm_up = Lead.create({"name": "First of the day", "city": "Shanghai"})
        one = Lead.create({"name": "One", "city": "Shanghai"})
        many = Lead.create(
            [{"name": f"Many {index}", "city": "Shanghai"} for index in range(20)]
        )
        queries = []
        for leads in (warm_up, one, many):
            # as the job runs them
            leads = leads.with_env(self.env)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            leads._assignment_apply_queued()
            self.env.flush_all()
            queries.append(self.env.cr.sql_log_count - before)
        self.assertEqual(queries[1], queries[2], "per batch, not per lead")
        self.assertEqual(len(self._notes(many)), 20)
