import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sales_process_admin_screens_tour", {
    steps: () => [
        {
            content: "The policy's condition counts the leads of its stage and team only",
            trigger: ".o_field_sales_process_scoped_domain .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Choose another team",
            trigger: ".o_field_widget[name='team_ids'] input",
            run: "edit Tour Admin West",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Admin West')",
            run: "click",
        },
        {
            content: "The count follows the form before it is saved",
            trigger: ".o_field_sales_process_scoped_domain .o_domain_show_selection_button:contains('3 record(s)')",
        },
        {
            content: "Save the policy",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
