# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import csv
import io

from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools.misc import file_open

from .common import SalesProcessCommon

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [
    "Opportunity",
    "Company Name",
    "Contact Name",
    "Phone",
    "Email",
    "Industry",
    "Notes",
    "Source",
    "Company Size",
    "Budget Range",
    "Tags",
    "Salesperson",
]


@tagged("post_install", "-at_install")
class TestImportLeads(SalesProcessCommon):
    """A rep imports leads through Odoo's import with the lead template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.importer = new_test_user(
            cls.env,
            login="spa_importer",
            groups="sales_team.group_sale_salesman,sales_process_automation.group_user",
        )
        cls.Lead = cls.env["crm.lead"]
        cls.existing = cls.Lead.create(
            {
                "name": "Existing",
                "partner_name": "Shenzhen Tengda Technology Co., Ltd.",
                "email_from": "li.wei@tengda.example.com",
                "phone": "+86 138 0013 8000",
                "user_id": cls.rep_west.id,
            }
        )

    def _row(self, **values):
        row = dict.fromkeys(HEADER, "")
        company = values.get("Company Name", "Another Company")
        row.update(
            {
                "Opportunity": "New deal",
                "Company Name": company,
                "Contact Name": "Zhang San",
                "Email": "zhang@%s.example.com" % company.replace(" ", "").lower(),
                "Industry": "Manufacturing",
                "Notes": "Wants a quote",
                "Source": "Search engine",
            }
        )
        row.update(values)
        return [row[column] for column in HEADER]

    def _csv(self, rows, header=None):
        header = header or HEADER
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()

    def _import(self, content, dryrun=False, mimetype="text/csv", **options):
        wizard = (
            self.env["base_import.import"]
            .with_user(self.importer)
            .create({"res_model": "crm.lead", "file": content, "file_type": mimetype})
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "encoding": "utf-8",
            **options,
        }
        preview = wizard.parse_preview(options)
        self.assertNotIn("error", preview)
        fields = [
            "/".join(preview["matches"].get(index, [])) or False
            for index in range(len(preview["headers"]))
        ]
        result = wizard.execute_import(
            fields, preview["headers"], options, dryrun=dryrun
        )
        return fields, result

    def _twice_count(self):
        return self.Lead.search_count([("partner_name", "=", "Twice Ltd")])

    # ------------------------------------------------------------------
    # Template
    # ------------------------------------------------------------------

    def test_template_offered_and_round_trip(self):
        templates = self.Lead.with_user(self.importer).get_import_templates()
        self.assertEqual(templates[0]["label"], "Import template for leads")
        path = templates[0]["template"].lstrip("/")
        with file_open(path, "rb") as template:
            content = template.read()
        fields, result = self._import(content, dryrun=True, mimetype=XLSX)
        self.assertEqual(
            fields,
            [
                "name",
                "partner_name",
                "contact_name",
                "phone",
                "email_from",
                "sales_process_industry_id",
                "description",
                "source_id",
                "sales_process_company_size",
                "sales_process_budget_range",
                "tag_ids",
                "user_id",
            ],
            "every column maps to its field by its label",
        )
        # the example row is the customer of the existing lead: skipped
        self.assertIn("is skipped", result["messages"][0]["message"])
        self.existing.unlink()
        _fields, result = self._import(content, mimetype=XLSX)
        self.assertEqual(result["messages"], [])
        lead = self.Lead.browse(result["ids"])
        self.assertEqual(lead.partner_name, "Shenzhen Tengda Technology Co., Ltd.")
        self.assertEqual(lead.sales_process_industry_id.name, "Manufacturing")
        self.assertEqual(lead.source_id.name, "Search engine")
        self.assertEqual(lead.sales_process_company_size, "201_1000")
        self.assertEqual(lead.sales_process_budget_range, "50k_200k")
        self.assertEqual(lead.sales_process_phone_key, "8613800138000")

    # ------------------------------------------------------------------
    # Required columns
    # ------------------------------------------------------------------

    def test_missing_required_values_in_test_mode(self):
        content = self._csv(
            [
                self._row(),
                self._row(Industry="", **{"Company Name": "Third Co"}),
                self._row(Phone="", Email="", Notes=" ", **{"Company Name": "Fourth"}),
            ]
        )
        count = self.Lead.search_count([])
        _fields, result = self._import(content, dryrun=True)
        self.assertEqual(
            [
                (message["message"], message.get("field"))
                for message in result["messages"]
            ],
            [
                ("Row 3: Industry is required.", "sales_process_industry_id"),
                ("Row 4: Notes is required.", "description"),
                ("Row 4: a Phone or an Email is required.", "phone"),
            ],
        )
        _fields, result = self._import(content)
        self.assertFalse(result["ids"])
        self.assertEqual(len(result["messages"]), 3)
        self.assertEqual(self.Lead.search_count([]), count, "nothing half-imported")

    def test_other_lead_imports_not_constrained(self):
        content = self._csv([["Bare lead", ""]], header=["Opportunity", "Industry"])
        _fields, result = self._import(content)
        self.assertEqual(result["messages"], [])
        self.assertEqual(self.Lead.browse(result["ids"]).name, "Bare lead")

    # ------------------------------------------------------------------
    # Duplicates
    # ------------------------------------------------------------------

    def test_duplicate_rules(self):
        rows = {
            "email": self._row(Email="LI.WEI@Tengda.Example.com", Phone=""),
            "phone 0086": self._row(Phone="0086 138-0013-8000", Email=""),
            "national phone": self._row(Phone="138 0013 8000", Email=""),
            "company": self._row(**{"Company Name": "SHENZHEN TENGDA TECHNOLOGY LTD"}),
        }
        self.env.company.country_id = self.env.ref("base.cn")
        for rule, row in rows.items():
            with self.subTest(rule=rule):
                _fields, result = self._import(self._csv([row]), dryrun=True)
                self.assertEqual(
                    [message["message"] for message in result["messages"]],
                    ["Row 2 is skipped: the customer is already the lead Existing."],
                )
        _fields, result = self._import(self._csv([self._row()]), dryrun=True)
        self.assertEqual(result["messages"], [], "another customer is no duplicate")

    def test_duplicate_chinese_company_name(self):
        self.existing.partner_name = "深圳市腾达科技有限公司"
        row = self._row(**{"Company Name": "深圳市腾达科技股份有限公司"})
        _fields, result = self._import(self._csv([row]))
        self.assertFalse(result["ids"])
        self.assertEqual(self.Lead.search_count([("partner_name", "like", "腾达")]), 1)

    def test_duplicate_choices(self):
        self.existing.user_id = self.importer
        row = self._row(Phone="0086 13800138000", Notes="New requirement")
        same_twice = self._row(**{"Company Name": "Twice Ltd"})
        content = self._csv([row, same_twice, same_twice])

        _fields, result = self._import(content, sales_process_duplicates="skip")
        self.assertEqual(len(result["ids"]), 1, "only the first Twice row")
        self.assertEqual(self._twice_count(), 1)
        self.assertNotIn("New requirement", str(self.existing.description))

        _fields, result = self._import(content, sales_process_duplicates="update")
        self.assertIn(self.existing.id, result["ids"])
        self.assertIn("New requirement", str(self.existing.description))
        self.assertEqual(self._twice_count(), 1)
        self.assertEqual(self.existing.user_id, self.importer, "owner kept")

        _fields, result = self._import(content, sales_process_duplicates="create")
        self.assertEqual(len(result["ids"]), 3)
        self.assertEqual(self._twice_count(), 3)
        self.assertEqual(self.existing.duplicate_lead_count, 1, "the new row's lead")

    def test_duplicate_report_in_test_mode(self):
        self.existing.user_id = self.importer
        same_twice = self._row(**{"Company Name": "Twice Ltd"})
        same_customer = self._row(Email="li.wei@tengda.example.com")
        content = self._csv([same_customer, same_twice, same_twice])
        _fields, result = self._import(
            content, dryrun=True, sales_process_duplicates="update"
        )
        self.assertEqual(
            [message["message"] for message in result["messages"]],
            [
                "Row 2: the existing lead Existing is updated.",
                "Row 4 is skipped: the same customer as row 3.",
            ],
        )
        self.assertFalse(self._twice_count())

    def test_similar_leads_of_leads_created_otherwise(self):
        self.env.company.country_id = self.env.ref("base.cn")
        by_phone, by_name, other = self.Lead.with_user(self.importer).create(
            [
                {"name": "By phone", "phone": "138 0013 8000"},
                {"name": "By name", "partner_name": "shenzhen tengda technology"},
                {"name": "Other", "partner_name": "Shenzhen Tengda Trading"},
            ]
        )
        self.assertIn(self.existing, by_phone.duplicate_lead_ids)
        self.assertIn(self.existing, by_name.duplicate_lead_ids)
        self.assertNotIn(self.existing, other.duplicate_lead_ids)
        self.assertEqual(self.existing.duplicate_lead_count, 2)

    # ------------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------------

    def test_imported_leads_assigned_one_notification_per_rep(self):
        rep_two = new_test_user(
            self.env, login="spa_import_rep2", groups="sales_team.group_sale_salesman"
        )
        self.team_east.member_ids |= rep_two
        self.env["sales.process.assignment.rule"].create(
            {"name": "Imports to East", "team_id": self.team_east.id}
        )
        rows = [
            self._row(
                **{
                    "Company Name": f"Customer {index}",
                    "Email": f"c{index}@x.com",
                    "Phone": f"+86 139 0000 00{index:02d}",
                }
            )
            for index in range(6)
        ]
        with freeze_time("2026-11-16 09:00:00"):
            _fields, result = self._import(self._csv(rows))
        leads = self.Lead.browse(result["ids"])
        self.assertEqual(len(leads), 6)
        self.assertEqual(leads.user_id, self.rep_east | rep_two)
        self.assertNotIn(self.importer, leads.user_id, "the importer owns none")
        Message = self.env["mail.message"]
        self.assertFalse(
            Message.search(
                [
                    ("model", "=", "crm.lead"),
                    ("res_id", "in", leads.ids),
                    ("message_type", "=", "user_notification"),
                ]
            ),
            "no mail per lead",
        )
        for rep in leads.user_id:
            notifications = Message.search(
                [
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", rep.partner_id.ids),
                    ("create_date", ">=", "2026-11-16 09:00:00"),
                ]
            )
            self.assertEqual(len(notifications), 1)
            self.assertIn("3", notifications.subject)
