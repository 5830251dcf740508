import { Activity } from "@mail/core/web/activity";
import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { useState } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";

/**
 * The "Mark Done" popup of a call or meeting on a BCE prospect asks whether
 * the prospect initiated it: a call it made counts as a contact from it and
 * moves its last contact date, which the form shows at once.
 */
patch(ActivityMarkAsDone.prototype, {
    setup() {
        super.setup(...arguments);
        this.rgpdState = useState({
            initiated: Boolean(this.props.activity.rgpd_initiated_by_prospect),
        });
    },

    async rgpdSaveInitiated() {
        const activity = this.props.activity;
        if (!activity.rgpd_can_be_inbound) {
            return;
        }
        if (this.rgpdState.initiated !== Boolean(activity.rgpd_initiated_by_prospect)) {
            await this.env.services.orm.write("mail.activity", [activity.id], {
                rgpd_initiated_by_prospect: this.rgpdState.initiated,
            });
            activity.rgpd_initiated_by_prospect = this.rgpdState.initiated;
        }
    },

    async onClickDone() {
        await this.rgpdSaveInitiated();
        return super.onClickDone(...arguments);
    },

    async onClickDoneAndScheduleNext() {
        await this.rgpdSaveInitiated();
        return super.onClickDoneAndScheduleNext(...arguments);
    },
});

patch(Activity.prototype, {
    async onClickMarkAsDone(ev) {
        if (this.markDonePopover.isOpen) {
            this.markDonePopover.close();
            return;
        }
        this.markDonePopover.open(ev.currentTarget, {
            activity: this.props.activity,
            hasHeader: true,
            onActivityChanged: (thread) => {
                this.props.onActivityChanged(thread);
                // the last contact date and the retention date may have moved
                this.props.reloadParentView?.();
            },
        });
    },
});
