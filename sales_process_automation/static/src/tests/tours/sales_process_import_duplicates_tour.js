import { registry } from "@web/core/registry";

// the file a rep imports: one row of a customer who is already a lead
const HEADER = "Opportunity,Company Name,Contact Name,Phone,Email,Industry,Notes,Source";
const ROW = "Renewal,Tour Customer Ltd,Tour Contact,,buyer@tour-customer.example.com,Manufacturing,Wants 20 licences,Search engine";

function uploadFile() {
    const input = document
        .querySelector(".o_import_file")
        .closest(".o_file_input")
        .querySelector("input.o_input_file");
    const transfer = new DataTransfer();
    transfer.items.add(new File([`${HEADER}\n${ROW}\n`], "leads.csv", { type: "text/csv" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

registry.category("web_tour.tours").add("sales_process_import_duplicates_tour", {
    steps: () => [
        {
            content: "Upload the file of leads",
            trigger: ".o_import_file",
            run: uploadFile,
        },
        {
            content: "The dialog asks what to do with duplicates: skip by default",
            trigger: ".o_import_sales_process_duplicates select",
            run() {
                const choice = document.querySelector(".o_import_sales_process_duplicates select");
                if (choice.value !== "skip") {
                    throw new Error(`The default choice is ${choice.value}, not skip`);
                }
            },
        },
        {
            content: "Test the file",
            trigger: ".o_control_panel button:contains('Test')",
            run: "click",
        },
        {
            content: "The row of the existing customer is skipped",
            trigger: ".o_import_data_content p:contains('is skipped: the customer is already the lead')",
        },
        {
            content: "Choose to update the existing lead",
            trigger: ".o_import_sales_process_duplicates select",
            run: "select update",
        },
        {
            content: "Import",
            trigger: ".o_control_panel button:contains('Import')",
            run: "click",
        },
        {
            content: "The importer is told which lead the row updated",
            trigger: ".o_notification:contains('Row 2: the existing lead Tour Existing is updated.')",
        },
        {
            content: "The updated lead is listed, renamed by the row",
            trigger: ".o_list_view .o_data_row:contains('Renewal'):contains('Tour Contact')",
        },
    ],
});
