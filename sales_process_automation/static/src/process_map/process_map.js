import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { ControlPanel } from "@web/search/control_panel/control_panel";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

/**
 * The process of a sales team as a flow of stages, left to right: who owns
 * each stage, how long it should take and takes, how many deals go on to the
 * next stage, what is in it now; the bottleneck highlighted. A stage opens
 * its leads. The figures come from one server method, crm.team's
 * sales_process_map.
 */
export class ProcessMap extends Component {
    static template = "sales_process_automation.ProcessMap";
    static components = { ControlPanel };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ teams: [], teamId: false, period: "all", data: null });
        onWillStart(async () => {
            this.state.teams = await this.orm.searchRead(
                "crm.team",
                [],
                ["display_name", "user_id", "member_ids"]
            );
            const { params = {}, context = {} } = this.props.action;
            // by default the team the user leads or works in, else the first
            const ownTeam = this.state.teams.find(
                (team) => team.user_id?.[0] === user.userId || team.member_ids.includes(user.userId)
            );
            this.state.teamId =
                params.team_id ||
                context.active_id ||
                (ownTeam || this.state.teams[0])?.id ||
                false;
            await this.load();
        });
    }

    get periods() {
        return [
            { key: "all", months: 0, label: _t("All time") },
            { key: "12", months: 12, label: _t("Last 12 months") },
            { key: "3", months: 3, label: _t("Last 3 months") },
            { key: "1", months: 1, label: _t("Last month") },
        ];
    }

    get periodLabel() {
        return this.periods.find((period) => period.key === this.state.period).label;
    }

    async load() {
        if (!this.state.teamId) {
            this.state.data = null;
            return;
        }
        const { months } = this.periods.find((period) => period.key === this.state.period);
        const dateFrom = months ? DateTime.now().minus({ months }).toISODate() : false;
        this.state.data = await this.orm.call(
            "crm.team",
            "sales_process_map",
            [[this.state.teamId]],
            { date_from: dateFrom }
        );
    }

    async onChangeTeam(ev) {
        this.state.teamId = parseInt(ev.target.value);
        await this.load();
    }

    async onChangePeriod(ev) {
        this.state.period = ev.target.value;
        await this.load();
    }

    openRecords(stage) {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            name: _t("%(team)s: %(stage)s", {
                team: this.state.data.team.name,
                stage: stage.name,
            }),
            res_model: "crm.lead",
            domain: stage.domain,
            views: [
                [false, "list"],
                [false, "kanban"],
                [false, "form"],
            ],
            context: {
                default_team_id: this.state.data.team.id,
                default_stage_id: stage.id,
            },
        });
    }

    print() {
        window.print();
    }

    formatHours(hours) {
        if (hours === null || hours === undefined || hours === false) {
            return "–";
        }
        const perDay = this.state.data.hours_per_day;
        if (hours >= perDay) {
            return _t("%(days)s working days", { days: (hours / perDay).toFixed(1) });
        }
        return _t("%(hours)s working hours", { hours: hours.toFixed(1) });
    }

    formatPercent(value) {
        return value === null || value === undefined ? "–" : `${Math.round(value)} %`;
    }

    bottleneckReason(stage) {
        const reasons = [];
        if (stage.is_leakiest) {
            reasons.push(_t("loses the most deals"));
        }
        if (stage.is_slowest) {
            reasons.push(_t("holds deals longest"));
        }
        return reasons.join(", ");
    }
}

registry.category("actions").add("sales_process_automation.process_map", ProcessMap);
