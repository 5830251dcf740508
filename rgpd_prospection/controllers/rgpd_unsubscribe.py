from odoo import http
from odoo.http import request
from werkzeug.exceptions import NotFound


class RgpdUnsubscribeController(http.Controller):
    """The unsubscribe link of the information notice (GDPR art. 14 and 21):
    a mail sent outside a mass mailing has no mailing page to point to. The
    link carries a token, so no login is needed; the opposition is recorded
    only on the confirmation (POST), so that mail scanners opening the link
    do not unsubscribe anyone."""

    @http.route(
        "/rgpd/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
    )
    def rgpd_unsubscribe(self, partner_id, token, **post):
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or not partner._rgpd_check_unsubscribe_token(token):
            raise NotFound()
        done = request.httprequest.method == "POST"
        if done:
            partner._rgpd_unsubscribe(
                request.env._("Unsubscribed through the link of the information notice.")
            )
        return request.render(
            "rgpd_prospection.rgpd_unsubscribe_page",
            {"company": partner.commercial_partner_id, "done": done},
        )
