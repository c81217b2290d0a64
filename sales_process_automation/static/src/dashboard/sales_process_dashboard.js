import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { View } from "@web/views/view";
import { Component, onWillStart, useState } from "@odoo/owl";

/**
 * The dashboard of a role (rep, manager, admin): number tiles, tables and
 * graph, pivot and list views of the reports, each figure opening the records
 * it counts. The figures and their actions come from the server
 * (sales.process.dashboard.get_dashboard).
 */
export class SalesProcessDashboard extends Component {
    static template = "sales_process_automation.Dashboard";
    static components = { View };
    static props = { "*": true };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.role = this.props.action.params?.role || "rep";
        this.state = useState({ blocks: [] });
        onWillStart(() => this.load());
    }

    async load() {
        const data = await this.orm.call("sales.process.dashboard", "get_dashboard", [
            this.role,
        ]);
        this.state.blocks = data.blocks;
    }

    get title() {
        return {
            rep: _t("My Dashboard"),
            manager: _t("Team Dashboard"),
            admin: _t("Rules and Policies Dashboard"),
        }[this.role];
    }

    async openTile(tile) {
        const action = await this.orm.call("sales.process.dashboard.tile", "action_open", [
            [tile.id],
        ]);
        return this.actionService.doAction(action);
    }

    openAction(action) {
        if (action) {
            return this.actionService.doAction(action);
        }
    }

    viewProps(block) {
        const props = {
            resModel: block.resModel,
            type: block.viewType,
            domain: block.domain,
            display: { controlPanel: false },
            views: [
                [block.viewId || false, block.viewType],
                [false, "search"],
            ],
            context: { create: false },
            selectRecord: (resId, { newWindow } = {}) =>
                this.openRecord(block, resId, newWindow),
        };
        if (block.viewId) {
            props.viewId = block.viewId;
        }
        if (block.viewType === "list") {
            props.allowSelectors = false;
        }
        return props;
    }

    async openRecord(block, resId, newWindow) {
        let [resModel, id] = [block.resModel, resId];
        if (block.openDocument) {
            // an activity: the document it is planned on
            const [activity] = await this.orm.read(block.resModel, [resId], [
                "res_model",
                "res_id",
            ]);
            [resModel, id] = [activity.res_model, activity.res_id];
        }
        return this.actionService.doAction(
            {
                type: "ir.actions.act_window",
                res_model: resModel,
                res_id: id,
                views: [[false, "form"]],
            },
            { newWindow }
        );
    }
}

registry.category("actions").add("sales_process_dashboard", SalesProcessDashboard);
