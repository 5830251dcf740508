"""What the import reads of the settings: the perimeter, the engine's options,
and their fingerprint."""

import hashlib
import json

from odoo import api, models
from odoo.tools import SQL

from ...bce_engine import EngineConfig, Perimeter

PARAM = "rgpd_prospection.bce_"


class RgpdBceImport(models.Model):
    """The settings the import reads."""

    _inherit = "rgpd.bce.import"

    @api.model
    def _param(self, key, default=False):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM + key, default)

    @api.model
    def _engine_config(self):
        return EngineConfig(
            preferred_name_language=self._param("name_language", "fr") or "fr",
            max_shared_contacts=int(self._param("max_shared_contacts", 3) or 3),
            drop_flagged=bool(self._param("drop_flagged")),
            keep_municipality=self._param("keep_municipality") != "False",
        )

    @api.model
    def _perimeter_settings(self):
        return {
            "postal_codes": self._param("postal_codes") or "",
            "nace_prefixes": self._param("nace_prefixes") or "",
            "forms_in": self._param("forms_in") or "",
            "forms_out": self._param("forms_out") or "",
        }

    @api.model
    def _perimeter(self):
        """The configured perimeter, the blacklist and the anonymised or expired
        companies excluded; raises ValueError or EmptyPerimeterError."""
        perimeter = Perimeter(
            excluded=self._excluded_numbers(),
            **self._excluded_by_reason(),
            **self._perimeter_settings(),
        )
        perimeter.check_not_empty()
        return perimeter

    @api.model
    def _settings_signature(self):
        settings = dict(self._perimeter_settings(), config=repr(self._engine_config()))
        return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()

    @api.model
    def _excluded_numbers(self):
        """Numbers that never get data back: active oppositions, anonymised and
        expired contacts."""
        Partner = self.env["res.partner"]
        flags = [SQL("rgpd_anonymized")]
        if "rgpd_expired" in Partner._fields and Partner._fields["rgpd_expired"].store:
            flags.append(SQL("rgpd_expired"))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT bce_number FROM rgpd_blacklist WHERE active AND bce_number IS NOT NULL
                   UNION SELECT bce_number FROM res_partner
                   WHERE bce_number IS NOT NULL AND (%s)""",
                SQL(" OR ").join(SQL("%s IS TRUE", flag) for flag in flags),
            )
        )
        return {number for (number,) in self.env.cr.fetchall()}
