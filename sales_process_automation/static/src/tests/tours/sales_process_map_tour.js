import { registry } from "@web/core/registry";

function openMenu(section, item) {
    return [
        {
            content: `Open the ${section} menu`,
            trigger: `.o_menu_sections button:contains('${section}')`,
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.dropdown-item:contains('${item}')`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("sales_process_template_apply_tour", {
    steps: () => [
        ...openMenu("Configuration", "Set Up a Sales Process"),
        {
            content: "Choose the new team",
            trigger: ".modal .o_field_widget[name=team_id] input",
            run: "edit Tour B2B",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour B2B Team')",
            run: "click",
        },
        {
            content: "Choose the B2B template",
            trigger: ".modal .o_field_widget[name=template_id] input",
            run: "edit B2B",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('B2B Sales Process')",
            run: "click",
        },
        {
            content: "Apply it",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The team's process has its seven steps",
            trigger: ".o_list_view .o_data_row:contains('After-sales')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Lead Generation')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_process_stage_done_tour", {
    steps: () => [
        {
            content: "The rep opens the deal",
            trigger: ".o_breadcrumb:contains('Tour B2B deal')",
        },
        {
            content: "The first stage is done",
            trigger: ".o_form_view button[name=action_sales_process_stage_done]",
            run: "click",
        },
        {
            content: "The deal is in the first stage of the process",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Lead Generation')",
        },
        {
            content: "Lead generation is done too",
            trigger: ".o_form_view button[name=action_sales_process_stage_done]",
            run: "click",
        },
        {
            content: "The deal is in nurturing",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Nurturing')",
        },
    ],
});

registry.category("web_tour.tours").add("sales_process_map_tour", {
    steps: () => [
        {
            content: "Choose the team",
            trigger: "select.o_sales_process_map_team",
            run: "selectByLabel Tour B2B Team",
        },
        {
            content: "The map draws the team's process",
            trigger: ".o_sales_process_map_title:contains('Tour B2B Team')",
        },
        {
            content: "with its stages and owners",
            trigger:
                ".o_sales_process_map_box:contains('Negotiation and Contract'):contains('Team leader')",
        },
        {
            content: "Lead generation took the deal's time",
            trigger:
                ".o_sales_process_map_box:contains('Lead Generation') .o_sales_process_map_conversion:contains('100')",
        },
        {
            content: "The deal is in nurturing now",
            trigger:
                ".o_sales_process_map_box:contains('Nurturing') .o_sales_process_map_open:contains('1')",
        },
        {
            content: "The map can be printed",
            trigger: ".o_sales_process_map_print",
        },
        {
            content: "Open the deals in nurturing",
            trigger: ".o_sales_process_map_box:contains('Nurturing')",
            run: "click",
        },
        {
            content: "The deal is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour B2B deal')",
        },
        ...openMenu("Analysis", "Assignment Rules"),
        {
            content: "The rule review shows last month's rule",
            trigger: ".o_list_view .o_data_row:contains('Tour B2B rule')",
        },
        ...openMenu("Analysis", "SLA Policies"),
        {
            content: "The SLA policy review",
            trigger: ".o_breadcrumb:contains('SLA Policy Review')",
        },
    ],
});
