import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("sales_process_dashboard_rep_tour", {
    steps: () => [
        {
            content: "The rep's dashboard counts one lead at risk or breached",
            trigger: ".o_sales_process_dashboard_rep .o_tile_at_risk .o_tile_value:contains(1)",
        },
        {
            content: "My funnel is a graph",
            trigger: ".o_sales_process_dashboard_block_view .o_graph_renderer canvas",
        },
        {
            content: "The breached lead is listed",
            trigger: ".o_sales_process_dashboard_block_view .o_list_view .o_data_row:contains('Dash lead 3') td.o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "and opens the lead itself",
            trigger: ".o_breadcrumb:contains('Dash lead 3')",
        },
        {
            content: "in its form",
            trigger: ".o_form_view",
        },
    ],
});

tours.add("sales_process_dashboard_manager_tour", {
    steps: () => [
        {
            content: "The team's name is shown whole",
            trigger: ".o_sales_process_dashboard_manager [data-key=bottlenecks] td:contains('Dash East Enterprise Accounts and Key Partners')",
        },
        {
            content: "The funnel per team, the breach trend and the aging are graphs",
            trigger: ".o_sales_process_dashboard_block_view[data-key*=graph_aging] .o_graph_renderer canvas",
        },
        {
            content: "Pending approvals",
            trigger: ".o_sales_process_dashboard [data-key=approvals]",
        },
        {
            content: "The bottleneck of the team is a badge",
            trigger: ".o_sales_process_bottleneck_badge:contains('Dash Qualify')",
            run: "click",
        },
        {
            content: "opening the leads that entered the stage",
            trigger: ".o_list_view .o_data_row:contains('Dash lead 1')",
        },
        {
            content: "the leads themselves",
            trigger: ".o_breadcrumb:contains('Dash Qualify')",
        },
    ],
});

tours.add("sales_process_dashboard_admin_tour", {
    steps: () => [
        {
            content: "A policy's share of stays breached, without decimals",
            trigger: ".o_sales_process_dashboard_admin [data-key=sla_policies] tr:contains('Dash policy') [data-figure=breach_rate]:contains('25 %')",
        },
        {
            content: "The records a rule gave to a rep",
            trigger: ".o_sales_process_dashboard_admin [data-key=assignment_rules] tr:contains('Dash rule') [data-figure=assigned] a:contains(2)",
            run: "click",
        },
        {
            content: "open the leads",
            trigger: ".o_list_view .o_data_row:contains('Dash lead 3')",
        },
        {
            content: "both of them",
            trigger: ".o_list_view:has(.o_data_row:contains('Dash lead 0'))",
        },
    ],
});
