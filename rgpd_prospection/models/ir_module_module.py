from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """A language added after the assessments were drafted gets their
        drafted texts too, as it gets the module's own terms; a completed
        assessment is a proof kept as it was, and is left alone."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "rgpd_prospection" in modules and "rgpd.purpose.assessment" in self.env:
            # a handful of assessments, a few versions per purpose
            assessments = (
                self.env["rgpd.purpose.assessment"].sudo().search([("state", "!=", "done")])
            )
            assessments._translate_default_texts(langs)
        return result
