# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.stalled_leads import STALLED_DEPENDS, stalled_condition


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = [
        "crm.lead",
        "sales.process.stage.tracking.mixin",
        "sales.process.assignment.mixin",
    ]

    _stage_history_field = "stage_id"
    _stage_history_link = "lead_id"
    _stage_history_stage_column = "crm_stage_id"
    _stage_history_entry_date_field = "date_last_stage_update"

    sales_process_stage_history_ids = fields.One2many(
        "sales.process.stage.history",
        "lead_id",
        string="Stage History",
        groups="sales_process_automation.group_user",
    )
    sales_process_complex_request_ids = fields.One2many(
        "sales.process.complex.request",
        "lead_id",
        string="Complex Requests",
        groups="sales_process_automation.group_user",
    )
    sales_process_complex_request_id = fields.Many2one(
        "sales.process.complex.request",
        string="Complex Request",
        compute="_compute_sales_process_complex",
        store=True,
        help="The latest request to handle the opportunity outside the standard rules.",
    )
    sales_process_complex = fields.Boolean(
        string="Complex",
        compute="_compute_sales_process_complex",
        store=True,
        help="A request to handle the opportunity outside the standard rules is "
        "waiting for approval or approved: the standard stage reminders are off.",
    )
    sales_process_extension_approved = fields.Boolean(
        string="Extension Approved",
        compute="_compute_sales_process_complex",
        store=True,
    )
    sales_process_complex_state = fields.Selection(
        related="sales_process_complex_request_id.state",
        string="Complex Request Status",
    )
    sales_process_complex_deadline = fields.Datetime(
        related="sales_process_complex_request_id.requested_deadline",
        string="Requested Deadline",
    )

    sales_process_stalled = fields.Boolean(
        string="Stalled",
        compute="_compute_sales_process_stalled",
        search="_search_sales_process_stalled",
        help="Open, with neither a stage change nor an activity planned or done "
        "for the days to rot of its stage, else the stalled days of its company "
        "(Sales Process settings). The module's SLA reminders do not count.",
    )

    @api.depends(
        "sales_process_complex_request_ids.state",
    )
    def _compute_sales_process_complex(self):
        for lead in self:
            request = lead.sales_process_complex_request_ids.filtered(
                lambda request: request.state != "draft"
            ).sorted("id")[-1:]
            lead.sales_process_complex_request_id = request
            lead.sales_process_complex = request.state in ("pending", "approved")
            lead.sales_process_extension_approved = request.state == "approved"

    sales_process_stage_skip_request_ids = fields.One2many(
        "sales.process.stage.skip.request", "lead_id", string="Stage Skip Requests"
    )
    sales_process_stage_skip_request_id = fields.Many2one(
        "sales.process.stage.skip.request",
        string="Pending Stage Skip",
        compute="_compute_sales_process_stage_skip_request_id",
    )

    @api.depends("sales_process_stage_skip_request_ids.state")
    def _compute_sales_process_stage_skip_request_id(self):
        for lead in self:
            lead.sales_process_stage_skip_request_id = (
                lead.sales_process_stage_skip_request_ids.filtered(
                    lambda request: request.state == "pending"
                )[:1]
            )

    def _compute_sales_process_stalled(self):
        stalled = set(self._sales_process_stalled_ids(self._origin.ids))
        for lead in self:
            lead.sales_process_stalled = lead._origin.id in stalled

    def _compute_rotting(self):
        """Odoo's rotting badge is the Stalled of the module: a lead rots in a
        stage with days to rot when it is stalled, so a lead whose rep planned
        or did an activity does not rot."""
        super()._compute_rotting()
        rotting = self.filtered("is_rotting")
        if not rotting:
            return
        stalled = set(self._sales_process_stalled_ids(rotting._origin.ids))
        for lead in rotting:
            if lead._origin.id not in stalled:
                lead.is_rotting = False
                lead.rotting_days = 0

    def _search_is_rotting(self, operator, value):
        rotting = Domain(super()._search_is_rotting("in", [True])) & Domain(
            self._search_sales_process_stalled("in", [True])
        )
        wanted = set(value) if operator == "in" else {True, False} - set(value)
        return (rotting if True in wanted else Domain.FALSE) | (
            ~rotting if False in wanted else Domain.FALSE
        )

    def _search_sales_process_stalled(self, operator, value):
        if operator != "in":
            return NotImplemented
        self._sales_process_flush_stalled()
        # a subquery: the stalled leads are never read into a list
        stalled = Domain("id", "in", self._sales_process_stalled_query())
        return (stalled if True in value else Domain.FALSE) | (
            ~stalled if False in value else Domain.FALSE
        )

    def _sales_process_flush_stalled(self):
        for model, fnames in STALLED_DEPENDS.items():
            self.env[model].flush_model(fnames)

    def _sales_process_stalled_query(self, ids=None):
        """SQL selecting the ids of the stalled leads now, among ``ids`` if given."""
        return SQL(
            "SELECT lead.id FROM crm_lead lead WHERE %s %s",
            stalled_condition(SQL("lead"), fields.Datetime.now()),
            SQL("AND lead.id = ANY(%s)", list(ids)) if ids is not None else SQL(),
        )

    def _sales_process_stalled_ids(self, ids):
        """Ids of the stalled leads now among ``ids``."""
        self._sales_process_flush_stalled()
        return [
            id_
            for (id_,) in self.env.execute_query(
                self._sales_process_stalled_query(ids)
            )
        ]

    def _assignment_open_domain(self):
        return [("probability", "<", 100)]

    def action_sales_process_mark_complex(self):
        """Open a new complex request for the opportunity."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as Complex"),
            "res_model": "sales.process.complex.request",
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "sales_process_automation.sales_process_complex_request_view_form_new"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_sales_process_complex_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_automation.sales_process_complex_request_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def write(self, vals):
        # Moves made by the system (superuser) are never held: an approved
        # skip, a signed contract. A context key would not do: the client
        # sends the context.
        leads = self
        if vals.get("stage_id") and not self.env.su:
            skips = self._stage_skips(vals["stage_id"])
            if skips:
                leads = self - self._stage_skip_hold(vals, skips)
                if not leads:
                    return True
        result = super(CrmLead, leads).write(vals)
        if vals.keys() & {"active", "probability"}:
            # lost or restored: the funnel counts a lost lead in its last stage
            self.env["sales.process.stage.history"]._refresh_funnel_flags(leads.ids)
        if "stage_id" in vals:
            leads._stage_skip_withdraw()
        if vals.get("stage_id"):
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.sales_process_contract_signed:
                leads.order_ids._contract_chain_start("crm_stage")
        return result

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        self._sales_process_merge_dependences(opportunities)
        return result

    def _sales_process_merge_dependences(self, opportunities):
        """Give the stage history and requests of merged leads to ``self``.

        The merged leads are deleted: their open stage rows close now and
        their pending stage skips are withdrawn; their complex requests stay
        in the reports, on the surviving lead.
        """
        self.ensure_one()
        opportunities._stage_skip_withdraw()
        # sudo: the history and the requests belong to the process, not to
        # whoever merges; deleting the merged leads would delete them
        History = self.env["sales.process.stage.history"].sudo()
        History._close_open_rows("lead_id", opportunities.ids, fields.Datetime.now())
        domain = Domain("lead_id", "in", opportunities.ids)
        History.search(domain).write({"lead_id": self.id})
        for model in (
            "sales.process.complex.request",
            "sales.process.stage.skip.request",
        ):
            # the opportunity of a request under review changes only here
            self.env[model].sudo().with_context(skip_validation_check=True).search(
                domain
            ).write({"lead_id": self.id})

    def _stage_skips(self, stage_id):
        """The mandatory stages each lead would skip moving to ``stage_id``.

        The same few queries whatever the number of leads: the mandatory
        stages, the leads' current stages and teams, and the history rows of
        the mandatory stages.
        """
        stage = self.env["crm.stage"].browse(stage_id)
        mandatory = self.env["crm.stage"].search(
            [
                ("sales_process_mandatory", "=", True),
                ("sequence", "<", stage.sequence),
            ]
        )
        if not mandatory:
            return {}
        leads = self.filtered("active")
        candidates = {
            lead: stages
            for lead in leads
            if (
                stages := mandatory.filtered(
                    lambda mandatory_stage, lead=lead: (
                        lead.stage_id.sequence < mandatory_stage.sequence
                        and (
                            not mandatory_stage.team_ids
                            or lead.team_id in mandatory_stage.team_ids
                        )
                    )
                )
            )
        }
        if not candidates:
            return {}
        # sudo: the history says which stages a lead entered, whoever moves it
        entered = set(
            self.env["sales.process.stage.history"]
            .sudo()
            ._read_group(
                Domain("lead_id", "in", [lead.id for lead in candidates])
                & Domain("crm_stage_id", "in", mandatory.ids),
                ["lead_id", "crm_stage_id"],
            )
        )
        skips = {}
        for lead, stages in candidates.items():
            skipped = stages.filtered(
                lambda mandatory_stage, lead=lead: (
                    (lead, mandatory_stage) not in entered
                )
            )
            if skipped:
                skips[lead] = skipped
        return skips

    def _stage_skip_hold(self, vals, skips):
        """Keep the leads that would skip a mandatory stage where they are.

        Each gets a stage skip request; the rest of ``vals`` is written, but
        not the stage nor what comes with it (a won probability). Returns the
        held leads.
        """
        held = self.browse([lead.id for lead in skips])
        rest = {
            key: value
            for key, value in vals.items()
            if key not in ("stage_id", "probability")
        }
        if rest:
            super(CrmLead, held).write(rest)
        held._stage_skip_withdraw()
        self.env["sales.process.stage.skip.request"].create(
            [
                {
                    "lead_id": lead.id,
                    "from_stage_id": lead.stage_id.id,
                    "to_stage_id": vals["stage_id"],
                    "skipped_stage_ids": [Command.set(skipped.ids)],
                }
                for lead, skipped in skips.items()
            ]
        )
        # a dragged card goes back to its column: say why
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning",
                "title": self.env._("Approval needed"),
                "message": self.env._(
                    "%(leads)s skip(s) a mandatory stage: the move waits for a "
                    "manager's approval.",
                    leads=", ".join(held.mapped("name")),
                ),
            },
        )
        return held

    def _stage_skip_withdraw(self):
        """Withdraw the pending stage skip requests of the leads."""
        # sudo: a new move of the opportunity makes its pending request
        # pointless, whoever moves it
        self.env["sales.process.stage.skip.request"].sudo().search(
            [("lead_id", "in", self.ids), ("state", "=", "pending")]
        ).write({"state": "cancel"})
