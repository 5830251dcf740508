import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rgpd_anonymise_tour", {
    steps: () => [
        {
            trigger: ".o_form_view:not(:has(div[name=rgpd_opted_out_banner]))",
        },
        {
            trigger: ".o_form_view button[name=action_rgpd_erase]",
            run: "click",
        },
        {
            trigger: ".modal div[name=reason] textarea",
            run: "edit Erasure requested by letter",
        },
        {
            trigger: ".modal div[name=request_reference] input",
            run: "edit REQ-TOUR-1",
        },
        {
            trigger: ".modal div[name=confirm_irreversible] input",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_form_view div[name=rgpd_opted_out_banner]",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] :is(textarea, input)",
            run() {
                if (this.anchor.value !== "****") {
                    throw new Error(`The name still reads "${this.anchor.value}"`);
                }
            },
        },
    ],
});
