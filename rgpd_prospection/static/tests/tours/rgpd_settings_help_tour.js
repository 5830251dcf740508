import { registry } from "@web/core/registry";

/** The help texts of the module's settings show on their labels. */
registry.category("web_tour.tours").add("rgpd_settings_help_tour", {
    steps: () => [
        {
            trigger: ".o_setting_container label[for^=rgpd_bce_postal_codes] sup, .o_setting_container label.o_form_label:contains(Postal codes) sup",
        },
        {
            trigger: "#rgpd_retention .o_field_widget[name=rgpd_retention_months] + span",
        },
    ],
});
