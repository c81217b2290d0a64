# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from pathlib import Path

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL
from odoo.tools.sql import column_exists, index_exists, make_index_name

from .common import SalesProcessCommon


def _load_migration(version, name):
    path = Path(__file__).parents[1] / "migrations" / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration(SalesProcessCommon):
    """19.0.1.2.0 on a database of an earlier release, put back in its state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pre_migration = _load_migration("19.0.1.2.0", "pre-migration")

    def _put_back(self, model, new, old):
        """Give a field its name of an earlier release, column and all."""
        self.env.flush_all()
        table = self.env[model]._table
        if column_exists(self.env.cr, table, new):
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE %s RENAME COLUMN %s TO %s",
                    SQL.identifier(table),
                    SQL.identifier(new),
                    SQL.identifier(old),
                )
            )
            self.env.cr.execute(
                SQL(
                    "ALTER INDEX IF EXISTS %s RENAME TO %s",
                    SQL.identifier(make_index_name(table, new)),
                    SQL.identifier(make_index_name(table, old)),
                )
            )
        self.env.cr.execute(
            "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
            (old, model, new),
        )

    def test_renamed_fields_keep_their_values(self):
        lead = self._create_leads(1)
        rule = self.env["sales.process.assignment.rule"].create(
            {
                "name": "Everything",
                "res_model": "crm.lead",
                "team_id": self.team_east.id,
            }
        )
        lead.write(
            {
                "sales_process_assignment_rule_id": rule.id,
                "sales_process_assignment_state": "team_only",
            }
        )
        self.stages[1].sales_process_contract_signed = True
        self.team_east.sales_process_resource_calendar_id = self.calendar
        for model, new, old in [
            ("crm.lead", "sales_process_assignment_rule_id", "assignment_rule_id"),
            ("crm.lead", "sales_process_assignment_state", "assignment_state"),
            ("crm.lead", "sales_process_sla_status", "sla_status"),
            ("crm.stage", "sales_process_contract_signed", "is_contract_signed"),
            ("crm.team", "sales_process_resource_calendar_id", "resource_calendar_id"),
        ]:
            self._put_back(model, new, old)

        self.pre_migration.rename_fields(self.env)

        cr = self.env.cr
        self.assertFalse(column_exists(cr, "crm_lead", "assignment_state"))
        self.assertTrue(
            index_exists(
                cr, make_index_name("crm_lead", "sales_process_assignment_rule_id")
            )
        )
        self.assertFalse(
            self.env["ir.model.fields"].search_count(
                [("model", "=", "crm.lead"), ("name", "in", ["sla_status"])]
            )
        )
        self.env.invalidate_all()
        self.assertEqual(lead.sales_process_assignment_rule_id, rule)
        self.assertEqual(lead.sales_process_assignment_state, "team_only")
        self.assertTrue(self.stages[1].sales_process_contract_signed)
        self.assertEqual(
            self.team_east.sales_process_resource_calendar_id, self.calendar
        )

    def test_field_another_module_also_declares_is_copied(self):
        """helpdesk_mgmt_sla declares resource_calendar_id on helpdesk teams too:
        their column and field stay, the add-on's values go to its new one."""
        self.team_east.sales_process_resource_calendar_id = self.calendar
        self._put_back(
            "crm.team", "sales_process_resource_calendar_id", "resource_calendar_id"
        )
        field = self.env["ir.model.fields"]._get("crm.team", "resource_calendar_id")
        self.env["ir.model.data"].create(
            {
                "module": "another_module",
                "name": "field_crm_team__resource_calendar_id",
                "model": "ir.model.fields",
                "res_id": field.id,
            }
        )

        self.pre_migration.rename_fields(self.env)

        cr = self.env.cr
        self.assertTrue(column_exists(cr, "crm_team", "resource_calendar_id"))
        self.assertEqual(field.name, "resource_calendar_id")
        cr.execute(
            "SELECT sales_process_resource_calendar_id FROM crm_team WHERE id = %s",
            [self.team_east.id],
        )
        self.assertEqual(cr.fetchone()[0], self.calendar.id)

    def test_ticket_links_of_the_old_columns_are_copied(self):
        """19.0.1.1.0 linked tickets with its own ticket.lead_id and
        ticket.sale_order_id: helpdesk_mgmt_crm and helpdesk_mgmt_sale get them."""
        first, second, third = self._create_tickets(3)
        lead, lead_with_ticket = self._create_leads(2)
        lead_with_ticket.ticket_id = third
        order = self._create_orders(1)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE helpdesk_ticket ADD COLUMN lead_id int, "
            "ADD COLUMN sale_order_id int"
        )
        cr.execute(
            "UPDATE helpdesk_ticket SET lead_id = %s, sale_order_id = %s "
            "WHERE id IN %s",
            [lead.id, order.id, (first.id, second.id)],
        )
        cr.execute(
            "UPDATE helpdesk_ticket SET lead_id = %s WHERE id = %s",
            [lead_with_ticket.id, first.id],
        )

        self.pre_migration.copy_ticket_links(self.env)
        self.env.invalidate_all()

        self.assertEqual(order.ticket_ids, first | second)
        self.assertEqual(order.ticket_count, 2)
        self.assertEqual(first.sale_order_ids, order)
        self.assertEqual(lead.ticket_id, second, "its first ticket")
        self.assertEqual(second.lead_ids, lead)
        self.assertEqual(lead_with_ticket.ticket_id, third, "kept")


@tagged("post_install", "-at_install")
class TestMigrationStageOwner(SalesProcessCommon):
    """19.0.1.3.0 stores the stage owner of the open row on the record."""

    def test_open_rows_give_their_stage_owner_to_the_records(self):
        moved, left = self._create_leads(2)
        self.env["sales.process.step"].create(
            {
                "team_id": self.team_east.id,
                "stage_id": self.stages[1].id,
                "owner_type": "user",
                "owner_user_id": self.rep_west.id,
            }
        )
        (moved | left).stage_id = self.stages[1]
        left.stage_id = self.stages[2]
        self.assertEqual(moved.sales_process_stage_owner_id, self.rep_west)
        self.assertFalse(left.sales_process_stage_owner_id, "its stage has no owner")
        # a database of 19.0.1.2.0: the column is new, hence empty
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET sales_process_stage_owner_id = NULL")
        self.env.invalidate_all()

        _load_migration("19.0.1.3.0", "post-migration").store_stage_owners(self.env)

        self.env.invalidate_all()
        self.assertEqual(moved.sales_process_stage_owner_id, self.rep_west)
        self.assertFalse(left.sales_process_stage_owner_id)


@tagged("post_install", "-at_install")
class TestMigrationHistoryIndexes(SalesProcessCommon):
    """19.0.1.4.0 drops the stage history indexes no query needs."""

    def _index_definition(self, column):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            [make_index_name("sales_process_stage_history", column)],
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def test_indexes_of_an_earlier_release_are_dropped(self):
        self._create_leads(1)
        table = "sales_process_stage_history"
        # a database of 19.0.1.3.0: an index on every one of these columns
        for column in ("res_model", "company_id", "state", "helpdesk_team_id"):
            if not self._index_definition(column):
                self.env.cr.execute(
                    SQL(
                        "CREATE INDEX %s ON %s (%s)",
                        SQL.identifier(make_index_name(table, column)),
                        SQL.identifier(table),
                        SQL.identifier(column),
                    )
                )

        _load_migration("19.0.1.4.0", "pre-migration").drop_indexes(self.env)

        for column in ("res_model", "company_id", "state", "helpdesk_team_id"):
            self.assertFalse(
                index_exists(self.env.cr, make_index_name(table, column)), column
            )
        self.assertTrue(
            index_exists(
                self.env.cr, "sales_process_stage_history_funnel_figures_index"
            ),
            "the figure indexes stay",
        )
        self.assertTrue(
            index_exists(self.env.cr, make_index_name(table, "lead_id")),
            "the indexes a query needs stay",
        )

    def test_a_new_database_indexes_ticket_columns_on_ticket_rows_only(self):
        for column in ("ticket_stage_id", "helpdesk_team_id"):
            self.assertIn("IS NOT NULL", self._index_definition(column), column)
        for column in ("res_model", "company_id", "crm_stage_id", "state"):
            self.assertFalse(self._index_definition(column), column)


@tagged("post_install", "-at_install")
class TestMigrationAssignmentQueue(SalesProcessCommon):
    """19.0.1.5.0 queues the records an earlier release flagged for the
    assignment job, and drops the flag."""

    def test_flagged_records_are_queued_and_the_flag_dropped(self):
        waiting, other = self._create_leads(2, user_id=False)
        self.env.flush_all()
        # a database of 19.0.1.4.0: the flag on the record, set on one lead
        self.env.cr.execute(
            "ALTER TABLE crm_lead ADD COLUMN sales_process_assignment_queued boolean"
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET sales_process_assignment_queued = TRUE WHERE id = %s",
            [waiting.id],
        )

        _load_migration("19.0.1.5.0", "post-migration").queue_flagged_records(self.env)

        queued = self.env["sales.process.assignment.queue"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", (waiting | other).ids)]
        )
        self.assertEqual(queued.mapped("res_id"), waiting.ids)
        self.assertFalse(queued.owner_id, "saved without an owner")
        self.assertFalse(
            column_exists(self.env.cr, "crm_lead", "sales_process_assignment_queued")
        )
        rule = self.env["sales.process.assignment.rule"].create(
            {"name": "Everyone", "team_id": self.team_east.id}
        )
        with freeze_time("2026-11-16 09:00:00"), self.enter_registry_test_mode():
            self.env.ref(
                "sales_process_automation.ir_cron_assign_queued"
            ).method_direct_trigger()
        self.assertEqual(waiting.sales_process_assignment_rule_id, rule)
        self.assertFalse(other.sales_process_assignment_rule_id, "not queued")
