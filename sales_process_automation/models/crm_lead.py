# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.lead_keys import company_key, email_key, phone_key
from ..tools.stalled_leads import STALLED_DEPENDS, stalled_condition

COMPANY_SIZES = [
    ("1_10", "1-10 employees"),
    ("11_50", "11-50 employees"),
    ("51_200", "51-200 employees"),
    ("201_1000", "201-1,000 employees"),
    ("1000_plus", "More than 1,000 employees"),
]
BUDGET_RANGES = [
    ("lt_10k", "Under 10,000"),
    ("10k_50k", "10,000-50,000"),
    ("50k_200k", "50,000-200,000"),
    ("gt_200k", "Over 200,000"),
]
# the required columns of the lead import template; one of the contact
# details (phone, email) is enough
TEMPLATE_REQUIRED_FIELDS = [
    "name",
    "partner_name",
    "contact_name",
    "sales_process_industry_id",
    "description",
    "source_id",
]
TEMPLATE_CONTACT_FIELDS = ["phone", "email_from"]


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

    sales_process_industry_id = fields.Many2one(
        "res.partner.industry", string="Industry", index="btree_not_null"
    )
    sales_process_company_size = fields.Selection(COMPANY_SIZES, string="Company Size")
    sales_process_budget_range = fields.Selection(BUDGET_RANGES, string="Budget Range")
    # the same customer, whatever the way its phone and name are written:
    # found by an indexed equality (tools/lead_keys.py)
    sales_process_phone_key = fields.Char(
        string="Phone Key",
        compute="_compute_sales_process_phone_key",
        store=True,
        index="btree_not_null",
    )
    sales_process_company_key = fields.Char(
        string="Company Key",
        compute="_compute_sales_process_company_key",
        store=True,
        index="btree_not_null",
    )
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
        # stored: a stage change withdraws a pending request, and most leads
        # have none; the lead's own row says so without a search
        store=True,
    )
    sales_process_feedback_request_ids = fields.One2many(
        "sales.process.feedback.request", "lead_id", string="Feedback Surveys"
    )
    sales_process_feedback_count = fields.Integer(
        string="Feedback Survey Count",
        compute="_compute_sales_process_feedback_count",
    )

    @api.depends("sales_process_feedback_request_ids.state")
    def _compute_sales_process_feedback_count(self):
        counts = dict(
            self.env["sales.process.feedback.request"]._read_group(
                [("lead_id", "in", self.ids), ("state", "=", "invite")],
                ["lead_id"],
                ["__count"],
            )
        )
        for lead in self:
            lead.sales_process_feedback_count = counts.get(lead, 0)

    @api.depends("sales_process_stage_skip_request_ids.state")
    def _compute_sales_process_stage_skip_request_id(self):
        for lead in self:
            lead.sales_process_stage_skip_request_id = (
                lead.sales_process_stage_skip_request_ids.filtered(
                    lambda request: request.state == "pending"
                )[:1]
            )

    @api.depends("phone", "country_id", "company_id")
    def _compute_sales_process_phone_key(self):
        for lead in self:
            lead.sales_process_phone_key = (
                phone_key(lead.phone, lead._sales_process_country_code()) or False
            )

    def _sales_process_country_code(self):
        """Calling code of the lead's country, else its company's."""
        country = (
            self.country_id or self.company_id.country_id or self.env.company.country_id
        )
        return country.phone_code or ""

    @api.depends("partner_name")
    def _compute_sales_process_company_key(self):
        for lead in self:
            lead.sales_process_company_key = company_key(lead.partner_name) or False

    @api.depends("sales_process_phone_key", "sales_process_company_key")
    def _compute_potential_lead_duplicates(self):
        """Odoo's similar leads, plus the same phone written another way and
        the same company name without its case, punctuation or legal form."""
        result = super()._compute_potential_lead_duplicates()
        for lead in self:
            domain = Domain.OR(
                Domain(fname, "=", lead[fname])
                for fname in ("sales_process_phone_key", "sales_process_company_key")
                if lead[fname]
            )
            if domain.is_false():
                continue
            # like Odoo's: archived leads count, the lead itself is included
            similar = lead.with_context(active_test=False).search(
                domain & Domain("id", "!=", lead._origin.id), limit=20
            )
            duplicates = lead.duplicate_lead_ids | similar
            lead.duplicate_lead_ids = duplicates
            lead.duplicate_lead_count = len(duplicates - lead)
        return result

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
            for (id_,) in self.env.execute_query(self._sales_process_stalled_query(ids))
        ]

    def _assignment_open_domain(self):
        return [("probability", "<", 100)]

    def _assignment_creator_sees_all(self):
        return self.env.user.has_group("sales_team.group_sale_salesman_all_leads")

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import template for leads"),
                "template": "/sales_process_automation/static/xls/"
                "sales_process_lead_import_template.xlsx",
            },
            *super().get_import_templates(),
        ]

    def _load_records(self, data_list, update=False):
        """Leave out, or write on the existing lead, the imported rows of a
        customer that is already a lead, as the import's duplicate option
        says (``sales_process_duplicates``: skip or update)."""
        mode = self.env.context.get("sales_process_duplicates")
        report = self.env.context.get("sales_process_duplicate_report")
        if mode not in ("skip", "update") or report is None:
            return super()._load_records(data_list, update)
        kept = []
        matches = self._sales_process_import_matches(
            [data["values"] for data in data_list]
        )
        for data, (existing, earlier) in zip(data_list, matches, strict=True):
            row = data["info"]["rows"]["from"]
            if (
                data.get("xml_id")
                or data["values"].get("id")
                or not (existing or earlier is not None)
            ):
                kept.append(data)
            elif earlier is not None:
                report[row] = (
                    "skip_row",
                    data_list[earlier]["info"]["rows"]["from"],
                    "",
                )
            elif (
                existing
                and mode == "update"
                and existing.with_env(self.env)._filtered_access("write")
            ):
                # the row completes the lead: its empty cells erase nothing
                data["values"] = {
                    **{key: value for key, value in data["values"].items() if value},
                    "id": existing.id,
                }
                kept.append(data)
                report[row] = ("update", existing.id, existing.display_name)
            else:
                report[row] = ("skip", existing.id, existing.display_name)
        return super()._load_records(kept, update)

    def _sales_process_import_matches(self, vals_list):
        """The existing lead, or the earlier row of ``vals_list``, each of the
        values is a duplicate of: ``[(lead, row index or None)]``.

        One query whatever the number of rows: the keys are stored and indexed.
        """
        country_code = self.env.company.country_id.phone_code or ""
        keys = [
            {
                "email_normalized": email_key(vals.get("email_from")),
                "sales_process_phone_key": phone_key(vals.get("phone"), country_code),
                "sales_process_company_key": company_key(vals.get("partner_name")),
            }
            for vals in vals_list
        ]
        domain = Domain.OR(
            Domain(fname, "in", values)
            for fname in (
                "email_normalized",
                "sales_process_phone_key",
                "sales_process_company_key",
            )
            if (values := {key[fname] for key in keys if key[fname]})
        )
        found = {}
        if not domain.is_false():
            # sudo: a customer is a duplicate whoever owns its lead, within
            # the companies the importer works in
            leads = self.sudo().search(
                domain & Domain("company_id", "in", [*self.env.companies.ids, False]),
                order="id",
            )
            for fname in keys[0] if keys else ():
                for lead in leads:
                    found.setdefault((fname, lead[fname]), lead)
        matches, seen = [], {}
        for index, row_keys in enumerate(keys):
            pairs = [(fname, value) for fname, value in row_keys.items() if value]
            existing = next(
                (found[pair] for pair in pairs if pair in found), self.browse()
            )
            earlier = next((seen[pair] for pair in pairs if pair in seen), None)
            matches.append((existing, earlier))
            for pair in pairs:
                seen.setdefault(pair, index)
        return matches

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

    def action_sales_process_view_feedback(self):
        self.ensure_one()
        return self.env["sales.process.feedback.request"]._action_open(
            [("lead_id", "=", self.id), ("state", "=", "invite")]
        )

    def action_sales_process_complex_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_automation.sales_process_complex_request_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    @api.model_create_multi
    def create(self, vals_list):
        # the rules run once mail.thread has created and subscribed the leads:
        # a rule may give a lead to the user who creates it
        return super().create(vals_list)._assignment_on_create()

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
        to_refresh = leads
        if vals.keys() & {"active", "probability"} and vals.get("stage_id"):
            # the new stage's row refreshes the funnel flags of the leads it
            # moves (modules such as crm_stage_probability write the stage's
            # probability with it)
            to_refresh = leads.filtered(
                lambda lead: lead.stage_id.id == vals["stage_id"]
            )
        result = super(CrmLead, leads).write(vals)
        if vals.keys() & {"active", "probability"} and to_refresh:
            # lost or restored: the funnel counts a lost lead in its last stage
            self.env["sales.process.stage.history"]._refresh_funnel_flags(
                to_refresh.ids
            )
        if "stage_id" in vals:
            leads._stage_skip_withdraw()
        if vals.get("stage_id"):
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.sales_process_contract_signed:
                leads.order_ids._contract_chain_start("crm_stage")
        return result

    def action_sales_process_stage_done(self):
        """The current stage is done: on to the next stage of the team's process.

        A move past a mandatory stage still waits for its approval.
        """
        self.ensure_one()
        stage = self._sales_process_next_stage()
        if not stage:
            raise UserError(
                self.env._(
                    "%(stage)s is the last stage of the process of %(lead)s.",
                    stage=self.stage_id.name,
                    lead=self.name,
                )
            )
        self.write({"stage_id": stage.id})
        return True

    def _sales_process_next_stage(self):
        """The stage after the current one in the process of the lead's team:
        its steps, else the default steps, else the team's stages."""
        self.ensure_one()
        stages = self.env["sales.process.step"]._process_stages(self.team_id)
        current = (self.stage_id.sequence, self.stage_id.id)
        return stages.filtered(lambda stage: (stage.sequence, stage.id) > current)[:1]

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

        No query when no stage is mandatory (the mandatory stages are cached);
        else the same few whatever the number of leads: the stages, the leads'
        current stages and teams, and the history rows of the mandatory stages.
        """
        Stage = self.env["crm.stage"]
        mandatory_stages = Stage._sales_process_mandatory_stages()
        if not mandatory_stages:
            return {}
        sequence = Stage.browse(stage_id).sequence
        mandatory_stages = [
            (stage, stage_sequence, team_ids)
            for stage, stage_sequence, team_ids in mandatory_stages
            if stage_sequence < sequence
        ]
        if not mandatory_stages:
            return {}
        leads = self.filtered("active")
        candidates = {
            lead: Stage.browse(
                stage
                for stage, stage_sequence, team_ids in mandatory_stages
                if lead.stage_id.sequence < stage_sequence
                and (not team_ids or lead.team_id.id in team_ids)
            )
            for lead in leads
        }
        candidates = {lead: stages for lead, stages in candidates.items() if stages}
        if not candidates:
            return {}
        # sudo: the history says which stages a lead entered, whoever moves it
        entered = set(
            self.env["sales.process.stage.history"]
            .sudo()
            ._read_group(
                Domain("lead_id", "in", [lead.id for lead in candidates])
                & Domain(
                    "crm_stage_id",
                    "in",
                    [stage for stage, _sequence, _team_ids in mandatory_stages],
                ),
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
        """Withdraw the pending stage skip requests of the leads.

        No query when none of them has one pending.
        """
        if not self.sales_process_stage_skip_request_id:
            return
        # sudo: a new move of the opportunity makes its pending request
        # pointless, whoever moves it
        self.env["sales.process.stage.skip.request"].sudo().search(
            [("lead_id", "in", self.ids), ("state", "=", "pending")]
        ).write({"state": "cancel"})
