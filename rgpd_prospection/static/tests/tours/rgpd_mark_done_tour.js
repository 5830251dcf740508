import { registry } from "@web/core/registry";

/**
 * A call the prospect made is marked done from the chatter: the popup asks
 * whether the prospect initiated it, and the last contact date shows at once.
 */
registry.category("web_tour.tours").add("rgpd_mark_done_tour", {
    steps: () => [
        {
            trigger: ".o_notebook .nav-link[name=rgpd_bce]",
            run: "click",
        },
        {
            // Odoo 19 shows an empty date as an input, a set one as a button
            trigger: ".o_form_view .o_field_widget[name=rgpd_last_contact_date] :is(input, button)",
            run() {
                if (this.anchor.value) {
                    throw new Error("The prospect has a last contact date already");
                }
            },
        },
        {
            trigger: ".o-mail-Activity .o-mail-Activity-markDone",
            run: "click",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone .o_rgpd_initiated input",
            run: "click",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button.o_rgpd_done_and_schedule_next",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone .o_rgpd_initiated input:checked",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button.o_rgpd_done",
            run: "click",
        },
        {
            trigger: "body:not(:has(.o-mail-Activity))",
        },
        {
            // the form reloads: the date shows without reloading the page
            trigger: [
                ".o_form_view .o_field_widget[name=rgpd_last_contact_date] button:value(/\\d/)",
                ".o_form_view .o_field_widget[name=rgpd_last_contact_date] input:value(/\\d/)",
            ].join(", "),
        },
    ],
});
