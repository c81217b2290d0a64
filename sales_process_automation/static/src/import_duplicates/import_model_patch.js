import { patch } from "@web/core/utils/patch";
import { BaseImportModel } from "@base_import/import_model";

// The import of leads asks what to do with a row whose customer is already a
// lead; the server reads the choice from the option `sales_process_duplicates`.
export const DUPLICATE_OPTION = "sales_process_duplicates";

patch(BaseImportModel.prototype, {
    setResModel(resModel) {
        super.setResModel(resModel);
        if (resModel === "crm.lead") {
            this.importOptionsValues[DUPLICATE_OPTION] = { value: "skip" };
        }
    },
});
