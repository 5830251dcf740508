from odoo import api, models


class RgpdContactPolicy(models.AbstractModel):
    """The Do Not Call Me list as one rule of the contact policy: for the call
    channel, a prospect whose number is listed (or a stale list) is refused,
    with the exceptions ``rgpd.dncm.load._call_decisions`` knows (the holder's
    consent, an exempting event). The activity's own check asks the same
    method, so the form, the activity and the policy give one answer."""

    _inherit = "rgpd.contact.policy"

    def _rules(self):
        return [*super()._rules(), "_rule_do_not_call"]

    def _rule_descriptions(self):
        return [
            *super()._rule_descriptions(),
            self.env._(
                "Do Not Call Me: a prospecting call to a number on the Belgian Do Not Call Me "
                "list is refused unless its holder consented after registering it; with no list "
                "loaded, or one older than five days, every prospecting call is refused. A call "
                "answering the company's own request or confirming an appointment is not "
                "prospecting."
            ),
        ]

    @api.model
    def _rule_do_not_call(self, partners, channel, purpose, require_purpose):
        if channel != "call":
            return {}
        prospects = self._governed(partners)
        if not prospects:
            return {}
        event = self.env.context.get("rgpd_call_event")
        # only a record passed by the code counts: an RPC context carries no recordset
        event = event if isinstance(event, models.BaseModel) else None
        decisions = self.env["rgpd.dncm.load"]._call_decisions(
            prospects, event=event, purpose=purpose or None
        )
        return {
            partner_id: ("do_not_call", decision.reason)
            for partner_id, decision in decisions.items()
            if not decision.allowed
        }
