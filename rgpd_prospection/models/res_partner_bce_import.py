from odoo import fields, models


class ResPartner(models.Model):
    """The imports that created, updated and archived the company: what an
    import's figures open."""

    _inherit = "res.partner"

    rgpd_bce_import_created_id = fields.Many2one(
        "rgpd.bce.import",
        string="Created by import",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        groups="rgpd_prospection.group_rgpd_manager",
        help="The BCE import that created this contact.",
    )
    rgpd_bce_import_updated_ids = fields.Many2many(
        "rgpd.bce.import",
        "rgpd_bce_import_updated_partner_rel",
        "partner_id",
        "import_id",
        string="Updated by imports",
        copy=False,
        groups="rgpd_prospection.group_rgpd_manager",
        help="The BCE imports that changed this contact's data.",
    )
    rgpd_bce_import_archived_ids = fields.Many2many(
        "rgpd.bce.import",
        "rgpd_bce_import_archived_partner_rel",
        "partner_id",
        "import_id",
        string="Archived by imports",
        copy=False,
        groups="rgpd_prospection.group_rgpd_manager",
        help="The BCE imports that archived this contact.",
    )
