import { registry } from "@web/core/registry";

/**
 * The information notice opens in the mail composer: the user reads it,
 * with its unsubscribe link, before sending it.
 */
registry.category("web_tour.tours").add("rgpd_notice_preview_tour", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_rgpd_send_notice]",
            run: "click",
        },
        {
            trigger: ".modal .o_mail_composer_form_view, .modal .o_form_view",
            // the composer renders the template first: slow on a loaded test machine
            timeout: 30000,
        },
        {
            trigger: ".modal .o_field_widget[name=body] a[href*='/rgpd/unsubscribe/']",
        },
        {
            trigger: ".modal .o_field_widget[name=body]:contains(0207.288.802)",
        },
        {
            trigger: ".modal .modal-footer button.o_mail_send:not(.dropdown-toggle-split)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o-mail-Message a[href*='/rgpd/unsubscribe/']",
        },
    ],
});
