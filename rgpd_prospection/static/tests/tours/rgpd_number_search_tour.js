import { registry } from "@web/core/registry";

/**
 * A user types an enterprise number in the search bar of the prospects and
 * presses Enter: the default search finds the company, whose number shows in
 * the list, and not its namesakes.
 */
registry.category("web_tour.tours").add("rgpd_number_search_tour", {
    steps: () => [
        {
            trigger: ".o_list_view .o_data_row",
        },
        {
            trigger: ".o_searchview_input",
            run: "edit BE 0207 288 802",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            trigger: ".o_searchview_facet:contains(BE 0207 288 802)",
        },
        {
            // the namesakes are gone once the search is applied
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(0403.170.701))) .o_data_row:contains(0207.288.802)",
            run() {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                if (rows.length !== 1) {
                    throw new Error(`The number found ${rows.length} rows instead of one`);
                }
            },
        },
    ],
});
