# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from contextlib import nullcontext
from datetime import datetime, time

from odoo import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.base.tests.common import BaseCommon

# a 1x1 PNG: what the portal stores as the customer's signature
SIGNATURE = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
)


def sign_online(http_case, order):
    """The customer signs ``order`` through sale's portal accept route, with
    the link the quotation mail gives (an ``HttpCase``)."""
    return http_case.make_jsonrpc_request(
        f"/my/orders/{order.id}/accept",
        {
            "access_token": order._portal_ensure_token(),
            "name": "Li Wei",
            "signature": SIGNATURE.decode(),
        },
    )


def create_team_stages(env, prefix, team):
    """The stages New, Qualify and Won (``prefix`` before each name) of
    ``team``, for the browser tours that draw a team's funnel."""
    return env["crm.stage"].create(
        [
            {"name": f"{prefix} New", "sequence": 1, "team_ids": team.ids},
            {"name": f"{prefix} Qualify", "sequence": 2, "team_ids": team.ids},
            {
                "name": f"{prefix} Won",
                "sequence": 3,
                "is_won": True,
                "team_ids": team.ids,
            },
        ]
    )


class SalesProcessCommon(BaseCommon):
    """Two sales teams on a UTC calendar, their reps, a director and an admin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo databases ship their own rules: the tests set up theirs
        cls.env["sales.process.assignment.rule"].search([]).action_archive()
        # the tests of escalations check the mails sent on each breach
        cls.company.sales_process_breach_notify_managers = True
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Office hours (UTC)", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.rep_east = new_test_user(
            cls.env,
            login="spa_rep_east",
            groups="sales_team.group_sale_salesman",
        )
        cls.rep_west = new_test_user(
            cls.env,
            login="spa_rep_west",
            groups="sales_team.group_sale_salesman",
        )
        cls.director = new_test_user(
            cls.env,
            login="spa_director",
            groups="sales_team.group_sale_manager",
        )
        cls.process_admin = new_test_user(
            cls.env,
            login="spa_admin",
            groups="sales_team.group_sale_manager,sales_process_automation.group_admin",
        )
        cls.team_east = cls.env["crm.team"].create(
            {
                "name": "East",
                "company_id": cls.company.id,
                "user_id": cls.director.id,
                "sales_process_resource_calendar_id": cls.calendar.id,
                "member_ids": [Command.link(cls.rep_east.id)],
            }
        )
        cls.team_west = cls.env["crm.team"].create(
            {
                "name": "West",
                "company_id": cls.company.id,
                "member_ids": [Command.link(cls.rep_west.id)],
            }
        )
        cls.stages = cls.env["crm.stage"].search([("team_ids", "=", False)])
        cls.helpdesk_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales",
                "company_id": cls.company.id,
                "sales_process_resource_calendar_id": cls.calendar.id,
                "user_ids": [Command.link(cls.rep_east.id)],
            }
        )
        cls.ticket_stages = cls.env["helpdesk.ticket.stage"].search([])
        cls.History = cls.env["sales.process.stage.history"]

    @classmethod
    def _create_leads(cls, count, **values):
        return cls.env["crm.lead"].create(
            [
                {
                    "name": f"Lead {index}",
                    "type": "opportunity",
                    "team_id": cls.team_east.id,
                    "user_id": cls.rep_east.id,
                    **values,
                }
                for index in range(count)
            ]
        )

    @classmethod
    def _create_orders(cls, count, **values):
        product = cls.env["product.product"].create(
            {"name": "Consulting day", "list_price": 800.0, "type": "service"}
        )
        return cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.partner.id,
                    "team_id": cls.team_east.id,
                    "user_id": cls.rep_east.id,
                    "order_line": [Command.create({"product_id": product.id})],
                    **values,
                }
                for _index in range(count)
            ]
        )

    @classmethod
    def _create_back_office(cls, prefix):
        """Finance (invoicing) and a support agent of the after-sales team."""
        finance = new_test_user(
            cls.env, login=f"{prefix}_finance", groups="account.group_account_invoice"
        )
        agent = new_test_user(
            cls.env,
            login=f"{prefix}_agent",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.helpdesk_team.user_ids = [Command.link(agent.id)]
        return finance, agent

    @classmethod
    def _create_user_of_new_company(cls, company_name, login, groups):
        """A user who works in a new company ``company_name`` only."""
        company = cls.env["res.company"].create({"name": company_name})
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _create_contract_product(cls):
        """A service invoiced on order, without taxes: a signed contract of
        2 units is invoiced 2,000."""
        return cls.env["product.product"].create(
            {
                "name": "Installation package",
                "list_price": 1000.0,
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def _create_tickets(cls, count, **values):
        return cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Ticket {index}",
                    "description": "<p>Onboarding</p>",
                    "team_id": cls.helpdesk_team.id,
                    "user_id": cls.rep_east.id,
                    **values,
                }
                for index in range(count)
            ]
        )

    @classmethod
    def _set_up_mandatory_pipeline(cls):
        """East's pipeline: Intake, Qualification (mandatory), Proposal, Signed."""
        Stage = cls.env["crm.stage"]
        team = [Command.link(cls.team_east.id)]
        cls.intake = Stage.create({"name": "Intake", "sequence": 101, "team_ids": team})
        cls.qualification = Stage.create(
            {
                "name": "Qualification",
                "sequence": 102,
                "team_ids": team,
                "sales_process_mandatory": True,
            }
        )
        cls.proposal = Stage.create(
            {"name": "Proposal", "sequence": 103, "team_ids": team}
        )
        cls.won = Stage.create(
            {"name": "Signed", "sequence": 104, "team_ids": team, "is_won": True}
        )

    def _enter(self, records, stage, when):
        """Move ``records`` to ``stage`` at the time ``when``."""
        with freeze_time(when):
            records.write({"stage_id": stage.id})

    @classmethod
    def _set_up_proposal_sla(cls):
        """Only "proposal within 5 working days" in the proposition stage,
        with reminders 1 and 4 days after entry."""
        cls.proposition = cls.stages[2]
        cls.Policy = cls.env["sales.process.sla.policy"]
        # demo databases ship their own policies: the tests set up theirs
        demo_policies = cls.Policy.search([])
        demo_policies.action_archive()
        demo_policies.action_recompute_open_records()
        cls.proposal_policy = cls.Policy.create(
            {
                "name": "Proposal within 5 days",
                "res_model": "crm.lead",
                "crm_stage_id": cls.proposition.id,
                "duration": 5,
                "duration_unit": "days",
                "escalation_user_ids": [Command.link(cls.process_admin.id)],
                "reminder_ids": [
                    Command.create({"anchor": "entry", "delay": 1}),
                    Command.create({"anchor": "entry", "delay": 4}),
                ],
            }
        )

    def _sweep(self, when):
        """Run the SLA sweep cron as the scheduler would, at ``when``."""
        self._run_cron("ir_cron_sla_sweep", when)

    def _run_cron(self, xmlid, when=None):
        """Run the add-on's job ``xmlid`` as the scheduler would (at ``when``
        if given); what it wrote is read afresh."""
        cron = self.env.ref(f"sales_process_automation.{xmlid}")
        with (
            freeze_time(when) if when else nullcontext(),
            self.enter_registry_test_mode(),
        ):
            result = cron.method_direct_trigger()
        self.env.invalidate_all()
        return result

    def _activities(self, records, user):
        """The activities of ``records`` assigned to ``user``."""
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("user_id", "=", user.id),
            ]
        )

    def _add_public_holiday(self, day):
        """A day off for every working hours of the company."""
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": False,
                "company_id": self.company.id,
                "date_from": datetime.combine(day, time.min),
                "date_to": datetime.combine(day, time(23, 59, 59)),
            }
        )

    def _rows(self, records):
        link = records._stage_history_link
        return self.History.search([(link, "in", records.ids)], order="date_in, id")

    def _open_rows(self, records):
        return self._rows(records).filtered(lambda row: not row.date_out)


class SalesProcessSecurityCommon(SalesProcessCommon):
    """Two companies, the East and West teams of the first and the South team
    of the second, each with an opportunity, a quotation and a record of every
    model of the add-on; the roles that use them.

    ``cls.records[model][key]`` is a record of ``model``: ``key`` is ``east``,
    ``west`` or ``south`` for the records of a team, ``a`` or ``b`` for the
    configuration of a company (``shared`` for a process template offered in
    every company), the role of its creator for a wizard (``south`` for the
    administrator of company B), the kind of a dashboard tile.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.leader_west = new_test_user(
            cls.env, login="spa_leader_west", groups="sales_team.group_sale_manager"
        )
        cls.team_west.user_id = cls.leader_west
        cls.rep_south = new_test_user(
            cls.env,
            login="spa_rep_south",
            groups="sales_team.group_sale_manager,sales_process_automation.group_admin",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.team_south = cls.env["crm.team"].create(
            {
                "name": "South",
                "company_id": cls.company_b.id,
                "user_id": cls.rep_south.id,
            }
        )
        cls.employee = new_test_user(
            cls.env, login="spa_employee", groups="base.group_user"
        )
        cls.portal_user = new_test_user(
            cls.env, login="spa_portal", groups="base.group_portal"
        )
        cls.team_keys = {
            "east": (cls.team_east, cls.rep_east, cls.company),
            "west": (cls.team_west, cls.rep_west, cls.company),
            "south": (cls.team_south, cls.rep_south, cls.company_b),
        }
        cls.leads = {
            key: cls._create_leads(
                1, team_id=team.id, user_id=user.id, company_id=company.id
            )
            for key, (team, user, company) in cls.team_keys.items()
        }
        cls.orders = {
            key: cls._create_orders(
                1,
                partner_id=cls.portal_user.partner_id.id,
                team_id=team.id,
                user_id=user.id,
                company_id=company.id,
            )
            for key, (team, user, company) in cls.team_keys.items()
        }
        cls.records = {}
        cls._set_up_team_records()
        cls._set_up_company_records()
        cls._set_up_feedback()
        cls._set_up_wizards()
        cls._set_up_reports()

    @classmethod
    def _set_up_team_records(cls):
        records = cls.records
        rows = {
            key: cls.History.search([("lead_id", "=", lead.id)])
            for key, lead in cls.leads.items()
        }
        records["sales.process.stage.history"] = rows
        records["sales.process.assignment.queue"] = {
            key: cls.env["sales.process.assignment.queue"]._enqueue(lead)
            for key, lead in cls.leads.items()
        }
        records["sales.process.history.import"] = {
            key: cls.env["sales.process.history.import"].create(
                {
                    "lead_id": lead.id,
                    "crm_stage_id": cls.stages[0].id,
                    "date_in": "2025-03-02 09:00:00",
                    "date_out": "2025-03-04 09:00:00",
                }
            )
            for key, lead in cls.leads.items()
        }
        records["sales.process.sla.event"] = {
            key: cls.env["sales.process.sla.event"].create(
                {"history_id": row.id, "kind": "breach", "date": row.date_in}
            )
            for key, row in rows.items()
        }
        records["sales.process.sla.digest"] = {
            key: cls.env["sales.process.sla.digest"].create(
                {
                    "user_id": user.id,
                    "date": "2026-09-01",
                    "history_ids": [Command.set(rows[key].ids)],
                }
            )
            for key, user in (
                ("east", cls.director),
                ("west", cls.leader_west),
                ("south", cls.rep_south),
            )
        }
        chains = {
            key: cls.env["sales.process.contract.chain"].create({"order_id": order.id})
            for key, order in cls.orders.items()
        }
        records["sales.process.contract.chain"] = chains
        records["sales.process.contract.step"] = {
            key: cls.env["sales.process.contract.step"].create(
                {"chain_id": chain.id, "code": "invoice", "state": "done"}
            )
            for key, chain in chains.items()
        }
        records["sales.process.complex.request"] = {
            key: cls.env["sales.process.complex.request"].create(
                {"lead_id": lead.id, "requester_id": lead.user_id.id}
            )
            for key, lead in cls.leads.items()
        }
        records["sales.process.step"] = {
            key: cls.env["sales.process.step"].create(
                {
                    "team_id": team.id,
                    "company_id": company.id,
                    "stage_id": cls.stages[0].id,
                    "owner_type": "team_leader",
                }
            )
            for key, (team, _user, company) in cls.team_keys.items()
        }
        records["sales.process.stage.skip.request"] = {
            key: cls.env["sales.process.stage.skip.request"]
            .with_user(lead.user_id)
            .sudo()
            .create(
                {
                    "lead_id": lead.id,
                    "from_stage_id": cls.stages[0].id,
                    "to_stage_id": cls.stages[2].id,
                    "skipped_stage_ids": [Command.set(cls.stages[1].ids)],
                }
            )
            for key, lead in cls.leads.items()
        }

    @classmethod
    def _set_up_company_records(cls):
        records = cls.records
        companies = {"a": cls.company, "b": cls.company_b}
        policies = {
            key: cls.env["sales.process.sla.policy"].create(
                {
                    "name": f"Proposal within 5 days ({key})",
                    "company_id": company.id,
                    "res_model": "crm.lead",
                    "crm_stage_id": cls.stages[2].id,
                    "duration": 5,
                    "duration_unit": "days",
                    "active": False,
                    "reminder_ids": [Command.create({"delay": 1})],
                }
            )
            for key, company in companies.items()
        }
        records["sales.process.sla.policy"] = policies
        records["sales.process.sla.reminder"] = {
            key: policy.reminder_ids for key, policy in policies.items()
        }
        rules = {
            key: cls.env["sales.process.assignment.rule"].create(
                {
                    "name": f"Rule ({key})",
                    "company_id": team.company_id.id,
                    "team_id": team.id,
                    "active": False,
                    "member_ids": [Command.create({"user_id": team.user_id.id})],
                }
            )
            for key, team in (("a", cls.team_east), ("b", cls.team_south))
        }
        records["sales.process.assignment.rule"] = rules
        records["sales.process.assignment.member"] = {
            key: rule.member_ids for key, rule in rules.items()
        }
        records["sales.process.assignment.turn"] = {
            key: cls.env["sales.process.assignment.turn"].create(
                {
                    "rule_id": rule.id,
                    "member_id": rule.member_ids[:1].id,
                    "user_id": rule.member_ids[:1].user_id.id,
                    "count": 1,
                    "date": "2026-09-01 10:00:00",
                }
            )
            for key, rule in rules.items()
        }
        # one company-wide contract policy per company: the fixture's own
        cls.env["sales.process.contract.policy"].search([]).action_archive()
        for model, values in (
            ("sales.process.contract.policy", {}),
            ("sales.process.complex.reason", {}),
            ("sales.process.discount.threshold", {"percent": 90.0}),
        ):
            records[model] = {
                key: cls.env[model].create(
                    {"name": f"{model} ({key})", "company_id": company.id, **values}
                )
                for key, company in companies.items()
            }
        templates = {
            key: cls.env["sales.process.template"].create(
                {
                    "name": f"Process ({key})",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create(
                            {
                                "stage_name": "Proposal",
                                "owner_type": "user" if owner else "team_leader",
                                "owner_user_id": owner.id,
                            }
                        )
                    ],
                }
            )
            for key, company, owner in (
                ("a", cls.company, cls.director),
                ("b", cls.company_b, cls.rep_south),
                # offered in every company: it names no user of a company
                ("shared", cls.env["res.company"], cls.env["res.users"]),
            )
        }
        records["sales.process.template"] = templates
        records["sales.process.template.line"] = {
            key: template.line_ids for key, template in templates.items()
        }
        records["sales.process.dashboard.tile"] = {
            tile.kind: tile
            for tile in cls.env["sales.process.dashboard.tile"].search([])
        }

    @classmethod
    def _set_up_feedback(cls):
        """A campaign per company; a survey of each team's opportunity,
        answered."""
        records = cls.records
        campaigns = {
            key: cls.env["sales.process.feedback.campaign"].create(
                {
                    "name": f"Won deals ({key})",
                    "company_id": company.id,
                    "active": False,
                }
            )
            for key, company in (("a", cls.company), ("b", cls.company_b))
        }
        records["sales.process.feedback.campaign"] = campaigns
        customer = cls.env["res.partner"].create(
            {"name": "Pat Customer", "email": "pat@example.com"}
        )
        requests = {
            key: cls.env["sales.process.feedback.request"].create(
                {
                    "campaign_id": campaigns["b" if key == "south" else "a"].id,
                    "company_id": company.id,
                    "lead_id": cls.leads[key].id,
                    "partner_id": customer.id,
                    "user_id": user.id,
                    "team_id": team.id,
                    "date_outcome": "2026-09-01 10:00:00",
                    "state": "invite",
                    "date_invited": "2026-09-01 12:00:00",
                }
            )
            for key, (team, user, company) in cls.team_keys.items()
        }
        records["sales.process.feedback.request"] = requests
        nps = cls.env.ref("sales_process_automation.survey_sales_process_feedback_nps")
        cls.env["survey.user_input"].create(
            [
                {
                    "survey_id": nps.survey_id.id,
                    "partner_id": customer.id,
                    "state": "done",
                    "sales_process_feedback_request_id": request.id,
                    "user_input_line_ids": [
                        Command.create(
                            {
                                "question_id": nps.id,
                                "answer_type": "scale",
                                "value_scale": 9,
                            }
                        )
                    ],
                }
                for request in requests.values()
            ]
        )

    @classmethod
    def _set_up_wizards(cls):
        records = cls.records
        creators = {
            "rep": cls.rep_east,
            "leader": cls.leader_west,
            "admin": cls.process_admin,
        }
        records["sales.process.assignment.test"] = {
            key: cls.env["sales.process.assignment.test"].with_user(user).create({})
            for key, user in creators.items()
        }
        simulations = {
            key: cls.env["sales.process.pipeline.simulation"]
            .with_user(user)
            .create({"date_from": "2026-09-01", "date_to": "2026-09-28"})
            for key, user in creators.items()
            if key != "rep"
        }
        records["sales.process.pipeline.simulation"] = simulations
        # only administrators set up processes: the other one is company B's
        records["sales.process.template.apply"] = {
            key: cls.env["sales.process.template.apply"]
            .with_user(user)
            .create({"team_id": team.id})
            for key, user, team in (
                ("admin", cls.process_admin, cls.team_east),
                ("south", cls.rep_south, cls.team_south),
            )
        }
        for model, values in (
            ("stage", {"stage_id": cls.stages[0].id}),
            ("result", {"scenario": "baseline", "bucket": "W36"}),
            ("band", {"series": "baseline_p50", "bucket": "W36"}),
        ):
            if model != "stage":
                values["bucket_start"] = "2026-09-01"
            records[f"sales.process.pipeline.simulation.{model}"] = {
                key: cls.env[f"sales.process.pipeline.simulation.{model}"].create(
                    {"simulation_id": simulation.id, **values}
                )
                for key, simulation in simulations.items()
            }

    @classmethod
    def _set_up_reports(cls):
        """The rows of the analysis reports about each team, and of the rule
        reviews about each company."""
        history = cls.records["sales.process.stage.history"]
        policies = cls.records["sales.process.sla.policy"]
        for key, company_key in (("east", "a"), ("south", "b")):
            history[key].sla_policy_id = policies[company_key]
        cls.env.flush_all()
        for model, field, configuration in (
            ("sales.process.assignment.review.report", "rule_id", "assignment.rule"),
            ("sales.process.sla.review.report", "policy_id", "sla.policy"),
        ):
            cls.records[model] = {
                key: cls.env[model].search([(field, "=", record.id)])
                for key, record in cls.records[f"sales.process.{configuration}"].items()
            }
        teams = {team: key for key, (team, _user, _c) in cls.team_keys.items()}
        for model in (
            "sales.process.lead.report",
            "sales.process.funnel.report",
            "sales.process.stage.time.report",
            "sales.process.bottleneck.report",
            "sales.process.complex.report",
            "sales.process.feedback.report",
        ):
            rows = cls.env[model].search(
                [("team_id", "in", [team.id for team in teams])]
            )
            cls.records[model] = {
                key: rows.filtered(lambda row, team=team: row.team_id == team)
                for team, key in teams.items()
            }
