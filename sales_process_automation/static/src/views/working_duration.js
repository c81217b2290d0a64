import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { session } from "@web/session";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component } from "@odoo/owl";

/**
 * Working hours told in working days and hours ("2 d 3 h"), a working day
 * being the hours per day of the working hours of the current company (as
 * tools/working_duration.py does on the server).
 */
export function formatWorkingDuration(value, { hoursPerDay } = {}) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    const perDay =
        hoursPerDay || session.sales_process_hours_per_day?.[user.activeCompany?.id] || 8;
    const hours = Math.max(value, 0);
    if (hours < 1) {
        return _t("%(minutes)s min", { minutes: Math.round(hours * 60) });
    }
    let days = Math.floor(hours / perDay);
    let rest = Math.round(hours - days * perDay);
    if (rest >= perDay) {
        days += 1;
        rest = 0;
    }
    if (!days) {
        return _t("%(hours)s h", { hours: rest });
    }
    if (!rest) {
        return _t("%(days)s d", { days });
    }
    return _t("%(days)s d %(hours)s h", { days, hours: rest });
}

export class WorkingDurationField extends Component {
    static template = "sales_process_automation.WorkingDurationField";
    static props = { ...standardFieldProps };

    get formattedValue() {
        return formatWorkingDuration(this.props.record.data[this.props.name]);
    }
}

registry.category("formatters").add("sales_process_working_duration", formatWorkingDuration);
registry.category("fields").add("sales_process_working_duration", {
    component: WorkingDurationField,
    displayName: _t("Working Days and Hours"),
    supportedTypes: ["float"],
});
