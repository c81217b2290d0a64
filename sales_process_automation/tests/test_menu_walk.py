# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import inspect

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import datetime, dateutil, safe_eval, time

from .common import SIGNATURE, SalesProcessCommon

ACT_WINDOW = "ir.actions.act_window"
CLIENT_ACTION = "ir.actions.client"
MODULE = "sales_process_automation"
# what the web client reads to draw each kind of view, without a browser
RELATIONAL = ("many2one", "one2many", "many2many", "many2one_reference")


@tagged("post_install", "-at_install")
class TestMenuWalk(SalesProcessCommon):
    """Every menu each role sees opens: its action's views load, and so do the
    records, groups and defaults the web client reads to draw them.

    A field a role may not read in a view it may open fails the whole view
    in the browser (e.g. a form showing records of a model only Settings may
    read); this walk finds it without a browser, for every role.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance, cls.agent = cls._create_back_office("spa_walk")
        cls.employee = new_test_user(
            cls.env, login="spa_walk_employee", groups="base.group_user"
        )
        cls.other_company_rep = cls._create_user_of_new_company(
            "Walk Other Company", "spa_walk_other_rep", "sales_team.group_sale_salesman"
        )
        # records in every list and form, with their stage history
        leads = cls._create_leads(2)
        leads[0].stage_id = cls.stages[1]
        cls._create_orders(1)
        cls.ticket = cls._create_tickets(1)
        # a signed contract: its chain, invoice, finance activity and ticket
        policy = cls.env["sales.process.contract.policy"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        policy.write(
            {
                "finance_user_id": cls.finance.id,
                "helpdesk_team_id": cls.helpdesk_team.id,
            }
        )
        cls.company.sales_process_contract_chain_sync = True
        signed = cls._create_orders(1, opportunity_id=leads[1].id)
        signed.order_line.product_id.invoice_policy = "order"
        signed.write({"signature": SIGNATURE, "signed_by": "Li Wei"})
        signed.with_user(cls.rep_east).action_confirm()
        cls.signed = signed
        # configuration that points to records only Settings may read
        cls.env["sales.process.sla.policy"].create(
            {
                "name": "Proposal within 5 days",
                "res_model": "crm.lead",
                "crm_stage_id": cls.stages[1].id,
                "duration": 5,
                "duration_unit": "days",
                "breach_action_id": cls.env["ir.actions.server"]
                .create(
                    {
                        "name": "Flag the breached lead",
                        "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                        "state": "code",
                        "code": "records.write({'priority': '3'})",
                    }
                )
                .id,
            }
        )

    def _eval_context(self, user):
        company_ids = user.company_ids.ids
        return {
            "uid": user.id,
            "user": user,
            "context_today": datetime.date.today,
            "datetime": datetime,
            "relativedelta": dateutil.relativedelta.relativedelta,
            "time": time,
            "allowed_company_ids": company_ids,
            "current_company_id": user.company_id.id,
            "active_id": False,
            "active_ids": [],
        }

    def _specification(self, models_info, model_name, arch):
        """The fields of ``arch`` (of ``model_name``) the client reads, with the
        fields of the list or kanban inside an x2many field, as it asks them."""
        fields_info = models_info[model_name]["fields"]
        # the x2many field whose sub-view ``arch`` is, if it is one
        owner = next(arch.iterancestors("field"), None)
        spec = {}
        for node in arch.iter("field"):
            name = node.get("name")
            # a field of a sub-view inside ``arch`` is read with its x2many
            if next(node.iterancestors("field"), None) is not owner:
                continue
            if name not in fields_info:
                continue
            field_type = fields_info[name]["type"]
            subview = next(
                (child for child in node if child.tag in ("list", "kanban")), None
            )
            if field_type in ("one2many", "many2many") and subview is not None:
                spec[name] = {
                    "fields": self._specification(
                        models_info, fields_info[name]["relation"], subview
                    ),
                    "limit": 40,
                }
            elif field_type in RELATIONAL:
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec.setdefault(name, {})
        return spec

    def _groupby(self, fields_info, arch, view_type):
        groupby = []
        for node in arch.iter("field"):
            name = node.get("name")
            if name not in fields_info or node.get("type") == "measure":
                continue
            if view_type == "pivot" and node.get("type") != "row":
                continue
            if fields_info[name]["type"] in ("date", "datetime"):
                name = f"{name}:{node.get('interval') or 'month'}"
            groupby.append(name)
        return groupby[: 2 if view_type == "pivot" else 1]

    def _open_view(self, model, domain, view_type, arch, models_info):
        fields_info = models_info[model._name]["fields"]
        spec = self._specification(models_info, model._name, arch)
        if view_type == "kanban" and arch.get("default_group_by"):
            model.web_read_group(
                domain,
                [arch.get("default_group_by")],
                ["__count"],
                auto_unfold=True,
                unfold_read_specification=spec,
                unfold_read_default_limit=40,
            )
        elif view_type in ("list", "kanban"):
            model.web_search_read(domain, spec, limit=40)
        elif view_type in ("pivot", "graph"):
            measures = [
                f"{node.get('name')}:{fields_info[node.get('name')]['aggregator']}"
                for node in arch.iter("field")
                if node.get("type") == "measure"
                and fields_info.get(node.get("name"), {}).get("aggregator")
            ]
            model.formatted_read_group(
                domain,
                self._groupby(fields_info, arch, view_type),
                [*measures, "__count"],
            )
        elif view_type == "form":
            # the newest: those of this test among them
            records = model.search(domain, limit=5, order="id desc")
            if records:
                records.web_read(spec)
            # a new record of a model the add-on gives fields: its defaults
            if model.has_access("create") and any(
                field._module == MODULE for field in model._fields.values()
            ):
                model.onchange({}, [], spec)
            self._open_dropdowns(model, arch)
            return self._button_actions(records, arch)
        else:
            model.search(domain, limit=5)
        return []

    def _open_dropdowns(self, model, arch):
        """Search what the drop-downs of the add-on's editable relational
        fields of the form offer, as a user who may edit the form does."""
        if not model.has_access("write"):
            return
        for node in arch.iter("field"):
            field = model._fields.get(node.get("name"))
            if (
                field is None
                or field.type not in ("many2one", "many2many")
                or field._module != MODULE
                or field.readonly
                or node.get("readonly") in ("1", "True")
                or next(node.iterancestors("field"), None) is not None
            ):
                continue
            model.env[field.comodel_name].name_search("", limit=8)

    def _button_actions(self, records, arch):
        """``[(button, action)]``: the windows the add-on's buttons of the form
        ``arch`` open on ``records`` (smart buttons, links, wizards). What a
        button changes is rolled back with the view's savepoint. A button
        hidden on a record may refuse it (UserError); nothing is opened."""
        actions = []
        for button in arch.iter("button"):
            name = button.get("name")
            if (
                button.get("type") != "object"
                # the buttons of the lines of a sub-view act on the lines
                or next(button.iterancestors("field"), None) is not None
                or not hasattr(type(records), name)
                or f"/{MODULE}/"
                not in inspect.getsourcefile(getattr(type(records), name))
            ):
                continue
            for record in records:
                try:
                    action = getattr(record, name)()
                except UserError:
                    continue
                if isinstance(action, dict) and action.get("type") == ACT_WINDOW:
                    actions.append((name, action))
        return actions

    def _walk(self, user):
        """``[(menu, model, view type, error)]`` of the menus ``user`` sees,
        of the windows the add-on's buttons of their forms open, and of the
        add-on's dashboards."""
        env = self.env(user=user, context=user.context_get())
        failures = []
        for menu in env["ir.ui.menu"].load_menus(False).values():
            if menu.get("action_model") == CLIENT_ACTION:
                self._open_dashboard(env, menu, failures)
            if menu.get("action_model") != ACT_WINDOW:
                continue
            # sudo: the client reads the action of a menu it shows (load_action)
            action = env[ACT_WINDOW].sudo().browse(menu["action_id"]).read()[0]
            for button, button_action in self._open_action(
                env, action, menu["name"], failures
            ):
                self._open_action(
                    env, button_action, f"{menu['name']} > {button}", failures
                )
        return failures

    def _open_dashboard(self, env, menu, failures):
        """The add-on's dashboard of the menu, as its client action draws it:
        its blocks, the views they embed, and what its tiles and rows open."""
        # sudo: the client reads the action of a menu it shows (load_action)
        action = env[CLIENT_ACTION].sudo().browse(menu["action_id"])
        if action.tag != "sales_process_dashboard":
            return
        try:
            blocks = env["sales.process.dashboard"].get_dashboard(
                action.params["role"]
            )["blocks"]
        except Exception as error:  # noqa: BLE001 - the walk lists them all
            failures.append((menu["name"], "dashboard", "blocks", repr(error)))
            return
        actions = []
        for block in blocks:
            if block["kind"] == "view":
                actions.append(
                    {
                        "res_model": block["resModel"],
                        "views": [(block["viewId"], block["viewType"])],
                        "domain": block["domain"],
                    }
                )
            for tile in block.get("tiles", []):
                tile = env["sales.process.dashboard.tile"].browse(tile["id"])
                actions.append(tile.action_open())
            actions += [
                row["action"] for row in block.get("rows", []) if row.get("action")
            ]
        for action in actions:
            self._open_action(env, action, f"{menu['name']} (dashboard)", failures)

    def _open_action(self, env, action, label, failures):
        """Open the window ``action`` as the client does; the actions of the
        add-on's buttons of its forms. Errors go to ``failures``."""
        eval_context = self._eval_context(env.user)
        context, domain = action.get("context") or {}, action.get("domain") or []
        if isinstance(context, str):
            context = safe_eval(context, eval_context)
        if isinstance(domain, str):
            domain = safe_eval(domain, eval_context)
        if action.get("res_id"):
            domain = [("id", "=", action["res_id"])]
        model = env[action["res_model"]].with_context(**context)
        views = [tuple(view) for view in action.get("views") or []] or [
            (False, view_type) for view_type in action["view_mode"].split(",")
        ]
        search_view = action.get("search_view_id") or False
        views.append((search_view and search_view[0], "search"))
        try:
            loaded = model.get_views(views, {"load_filters": True})
        except Exception as error:  # noqa: BLE001 - the walk lists them all
            failures.append((label, model._name, "views", repr(error)))
            return []
        button_actions = []
        for view_type, view in loaded["views"].items():
            if view_type == "search":
                continue
            arch = etree.fromstring(view["arch"])
            # a new request: nothing read as superuser before is in cache
            self.env.invalidate_all()
            try:
                with self.env.cr.savepoint():
                    button_actions += self._open_view(
                        model, domain, view_type, arch, loaded["models"]
                    )
            except Exception as error:  # noqa: BLE001 - the walk lists them all
                failures.append((label, model._name, view_type, repr(error)))
        return button_actions

    def test_the_walk_reads_a_whole_contract_chain(self):
        chain = self.signed.sales_process_contract_chain_ids
        self.assertEqual(chain.state, "done")
        self.assertEqual(chain.invoice_ids.state, "posted")
        self.assertTrue(
            self.env["helpdesk.ticket"].search(
                [("sale_order_ids", "in", self.signed.ids)]
            )
        )

    def test_every_menu_opens_for_every_role(self):
        roles = {
            "rep": self.rep_east,
            "team leader": self.director,
            "sales process administrator": self.process_admin,
            "finance": self.finance,
            "helpdesk agent": self.agent,
            "employee": self.employee,
            "another company's rep": self.other_company_rep,
            "settings administrator": self.env.ref("base.user_admin"),
        }
        for role, user in roles.items():
            with self.subTest(role=role):
                self.assertEqual(self._walk(user), [])

    def test_policy_form_without_server_actions_for_a_process_administrator(self):
        """Server actions are for Settings: the forms of contract and SLA
        policies open for a Sales Process administrator, without them."""
        Policy = self.env["sales.process.contract.policy"]
        policy = Policy.search([("company_id", "=", self.company.id)], limit=1)
        arch = Policy.with_user(self.process_admin).get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertNotIn('name="server_action_ids"', arch)
        self.assertIn('name="helpdesk_team_id"', arch)
        policy.with_user(self.process_admin).web_read({"name": {}})
        with self.assertRaises(AccessError):
            policy.with_user(self.process_admin).web_read(
                {"server_action_ids": {"fields": {"display_name": {}}}}
            )
        admin_arch = Policy.with_user(self.env.ref("base.user_admin")).get_views(
            [(False, "form")]
        )["views"]["form"]["arch"]
        self.assertIn('name="server_action_ids"', admin_arch)
        # the action on breach of an SLA policy alike: its drop-down would
        # search the server actions
        SlaPolicy = self.env["sales.process.sla.policy"]
        for user, shown in (
            (self.process_admin, False),
            (self.env.ref("base.user_admin"), True),
        ):
            arch = SlaPolicy.with_user(user).get_views([(False, "form")])["views"][
                "form"
            ]["arch"]
            self.assertEqual('name="breach_action_id"' in arch, shown)

    def test_ticket_rows_name_their_ticket_for_whoever_reads_the_row(self):
        """The Sales Process administrator is no helpdesk user: the stage rows
        of a ticket still name it (the Stage Tracking list)."""
        self.assertFalse(self.ticket.with_user(self.process_admin).has_access("read"))
        rows = self.History.with_user(self.process_admin).search(
            [("ticket_id", "=", self.ticket.id)]
        )
        self.assertTrue(rows)
        self.env.invalidate_all()
        self.assertEqual(
            rows.web_read({"display_name": {}})[0]["display_name"],
            self.ticket.display_name,
        )

    def test_approvers_whatever_companies_the_reader_may_read(self):
        """A manager who also works in company B approves the quotations of
        company A: a leader of company A alone sees them as approvers."""
        company_b = self.env["res.company"].create({"name": "Walk Company B"})
        manager = new_test_user(
            self.env,
            login="spa_walk_manager",
            groups="sales_team.group_sale_manager,"
            "sales_process_automation.group_manager",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | company_b).ids)],
        )
        # West has no leader: the company's managers approve
        order = self._create_orders(
            1, team_id=self.team_west.id, user_id=self.rep_west.id
        )
        self.env.invalidate_all()
        approvers = order.with_user(self.director).sales_process_approver_ids
        self.assertIn(manager, approvers)
        self.assertNotIn(self.rep_west, approvers)
