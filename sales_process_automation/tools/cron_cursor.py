# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The module's scheduled jobs: where a job that walks records by id stopped,
so that the next call of the scheduler goes on from there instead of starting
over from the first id; how big a batch fits in the scheduler's time; and how
a request asks a job to run."""

import logging
import time
from datetime import timedelta

from odoo import fields
from odoo.fields import Domain

PREFIX = "sales_process_automation.cron_cursor."

_logger = logging.getLogger(__name__)


def job_batch_size(env, job):
    """How many records the job ``job`` takes at a time: the setting
    ``sales_process_automation.<job>_batch_size``, 500 by default."""
    # sudo: a technical setting, read whoever runs the job
    return int(
        env["ir.config_parameter"]
        .sudo()
        .get_param(f"sales_process_automation.{job}_batch_size", 500)
    )


def batch_size_for_time(limit, seconds_left, seconds_per_record):
    """How many records the next batch of a job takes: as many as it ends in
    the ``seconds_left`` the scheduler gives it at ``seconds_per_record`` (the
    pace of its batch before), at least one, at most ``limit``."""
    if seconds_per_record <= 0:
        return limit
    return max(1, int(min(limit, seconds_left / seconds_per_record)))


def scheduler_time_is_up(env):
    """Whether the scheduler's time for the running job is spent: it calls
    the job a few times more anyway, which may then leave its work to the
    next call, after the other jobs due. Never outside the scheduler."""
    return time.monotonic() >= env.context.get("cron_end_time", float("inf"))


def read_cursor(env, key):
    """The last id done by the job ``key``, 0 when it starts over."""
    # sudo: a technical bookmark of the job, whoever runs it
    return int(env["ir.config_parameter"].sudo().get_param(PREFIX + key, 0))


def write_cursor(env, key, last_id):
    """Save the last id done; ``0`` when the job went through every record."""
    # sudo: a technical bookmark of the job, whoever runs it
    env["ir.config_parameter"].sudo().set_param(PREFIX + key, last_id or False)


def process_in_batches(model, domain, key, batch_size, process):
    """Call ``process(records)`` on the records of ``domain``, a batch at a time
    in id order from the bookmark of the job ``key``, each batch committed
    through the scheduler.

    Returns False when the scheduler's time is spent (the next call goes on
    from the bookmark), True once every record is done.
    """
    env = model.env
    last_id = read_cursor(env, key)
    while records := model.search(
        domain & Domain("id", ">", last_id), limit=batch_size, order="id"
    ):
        last_id = records[-1].id
        process(records)
        remaining = model.search_count(domain & Domain("id", ">", last_id))
        write_cursor(env, key, remaining and last_id)
        if not env["ir.cron"]._commit_progress(len(records), remaining=remaining):
            return False
    return True


def scheduled_action(env, xmlid):
    """The scheduled action ``xmlid``, its id read from the registry cache:
    a request that triggers a job costs no read of the action."""
    return env["ir.cron"].browse(env["ir.model.data"]._xmlid_to_res_id(xmlid))


def trigger_job(env, xmlid, at=None):
    """Have the scheduled action ``xmlid`` run at ``at`` (now if None)."""
    scheduled_action(env, xmlid)._trigger(at)


def trigger_job_gathered(env, xmlid, setting, default_seconds):
    """Have the scheduled action ``xmlid`` run soon, once for the requests of
    a few seconds: at once when it last ran longer ago than the setting
    ``sales_process_automation.<setting>`` (seconds), else when that time
    is over.

    Each request adds its trigger, so none is lost; only the first of a
    gathering wakes the scheduler up. The others run together at its next
    wake-up: the first trigger after the gathering time, any other job's, or
    its own round, about a minute later at most. ``0`` runs the job once per
    request, at once.
    """
    cron = scheduled_action(env, xmlid)
    key = f"sales_process_automation.{setting}"
    # sudo: technical settings of the job, read whoever asks for a run
    value = env["ir.config_parameter"].sudo().get_param(key, default_seconds)
    try:
        seconds = int(value)
    except ValueError:
        # a mistyped setting must not stop users from saving their records
        _logger.warning(
            "%s: %r is not a number of seconds, %s used", key, value, default_seconds
        )
        seconds = default_seconds
    now = fields.Datetime.now()
    # sudo: see the setting above; only Settings may read the jobs
    last_call = cron.sudo().lastcall
    if seconds > 0 and last_call and last_call + timedelta(seconds=seconds) > now:
        cron._trigger(last_call + timedelta(seconds=seconds))
    else:
        cron._trigger(now)
