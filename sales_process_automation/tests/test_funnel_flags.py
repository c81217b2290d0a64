# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from pathlib import Path

from odoo.tests import tagged

from .common import SalesProcessCommon

MIGRATION = (
    Path(__file__).parents[1] / "migrations" / "19.0.1.1.0" / "post-migration.py"
)


@tagged("post_install", "-at_install")
class TestFunnelFlags(SalesProcessCommon):
    """The funnel flags kept on the stage rows as leads move, are lost or
    restored and as stages are reordered; the migration that sets them on the
    rows written before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new, cls.qualified, cls.proposition = cls.stages[:3]
        cls.refresh_cron = cls.env.ref(
            "sales_process_automation.ir_cron_refresh_funnel_flags"
        )

    def _migrate(self):
        """Run the 19.0.1.1.0 post-migration as an update from 19.0.1.0.0 does."""
        spec = importlib.util.spec_from_file_location("post_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.cr, "19.0.1.0.0")

    def _flags(self, lead):
        """(stage, first entry, reached a further stage, lost) of each row."""
        rows = self.History.search([("lead_id", "=", lead.id)], order="date_in, id")
        return [
            (
                row.crm_stage_id,
                row.first_entry,
                row.reached_further_stage,
                row.lost_in_stage,
            )
            for row in rows
        ]

    def _outcomes(self, lead):
        Funnel = self.env["sales.process.funnel.report"]
        # a view: what an earlier read of it put in the cache is stale
        Funnel.invalidate_model()
        return Funnel.search([("lead_id", "=", lead.id)], order="date_in, id").mapped(
            "outcome"
        )

    def test_moves_set_the_flags(self):
        lead = self._create_leads(1, stage_id=self.new.id)
        for stage in (self.qualified, self.new, self.proposition):
            lead.stage_id = stage
        self.assertEqual(
            self._flags(lead),
            [
                (self.new, True, True, False),
                (self.qualified, True, True, False),
                (self.new, False, True, False),
                (self.proposition, True, False, False),
            ],
        )
        self.assertEqual(
            self._outcomes(lead), ["advanced", "advanced", "advanced", "open"]
        )

    def test_moving_back_is_not_reaching_further(self):
        lead = self._create_leads(1, stage_id=self.qualified.id)
        lead.stage_id = self.new
        self.assertEqual(
            self._flags(lead),
            [(self.qualified, True, False, False), (self.new, True, False, False)],
        )
        self.assertEqual(self._outcomes(lead), ["back", "open"])

    def test_lost_in_last_stage_then_restored(self):
        lead = self._create_leads(1, stage_id=self.new.id)
        lead.stage_id = self.qualified
        lead.action_set_lost()
        self.assertEqual(
            self._flags(lead),
            [(self.new, True, True, False), (self.qualified, True, False, True)],
        )
        self.assertEqual(self._outcomes(lead), ["advanced", "lost"])
        lead.action_unarchive()
        self.assertEqual(self._flags(lead)[-1], (self.qualified, True, False, False))
        self.assertEqual(self._outcomes(lead), ["advanced", "open"])

    def test_lost_and_restored_with_a_stage_in_one_write(self):
        """A write that moves the lead and sets its probability (as
        crm_stage_probability writes it) refreshes the flags once, through the
        new stage's row; one that keeps the stage refreshes them on its own."""
        lead = self._create_leads(1, stage_id=self.new.id)
        lead.write({"stage_id": self.qualified.id, "active": False, "probability": 0})
        self.assertEqual(
            self._flags(lead),
            [(self.new, True, True, False), (self.qualified, True, False, True)],
        )
        lead.write({"stage_id": self.qualified.id, "active": True, "probability": 20})
        self.assertEqual(self._flags(lead)[-1], (self.qualified, True, False, False))

    def test_reordering_stages_refreshes_the_flags(self):
        lead = self._create_leads(1, stage_id=self.qualified.id)
        lead.stage_id = self.proposition
        self.assertTrue(self._flags(lead)[0][2])
        triggers = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.refresh_cron.id)]
        )
        # Proposition now comes before Qualified
        self.proposition.sequence = self.qualified.sequence - 1
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.refresh_cron.id)]
            ),
            triggers + 1,
            "reordering stages starts the refresh",
        )
        with self.enter_registry_test_mode():
            self.refresh_cron.method_direct_trigger()
        self.assertEqual(
            self._flags(lead),
            [
                (self.qualified, True, False, False),
                (self.proposition, True, False, False),
            ],
        )
        self.assertEqual(self._outcomes(lead), ["back", "open"])

    def test_renaming_a_stage_does_not_start_the_refresh(self):
        triggers = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.refresh_cron.id)]
        )
        self.qualified.name = "Qualified (renamed)"
        self.qualified.sequence = self.qualified.sequence
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.refresh_cron.id)]
            ),
            triggers,
        )

    def test_migration_sets_the_flags_of_earlier_rows(self):
        moved = self._create_leads(1, stage_id=self.new.id)
        for stage in (self.qualified, self.new, self.proposition):
            moved.stage_id = stage
        lost = self._create_leads(1, stage_id=self.qualified.id)
        lost.action_set_lost()
        expected = {lead: self._flags(lead) for lead in moved | lost}
        # the rows as 19.0.1.0.0 left them: no flags
        self.env.flush_all()
        self.cr.execute(
            "UPDATE sales_process_stage_history SET first_entry = NULL,"
            " reached_further_stage = NULL, lost_in_stage = NULL"
        )
        self.History.invalidate_model()
        self.assertEqual(self._flags(lost), [(self.qualified, False, False, False)])
        self._migrate()
        self.History.invalidate_model()
        for lead, flags in expected.items():
            self.assertEqual(self._flags(lead), flags)
        self.assertEqual(self._outcomes(lost), ["lost"])
        self.assertEqual(
            self._outcomes(moved), ["advanced", "advanced", "advanced", "open"]
        )
