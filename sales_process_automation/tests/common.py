# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time

from odoo import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.base.tests.common import BaseCommon


class SalesProcessCommon(BaseCommon):
    """Two sales teams on a UTC calendar, their reps, a director and an admin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo databases ship their own rules: the tests set up theirs
        cls.env["sales.process.assignment.rule"].search([]).action_archive()
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
    def _set_up_proposal_sla(cls):
        """Only "proposal within 5 working days" in the proposition stage,
        with reminders 1 and 4 days after entry; the sweep's cron."""
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
        cls.sweep_cron = cls.env.ref("sales_process_automation.ir_cron_sla_sweep")

    def _sweep(self, when):
        """Run the SLA sweep cron as the scheduler would, at ``when``."""
        with freeze_time(when), self.enter_registry_test_mode():
            self.sweep_cron.method_direct_trigger()

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
