import { registry } from "@web/core/registry";

/**
 * A manager opens an applied import: the funnel shows each step with its
 * count formatted for the manager's language, the reasons beside it; the
 * history opens in Odoo's graph view.
 */
registry.category("web_tour.tours").add("rgpd_import_funnel_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_rgpd_funnel",
            run() {
                const rows = this.anchor.querySelectorAll(".col-lg-7 tr");
                if (rows.length !== 10) {
                    throw new Error(`The funnel has ${rows.length} steps instead of 10`);
                }
                const first = rows[0].querySelector(".o_rgpd_funnel_count").textContent;
                if (!/^25\D?012$/.test(first.trim()) || first.includes(",")) {
                    throw new Error(`"${first}" is not 25012 formatted for the language`);
                }
            },
        },
        {
            trigger: ".o_form_view div[name=drop_ids] .o_data_row",
        },
        {
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_list_view",
        },
        {
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
    ],
});
