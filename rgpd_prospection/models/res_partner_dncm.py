from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """Prospects whose number is on the Do Not Call Me list: the flags are set
    for the whole database in one pass when a list is loaded, and for one
    contact when its numbers change."""

    _inherit = "res.partner"

    rgpd_other_phone_sanitized = fields.Char(
        string="Other phone (E.164)",
        compute="_compute_rgpd_other_phone_sanitized",
        store=True,
        index="btree_not_null",
        help="The other phone in E.164, as the Do Not Call Me list is matched.",
    )
    rgpd_dncm_own_listed = fields.Boolean(
        string="Own number on the DNCM list",
        compute="_compute_rgpd_dncm_own_listed",
        store=True,
        help="The phone or the other phone of this contact is on the Do Not Call Me list.",
    )
    rgpd_dncm_listed = fields.Boolean(
        string="Do Not Call Me",
        compute="_compute_rgpd_dncm_listed",
        store=True,
        help="A number of this contact, or for a company of one of its contact persons, is on "
        "the Do Not Call Me list: no prospecting call without the holder's consent.",
    )
    rgpd_dncm_banner = fields.Char(
        string="Do Not Call Me list",
        compute="_compute_rgpd_dncm_banner",
        help="Shown when no list is loaded or the list in force is too old.",
    )

    @api.depends("rgpd_other_phone", "country_id")
    def _compute_rgpd_other_phone_sanitized(self):
        for partner in self:
            partner.rgpd_other_phone_sanitized = (
                partner._phone_format(fname="rgpd_other_phone") or False
            )

    @api.depends("phone_sanitized", "rgpd_other_phone_sanitized")
    def _compute_rgpd_dncm_own_listed(self):
        numbers = {
            n
            for n in self.mapped("phone_sanitized") + self.mapped("rgpd_other_phone_sanitized")
            if n
        }
        listed = set()
        if numbers:
            self.env.cr.execute(
                SQL("SELECT number FROM rgpd_dncm_number WHERE number = ANY(%s)", list(numbers))
            )
            listed = {number for (number,) in self.env.cr.fetchall()}
        for partner in self:
            partner.rgpd_dncm_own_listed = bool(
                {partner.phone_sanitized, partner.rgpd_other_phone_sanitized} & listed
            )

    @api.depends("rgpd_dncm_own_listed", "child_ids.rgpd_dncm_own_listed", "is_company")
    def _compute_rgpd_dncm_listed(self):
        for partner in self:
            partner.rgpd_dncm_listed = partner.rgpd_dncm_own_listed or any(
                partner.child_ids.mapped("rgpd_dncm_own_listed")
            )

    def _compute_rgpd_dncm_banner(self):
        banner = self.env["rgpd.dncm.load"].sudo()._stale_banner()
        for partner in self:
            partner.rgpd_dncm_banner = banner

    @api.model
    def _rgpd_dncm_match(self):
        """Match the list in force against every contact's numbers in two
        set-based UPDATEs; ``(newly listed, released)`` counts of contacts."""
        self.env.flush_all()
        cr = self.env.cr
        # joins, not ``id IN (subquery)``: PostgreSQL hashes a join, while a
        # large IN-subquery per row of a national table is not always hashed
        cr.execute(
            """
            WITH own AS (
                SELECT p.id FROM res_partner p
                  JOIN rgpd_dncm_number n ON n.number = p.phone_sanitized
                UNION
                SELECT p.id FROM res_partner p
                  JOIN rgpd_dncm_number n ON n.number = p.rgpd_other_phone_sanitized
            ), wanted AS (
                SELECT p.id, own.id IS NOT NULL AS listed
                  FROM res_partner p LEFT JOIN own ON own.id = p.id
            )
            UPDATE res_partner p SET rgpd_dncm_own_listed = wanted.listed
              FROM wanted
             WHERE wanted.id = p.id AND COALESCE(p.rgpd_dncm_own_listed, FALSE) <> wanted.listed
            """
        )
        cr.execute(
            """
            WITH listed AS (
                SELECT id FROM res_partner WHERE rgpd_dncm_own_listed
                UNION
                SELECT parent_id FROM res_partner
                 WHERE rgpd_dncm_own_listed AND parent_id IS NOT NULL
            ), wanted AS (
                SELECT p.id, listed.id IS NOT NULL AS listed
                  FROM res_partner p LEFT JOIN listed ON listed.id = p.id
            )
            UPDATE res_partner p SET rgpd_dncm_listed = wanted.listed
              FROM wanted
             WHERE wanted.id = p.id AND COALESCE(p.rgpd_dncm_listed, FALSE) <> wanted.listed
            RETURNING p.rgpd_dncm_listed
            """
        )
        flips = [listed for (listed,) in cr.fetchall()]
        self.invalidate_model(["rgpd_dncm_own_listed", "rgpd_dncm_listed"])
        return sum(flips), len(flips) - sum(flips)
