import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { graphView } from "@web/views/graph/graph_view";
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { pivotView } from "@web/views/pivot/pivot_view";
import { PivotRenderer } from "@web/views/pivot/pivot_renderer";

/**
 * Graph and pivot views of the reports over stage history rows: a click on a
 * bar or a cell opens the leads, quotations or tickets counted there (the
 * report's action_open_documents), not the rows of the report.
 */
function openDocuments(renderer, domain, context, newWindow) {
    const { resModel, title } = renderer.model.metaData;
    return renderer.orm
        .call(resModel, "action_open_documents", [domain], { name: title, context })
        .then((action) => renderer.actionService.doAction(action, { newWindow }));
}

export class DocumentGraphRenderer extends GraphRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
    }

    openView(domain, views, context, newWindow) {
        return openDocuments(this, domain, context, newWindow);
    }

    /** Team and stage names told whole in the legend, not cut at 30 characters. */
    getLegendOptions() {
        const options = super.getLegendOptions();
        const generateLabels = options.labels?.generateLabels;
        if (generateLabels) {
            options.labels.generateLabels = (chart) =>
                generateLabels(chart).map((label) => ({ ...label, text: label.fullText }));
        }
        return options;
    }
}

export class DocumentPivotRenderer extends PivotRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
    }

    openView(domain, views, context, newWindow) {
        return openDocuments(this, domain, context, newWindow);
    }
}

registry.category("views").add("sales_process_document_graph", {
    ...graphView,
    Renderer: DocumentGraphRenderer,
});
registry.category("views").add("sales_process_document_pivot", {
    ...pivotView,
    Renderer: DocumentPivotRenderer,
});
