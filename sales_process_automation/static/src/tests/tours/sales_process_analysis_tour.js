import { registry } from "@web/core/registry";

function openAnalysis(menu) {
    return [
        {
            content: "Open the Analysis menu",
            trigger: ".o_menu_sections button:contains('Analysis')",
            run: "click",
        },
        {
            content: `Open ${menu}`,
            trigger: `.dropdown-item:contains('${menu}')`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("sales_process_analysis_tour", {
    steps: () => [
        {
            content: "The team dashboard shows the team funnel",
            trigger: ".o_sales_process_dashboard_tile:contains('Team Funnel')",
        },
        {
            content: "and the bottleneck of the team: Tour Qualify",
            trigger: ".o_sales_process_dashboard_tile.o_tile_bottleneck:contains('Tour Qualify')",
        },
        {
            content: "Open the bottleneck",
            trigger: ".o_sales_process_dashboard_tile.o_tile_bottleneck",
            run: "click",
        },
        {
            content: "The bottleneck stage is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Qualify')",
        },
        ...openAnalysis("Funnel"),
        {
            content: "The funnel shows the stages of the team's leads",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Qualify')",
        },
        {
            content: "Drill down to the leads",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The manager sees the leads of the team",
            trigger: ".o_list_view .o_data_row:contains('Tour East lead')",
        },
        {
            content: "and not those of another team",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour West lead')))",
        },
        ...openAnalysis("Time per Stage"),
        {
            content: "Time per stage: the median in working hours",
            trigger: ".o_pivot th:contains('Median (Working Hours)')",
        },
        ...openAnalysis("Rep Performance"),
        {
            content: "Rep performance: the team's rep",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour East rep')",
        },
        ...openAnalysis("Lead Sources"),
        {
            content: "Lead sources: the share of closed leads won",
            trigger: ".o_pivot th:contains('Won (%)')",
        },
        ...openAnalysis("Stalled and Lost Leads"),
        {
            content: "Stalled and lost leads per stage",
            trigger: ".o_pivot th:contains('Stalled (%)')",
        },
        ...openAnalysis("Top Customers"),
        {
            content: "Top customers by won revenue",
            trigger: ".o_breadcrumb:contains('Top Customers')",
        },
        {
            content: "in a graph",
            trigger: ".o_switch_view.o_graph.active",
        },
        ...openAnalysis("Ticket Time per Stage"),
        {
            content: "Ticket time per stage",
            trigger: ".o_breadcrumb:contains('Ticket Time per Stage')",
        },
        {
            content: "in a pivot",
            trigger: ".o_switch_view.o_pivot.active",
        },
        ...openAnalysis("Pipeline Simulation"),
        {
            content: "The simulation wizard asks what to measure",
            trigger: ".o_form_view .o_inner_group:contains('Measured On')",
        },
        {
            content: "and offers a what-if",
            trigger: ".o_form_view .o_inner_group:contains('What-if')",
        },
        {
            content: "before running the simulation",
            trigger: ".o_form_view button:contains('Run Simulation')",
        },
    ],
});
