from odoo import api, models


class RgpdAccessReport(models.AbstractModel):
    _inherit = "rgpd.access.report"

    @api.model
    def _collect(self, company):
        """The access file names the Do Not Call Me check: which contacts are
        listed, and each call logged with the date of the list checked."""
        sections = super()._collect(company)
        partners = (company | company.child_ids).sudo().with_context(active_test=False)
        calls = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("rgpd_dncm_list_date", "!=", False),
                ]
            )
        )
        rows = [[p.display_name, p.rgpd_dncm_own_listed, "", ""] for p in partners]
        rows += [
            [c.summary or c.activity_type_id.name, "", c.rgpd_dncm_list_date, c.rgpd_dncm_breach]
            for c in calls
        ]
        sections.append(
            self._section(
                "dncm",
                self.env._("Do Not Call Me check"),
                [
                    self.env._("Contact or call"),
                    self.env._("Number on the list"),
                    self.env._("List checked"),
                    self.env._("Breach"),
                ],
                rows,
            )
        )
        return sections
