# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The funnel flags of the stage history rows, new in 19.0.1.1.0.

The funnel used to compare each row with the other rows of its lead when it
was read; the flags are now kept on the rows. The rows written before get them
here, in one statement.
"""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["sales.process.stage.history"]._refresh_funnel_flags()
