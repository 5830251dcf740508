import { _t } from "@web/core/l10n/translation";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { patch } from "@web/core/utils/patch";
import { PhoneField } from "@web/views/fields/phone/phone_field";

/**
 * Clicking the number of a contact whose own number is on the Do Not Call Me
 * list shows the warning first; the call goes on only once confirmed. The
 * server still refuses to schedule a prospecting call: this is the warning
 * before a call placed outside Odoo.
 */
patch(PhoneField.prototype, {
    onRgpdDncmClick(ev) {
        if (!this.props.record.data.rgpd_dncm_own_listed) {
            return;
        }
        ev.preventDefault();
        const href = this.phoneHref;
        this.env.services.dialog.add(ConfirmationDialog, {
            title: _t("Do Not Call Me"),
            body: _t(
                "This number is on the Do Not Call Me list: no prospecting call without the holder's consent recorded after its registration. Call anyway?"
            ),
            confirmLabel: _t("Call anyway"),
            confirm: () => {
                window.open(href, "_blank");
            },
            cancel: () => {},
        });
    },
});
