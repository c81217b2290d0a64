# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import BaseCase, tagged

from odoo.addons.sales_process_automation.tools.lead_keys import (
    company_key,
    email_key,
    phone_key,
)


@tagged("post_install", "-at_install")
class TestImportLeadKeys(BaseCase):
    """The keys that say two leads are the same customer, without the ORM."""

    def test_email_key(self):
        self.assertEqual(email_key('"Li Wei" <Li.Wei@Tengda.COM>'), "li.wei@tengda.com")
        self.assertEqual(email_key(" li.wei@tengda.com "), "li.wei@tengda.com")
        self.assertEqual(email_key("no address"), "")
        self.assertEqual(email_key(False), "")

    def test_phone_key_international_formats(self):
        expected = "8613800138000"
        for phone in (
            "+86 138 0013 8000",
            "+86-138-0013-8000",
            "0086 138 0013 8000",
            "(+86) 13800138000",
            "＋８６ １３８００１３８０００",  # full-width, typed with a Chinese IME
        ):
            with self.subTest(phone=phone):
                self.assertEqual(phone_key(phone), expected)
        # national numbers take the calling code of the country
        self.assertEqual(phone_key("138 0013 8000", "86"), expected)
        self.assertEqual(phone_key("86 138 0013 8000", "86"), expected)
        self.assertEqual(phone_key("010 6552 9988", "86"), "861065529988")
        self.assertNotEqual(phone_key("+49 138 0013 8000"), expected)
        self.assertEqual(phone_key("12-34"), "", "too short to be a number")

    def test_company_key_latin(self):
        for name in (
            "Tengda Technology Ltd",
            "TENGDA TECHNOLOGY LTD.",
            "Tengda Technology, Limited",
            "Tengda Technology Co., Ltd.",
            "tengda-technology",
        ):
            with self.subTest(name=name):
                self.assertEqual(company_key(name), "tengdatechnology")
        self.assertEqual(company_key("Müller GmbH"), company_key("MÜLLER gmbh"))
        self.assertNotEqual(company_key("Tengda"), company_key("Tengda Technology"))
        self.assertEqual(company_key("Ltd"), "ltd", "a bare legal form stays")

    def test_company_key_chinese(self):
        for name in (
            "深圳市腾达科技有限公司",
            "深圳市腾达科技股份有限公司",
            "深圳市腾达科技有限责任公司",
            "深圳市腾达科技 公司",
            "深圳市腾达科技（有限公司）",
        ):
            with self.subTest(name=name):
                self.assertEqual(company_key(name), "深圳市腾达科技")
