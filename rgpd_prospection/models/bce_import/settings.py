"""What the import reads of the settings: the perimeter, the engine's options,
and their fingerprint."""

import hashlib
import json

from odoo import api, models
from odoo.tools import SQL

from ...bce_engine import EngineConfig, Perimeter
from ...bce_engine.model import LANGUAGES

PARAM = "rgpd_prospection.bce_"


class BceSettingsError(ValueError):
    """A setting stored with a value the import cannot use: told in words, never replaced."""


class RgpdBceImport(models.Model):
    """The settings the import reads."""

    _inherit = "rgpd.bce.import"

    @api.model
    def _param(self, key, default=False):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM + key, default)

    @api.model
    def _bad_setting(self, label, value, expected):
        return BceSettingsError(
            self.env._(
                "the setting “%(setting)s” holds “%(value)s”, which is not %(expected)s. Nothing "
                "was changed: correct it in the settings, then try the file again.",
                setting=label,
                value=value,
                expected=expected,
            )
        )

    @api.model
    def _number_setting(self, key, label, default, low, high):
        """A number of the settings as stored, within the bounds the settings
        form accepts; unset, its default; anything else an error in words."""
        raw = self._param(key)
        if raw in (False, None, ""):
            return default
        try:
            value = type(default)(str(raw).strip())
        except ValueError:
            value = None
        if value is None or not (low <= value <= high):  # NaN compares false too
            bounds = [int(bound) if float(bound).is_integer() else bound for bound in (low, high)]
            raise self._bad_setting(
                label,
                raw,
                self.env._("a number from %(low)s to %(high)s", low=bounds[0], high=bounds[1]),
            )
        return value

    @api.model
    def _flag_setting(self, key, label, default):
        """A tick box of the settings as stored (``True``, ``False`` or unset)."""
        raw = self._param(key)
        if raw in (False, None, ""):
            return default
        value = {"true": True, "1": True, "false": False, "0": False}.get(str(raw).strip().lower())
        if value is None:
            raise self._bad_setting(label, raw, self.env._("True or False"))
        return value

    @api.model
    def _engine_config(self):
        """The engine's options as stored; a value the settings would not accept is an error
        in words (raises ``BceSettingsError``)."""
        language = self._param("name_language") or "fr"
        if language not in LANGUAGES:
            raise self._bad_setting(
                self.env._("Preferred name language"), language, self.env._("fr, nl or de")
            )
        shared = self._param("max_shared_contacts") or "3"
        if not shared.strip().isdigit() or int(shared) < 1:
            raise self._bad_setting(
                self.env._("Shared contact limit"),
                shared,
                self.env._("a whole number of at least 1"),
            )
        return EngineConfig(
            preferred_name_language=language,
            max_shared_contacts=int(shared),
            drop_flagged=self._flag_setting(
                "drop_flagged", self.env._("Drop what may identify a person"), False
            ),
            keep_municipality=self._flag_setting(
                "keep_municipality", self.env._("Keep the municipality"), True
            ),
        )

    @api.model
    def _describe_error(self, error, file_name=None):
        if isinstance(error, BceSettingsError):
            if file_name:
                return self.env._("%(file)s: %(error)s", file=file_name, error=str(error))
            return str(error)
        return super()._describe_error(error, file_name)

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
                SQL(" OR ").join(SQL("%s = TRUE", flag) for flag in flags),
            )
        )
        return {number for (number,) in self.env.cr.fetchall()}
