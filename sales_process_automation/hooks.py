# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

STAGE_TRACKED_MODELS = ("crm.lead", "sale.order", "helpdesk.ticket")


def post_init_hook(env):
    """Give the records that existed before the install their stage history."""
    for model in STAGE_TRACKED_MODELS:
        env[model]._stage_history_backfill()
    env["sales.process.contract.policy"]._create_defaults(
        env["res.company"].search([("active", "=", True)])
    )
