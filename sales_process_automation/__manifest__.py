# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Sales Process Automation",
    "summary": "Stage history, SLAs, assignment, approvals and contract-to-invoice "
    "for leads, quotations and helpdesk tickets",
    "version": "19.0.1.0.0",
    "development_status": "Alpha",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-process-automation/sales_process_automation",
    "author": "Sales Process Automation",
    "maintainers": [],
    "license": "AGPL-3",
    "external_dependencies": {"python": ["openupgradelib"]},
    "depends": [
        "account",
        "crm",
        "helpdesk_mgmt",
        "mail",
        "resource",
        "sale_crm",
        "sale_management",
    ],
    "data": [
        "security/sales_process_automation_security.xml",
        "security/ir.model.access.csv",
        "views/sales_process_stage_history_views.xml",
        "views/crm_lead_views.xml",
        "views/sale_order_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/crm_team_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/sales_process_automation_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/crm_lead_demo.xml",
        "demo/sale_order_demo.xml",
        "demo/helpdesk_ticket_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "application": True,
    "installable": True,
}
