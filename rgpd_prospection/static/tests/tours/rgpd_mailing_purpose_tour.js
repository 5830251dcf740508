import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rgpd_mailing_purpose_tour", {
    steps: () => [
        {
            trigger: "button.o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_mailing_template_preview_wrapper",
            timeout: 60000,
        },
        {
            trigger: "#subject_0",
            run: "edit Tour webinar",
        },
        {
            trigger: "#contact_list_ids_0",
            run: "edit Tour list",
        },
        {
            trigger: ".o_input_dropdown a:contains(Tour list)",
            run: "click",
            timeout: 30000,
        },
        {
            trigger: ".o_mailing_template_preview_wrapper [data-name=basic]",
            run: "click",
        },
        {
            trigger: "html:not(:has(.o_mailing_template_preview_wrapper))",
        },
        {
            trigger: ".o_field_widget[name=rgpd_purpose_id] input",
            run: "edit Tour webinars",
        },
        {
            trigger: ".o_input_dropdown a:contains(Tour webinars)",
            run: "click",
            timeout: 30000,
        },
        {
            trigger: ".o_form_view button[name=action_launch]",
            run: "click",
        },
        {
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_cancel]",
            timeout: 30000,
        },
    ],
});

registry.category("web_tour.tours").add("rgpd_mailing_purpose_count_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=rgpd_purpose_id]:contains(Tour webinars)",
        },
        {
            trigger: ".o_mails_canceled .o_field_widget[name=canceled]",
            run() {
                if (this.anchor.textContent.trim() !== "1") {
                    throw new Error(`Cancelled count reads "${this.anchor.textContent}"`);
                }
            },
        },
        {
            trigger: ".o_mails_canceled_rgpd_purpose",
            run() {
                const text = this.anchor.textContent.replace(/\s+/g, " ").trim();
                if (!/^1 ?of them may not be contacted for the mailing's prospecting purpose/.test(text)) {
                    throw new Error(`The purpose count reads "${text}"`);
                }
            },
        },
    ],
});
