# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesProcessSecurityCommon

ROLES = ("rep", "leader", "admin", "employee", "portal")
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
NONE = ("", set())
TEAMS = {"east", "west"}
COMPANY = {"a"}
TILES = {
    "at_risk",
    "at_risk_orders",
    "at_risk_tickets",
    "activities",
    "my_funnel",
    "my_stalled",
    "team_funnel",
    "team_breaches",
    "approvals",
    "approvals_complex",
    "approvals_stage_skip",
    "bottleneck",
    "satisfaction",
}
# Per model and role: the rights (r: read, w: write, c: create, u: unlink) and
# the keys of the records the role sees among those of the East and West teams
# (the rep is of East, the leader leads West; the admin is of company A only)
# and of the South team of company B; or, for configuration, among those of
# company A and B (and shared by every company); for wizards, among those each
# role and the administrator of company B created. The employee
# (internal user without a Sales Process role) and the portal user see none.
MATRIX = {
    "sales.process.stage.history": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.sla.policy": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.sla.reminder": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.sla.event": {
        "rep": NONE,
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.sla.digest": {
        "rep": NONE,
        "leader": ("r", {"west"}),
        # the director of East receives the East digest, not the admin
        "admin": ("r", set()),
    },
    "sales.process.assignment.rule": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.assignment.member": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.assignment.turn": {
        "rep": NONE,
        "leader": NONE,
        "admin": ("r", COMPANY),
    },
    # the assignment job's bookkeeping: nobody of the process reads it
    "sales.process.assignment.queue": {
        "rep": NONE,
        "leader": NONE,
        "admin": NONE,
    },
    "sales.process.assignment.test": {
        "rep": ("rwc", {"rep"}),
        "leader": ("rwc", {"leader"}),
        "admin": ("rwc", {"admin"}),
    },
    "sales.process.contract.policy": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.contract.chain": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.contract.step": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.complex.reason": {
        "rep": ("r", COMPANY),
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.complex.request": {
        "rep": ("rwc", {"east"}),
        "leader": ("rwc", {"west"}),
        "admin": ("rwcu", TEAMS),
    },
    "sales.process.complex.report": {
        "rep": NONE,
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.pipeline.simulation": {
        "rep": NONE,
        "leader": ("rwcu", {"leader"}),
        "admin": ("rwcu", {"admin"}),
    },
    "sales.process.pipeline.simulation.stage": {
        "rep": NONE,
        "leader": ("rwcu", {"leader"}),
        "admin": ("rwcu", {"admin"}),
    },
    "sales.process.pipeline.simulation.result": {
        "rep": NONE,
        "leader": ("rwcu", {"leader"}),
        "admin": ("rwcu", {"admin"}),
    },
    "sales.process.pipeline.simulation.band": {
        "rep": NONE,
        "leader": ("rwcu", {"leader"}),
        "admin": ("rwcu", {"admin"}),
    },
    "sales.process.discount.threshold": {
        "rep": NONE,
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.stage.skip.request": {
        "rep": ("rc", {"east"}),
        "leader": ("rwc", {"west"}),
        "admin": ("rwcu", TEAMS),
    },
    "sales.process.lead.report": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.funnel.report": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.stage.time.report": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.bottleneck.report": {
        "rep": NONE,
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    "sales.process.dashboard.tile": {
        # a rep has no bottleneck report: the tile over it is not theirs
        "rep": ("r", TILES - {"bottleneck"}),
        "leader": ("r", TILES),
        "admin": ("rwcu", TILES),
    },
    # the process of each team is configuration: read in its company
    "sales.process.step": {
        "rep": ("r", TEAMS),
        "leader": ("r", TEAMS),
        "admin": ("rwcu", TEAMS),
    },
    # templates are the administrators'; a shared one names nobody
    "sales.process.template": {
        "rep": NONE,
        "leader": NONE,
        "admin": ("rwcu", COMPANY | {"shared"}),
    },
    "sales.process.template.line": {
        "rep": NONE,
        "leader": NONE,
        "admin": ("rwcu", COMPANY | {"shared"}),
    },
    "sales.process.template.apply": {
        "rep": NONE,
        "leader": NONE,
        "admin": ("rwcu", {"admin"}),
    },
    "sales.process.feedback.campaign": {
        "rep": NONE,
        "leader": ("r", COMPANY),
        "admin": ("rwcu", COMPANY),
    },
    "sales.process.feedback.request": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("rw", TEAMS),
    },
    "sales.process.feedback.report": {
        "rep": ("r", {"east"}),
        "leader": ("r", {"west"}),
        "admin": ("r", TEAMS),
    },
    # the monthly rule review: managers, their company's rules and policies
    "sales.process.assignment.review.report": {
        "rep": NONE,
        "leader": ("r", COMPANY),
        "admin": ("r", COMPANY),
    },
    "sales.process.sla.review.report": {
        "rep": NONE,
        "leader": ("r", COMPANY),
        "admin": ("r", COMPANY),
    },
    # managers import the past movements of their company's leads
    "sales.process.history.import": {
        "rep": NONE,
        "leader": ("rc", TEAMS),
        "admin": ("rc", TEAMS),
    },
}


@tagged("post_install", "-at_install")
class TestSecurityMatrix(SalesProcessSecurityCommon):
    def _users(self):
        return {
            "rep": self.rep_east,
            "leader": self.leader_west,
            "admin": self.process_admin,
            "employee": self.employee,
            "portal": self.portal_user,
        }

    def test_every_model_is_in_the_matrix(self):
        models = set(
            self.env["ir.model.access"]
            .search([("model_id.model", "=like", "sales.process.%")])
            .model_id.mapped("model")
        )
        self.assertEqual(set(MATRIX), models)
        self.assertEqual(set(self.records), models)

    def test_matrix(self):
        for model, expected_by_role in MATRIX.items():
            records = self.records[model]
            every = self.env[model].union(*records.values())
            for role, user in self._users().items():
                rights, visible = expected_by_role.get(role, NONE)
                with self.subTest(model=model, role=role):
                    self._check(model, records, every, user, rights, visible)

    def _check(self, model, records, every, user, rights, visible):
        Model = self.env[model].with_user(user).with_context(active_test=False)
        self.assertEqual(
            {
                letter
                for letter, operation in OPERATIONS.items()
                if Model.has_access(operation)
            },
            set(rights),
            "rights on the model",
        )
        if "r" not in rights:
            with self.assertRaises(AccessError):
                Model.search([("id", "in", every.ids)])
            return
        found = Model.search([("id", "in", every.ids)])
        self.assertEqual(
            {key for key, record in records.items() if record & found.sudo()},
            visible,
            "records found",
        )
        if model == "sales.process.dashboard.tile":
            # tiles are hidden by their search, not by record rules: reading
            # a hidden tile fails too (test_isolation), has_access() does not
            # know
            return
        for key, record in records.items():
            for letter in "rwu":
                if letter in rights:
                    self.assertEqual(
                        record.with_user(user).has_access(OPERATIONS[letter]),
                        key in visible,
                        f"{OPERATIONS[letter]} {key}",
                    )
