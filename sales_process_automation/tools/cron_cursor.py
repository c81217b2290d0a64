# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where a job that walks records by id stopped, so that the next call of the
scheduler goes on from there instead of starting over from the first id."""

PREFIX = "sales_process_automation.cron_cursor."


def read_cursor(env, key):
    """The last id done by the job ``key``, 0 when it starts over."""
    # sudo: a technical bookmark of the job, whoever runs it
    return int(env["ir.config_parameter"].sudo().get_param(PREFIX + key, 0))


def write_cursor(env, key, last_id):
    """Save the last id done; ``0`` when the job went through every record."""
    # sudo: a technical bookmark of the job, whoever runs it
    env["ir.config_parameter"].sudo().set_param(PREFIX + key, last_id or False)
