from odoo import api, models


class RgpdContactPolicy(models.AbstractModel):
    """The Do Not Call Me list as one rule of the contact policy: for the call
    channel, a prospect whose number is listed (or a stale list) is refused,
    unless its holder consented after registering it
    (``rgpd.dncm.load._call_decisions`` reads the list). A call that answers
    the company's own request or confirms an appointment with it is not
    prospecting: the door passes that event in the context
    (``rgpd_call_event``) and the policy exempts the call."""

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
    def _exempted(self, partners, channel):
        exempted = super()._exempted(partners, channel)
        event = self.env.context.get("rgpd_call_event")
        # only a record passed by the code counts: an RPC context carries no recordset
        if channel != "call" or not isinstance(event, models.BaseModel):
            return exempted
        for partner in partners:
            if self._is_exempting_event(event, partner.commercial_partner_id):
                exempted[partner.id] = self.env._(
                    "Answers the company's own request or confirms an appointment."
                )
        return exempted

    @api.model
    def _is_exempting_event(self, event, company):
        """A meeting with the company, or a call or meeting it initiated
        (which only a user of the module's roles may tick): the call answers
        it or confirms it."""
        if event._name != "mail.activity" or len(event) != 1:
            return False
        event = event.sudo().with_context(active_test=False)
        # a call being planned (a new record) may be its own event
        if event.id and not event.exists():
            return False
        if event._rgpd_partner().commercial_partner_id != company:
            return False
        meeting = self.env.ref("mail.mail_activity_data_meeting", raise_if_not_found=False)
        if event.activity_type_id == meeting or event.activity_type_id.category == "meeting":
            return True
        return bool(event.rgpd_initiated_by_prospect)

    @api.model
    def _rule_do_not_call(self, partners, channel, purpose, require_purpose):
        if channel != "call":
            return {}
        prospects = self._governed(partners)
        if not prospects:
            return {}
        decisions = self.env["rgpd.dncm.load"]._call_decisions(prospects, purpose=purpose or None)
        return {
            partner_id: ("do_not_call", decision.reason)
            for partner_id, decision in decisions.items()
            if not decision.allowed
        }
