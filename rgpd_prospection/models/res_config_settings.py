import os
from functools import partial
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..bce_engine import Perimeter
from ..tools import is_rgpd_manager
from .bce_import.files import DEFAULT_SET_ASIDE_DAYS, SET_ASIDE_BOUNDS
from .bce_import.sanity import SANITY_DEFAULTS
from .bce_import.settings import PARAM, BceSettingsError
from .mail_thread_inbound import GATEWAY_USER_PARAM
from .rgpd_processing_record import DPO_EMAIL_PARAM, RECIPIENTS_PARAM, SECURITY_PARAM
from .rgpd_retention_run import (
    DEFAULT_RETENTION_MONTHS,
    MAX_RETENTION_MONTHS,
    RETENTION_MONTHS_PARAM,
)

NAME_LANGUAGES = [("fr", "French"), ("nl", "Dutch"), ("de", "German")]
INTERVAL_TYPES = [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")]
RETENTION_BOUNDS = (1, MAX_RETENTION_MONTHS)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Accountability: they feed the retention run, the information notice and the
    # record of processing.
    rgpd_retention_months = fields.Integer(
        string="Retention period (months)",
        config_parameter=RETENTION_MONTHS_PARAM,
        default=DEFAULT_RETENTION_MONTHS,
        help="A prospect that has not contacted us for this long loses its personal data "
        "(3 years by default).",
    )
    rgpd_retention_problem = fields.Char(
        string="Retention period problem",
        compute="_compute_rgpd_retention_problem",
        help="Why the retention period stored in the settings cannot be used.",
    )
    rgpd_bce_settings_problem = fields.Text(
        string="Import settings problem",
        compute="_compute_rgpd_bce_settings_problem",
        help="Why a stored setting of the import cannot be used (a value put around this form).",
    )
    rgpd_dpo_email = fields.Char(
        string="Privacy contact e-mail",
        config_parameter=DPO_EMAIL_PARAM,
        help="Where data subjects exercise their rights; shown in the information notice and "
        "the record of processing.",
    )
    rgpd_record_recipients = fields.Char(
        string="Recipients",
        config_parameter=RECIPIENTS_PARAM,
        help="Who receives the prospects' data (sales team, processors such as the mailing "
        "or hosting provider), for the record of processing.",
    )
    rgpd_record_security = fields.Char(
        string="Security measures",
        config_parameter=SECURITY_PARAM,
        help="Technical and organisational measures protecting the data, for the record of "
        "processing.",
    )

    rgpd_mail_gateway_user_id = fields.Many2one(
        "res.users",
        string="Mail gateway user",
        config_parameter=GATEWAY_USER_PARAM,
        help="The user the mail gateway script (odoo-mailgate) logs in as: the mails it hands "
        "over count as contacts from the prospects, as those Odoo's incoming mail servers "
        "fetch. Leave empty without such a script.",
    )

    rgpd_bce_extract_folder = fields.Char(
        string="Extract folder",
        config_parameter=PARAM + "extract_folder",
        help="Folder on the Odoo server where BCE extract ZIPs arrive (downloaded or copied). "
        "A ZIP is deleted once applied: it holds natural persons' data.",
    )
    rgpd_bce_postal_codes = fields.Char(
        string="Postal codes",
        config_parameter=PARAM + "postal_codes",
        help="Postal codes and ranges of the companies' seats, e.g. 1000-1299, 1300, 9000-9099. "
        "Write 1000-9999 for the whole country. No import runs until postal codes or NACE "
        "codes are set.",
    )
    rgpd_bce_nace_prefixes = fields.Char(
        string="NACE codes",
        config_parameter=PARAM + "nace_prefixes",
        help="NACE codes the companies must have an activity in (any version), e.g. 62, 63.1; "
        "a code includes all codes below it.",
    )
    rgpd_bce_forms_in = fields.Char(
        string="Juridical forms only",
        config_parameter=PARAM + "forms_in",
        help="BCE juridical form codes to keep only (e.g. 014, 610); empty keeps all forms.",
    )
    rgpd_bce_forms_out = fields.Char(
        string="Juridical forms excluded",
        config_parameter=PARAM + "forms_out",
        help="BCE juridical form codes to leave out (e.g. 017 for non-profit associations).",
    )
    rgpd_bce_name_language = fields.Selection(
        NAME_LANGUAGES,
        string="Preferred name language",
        config_parameter=PARAM + "name_language",
        default="fr",
        help="A company's name is taken in this language when the BCE has it, else in the "
        "language of its seat's region.",
    )
    rgpd_bce_keep_municipality = fields.Boolean(
        string="Keep the municipality",
        help="Fill the city of prospects along with their postal code.",
    )
    rgpd_bce_drop_flagged = fields.Boolean(
        string="Drop what may identify a person",
        config_parameter=PARAM + "drop_flagged",
        help="Leave out companies named after a person and mobile numbers instead of keeping them.",
    )
    rgpd_bce_max_shared_contacts = fields.Integer(
        string="Shared contact limit",
        config_parameter=PARAM + "max_shared_contacts",
        default=3,
        help="An e-mail or phone held by more companies than this belongs to an accountant or "
        "a domiciliation firm and is not kept.",
    )
    rgpd_bce_portal_user = fields.Char(
        string="BCE portal user",
        config_parameter=PARAM + "portal_user",
        help="Your account on the BCE open-data portal; with a password, the scheduled action "
        "'download BCE extracts' fetches new extracts into the folder.",
    )
    rgpd_bce_portal_password = fields.Char(
        string="BCE portal password",
        config_parameter=PARAM + "portal_password",
        help="Password of that account.",
    )
    rgpd_bce_interval_number = fields.Integer(
        string="Import every",
        help="How often the scheduled import looks for new extracts; the BCE publishes a full "
        "extract and an update every day.",
    )
    rgpd_bce_interval_type = fields.Selection(
        INTERVAL_TYPES, string="Import interval unit", help="Unit of the import interval."
    )
    rgpd_bce_set_aside_days = fields.Integer(
        string="Delete failed files after (days)",
        config_parameter=PARAM + "set_aside_days",
        default=DEFAULT_SET_ASIDE_DAYS,
        help="Extract files that failed or were refused are deleted from the folder after this "
        "many days: they hold natural persons' data. The import history records it.",
    )
    rgpd_bce_sanity_full_percent = fields.Float(
        string="Archives allowed in a full extract (%)",
        config_parameter=PARAM + "sanity_full_percent",
        default=SANITY_DEFAULTS["sanity_full_percent"],
        help="A full extract that would archive a larger share of the prospects, because the "
        "BCE stopped them or struck them off, waits for a manager's confirmation.",
    )
    rgpd_bce_sanity_update_percent = fields.Float(
        string="Archives allowed in an update (%)",
        config_parameter=PARAM + "sanity_update_percent",
        default=SANITY_DEFAULTS["sanity_update_percent"],
        help="The same limit for one update extract.",
    )
    rgpd_bce_sanity_min_prospects = fields.Integer(
        string="Archives checked from",
        config_parameter=PARAM + "sanity_min_prospects",
        default=SANITY_DEFAULTS["sanity_min_prospects"],
        help="The share of archived prospects is checked only when at least this many prospects "
        "would be archived.",
    )
    rgpd_bce_sanity_shrink_percent = fields.Float(
        string="Tables may shrink by (%)",
        config_parameter=PARAM + "sanity_shrink_percent",
        default=SANITY_DEFAULTS["sanity_shrink_percent"],
        help="An extract whose enterprises, names, addresses or activities shrank by more than "
        "this against the last applied full extract, or are empty, waits for a manager's "
        "confirmation.",
    )

    @api.model
    def _rgpd_bce_cron(self):
        return self.env.ref("rgpd_prospection.ir_cron_rgpd_bce_import", False)

    @api.model
    def get_values(self):
        values = super().get_values()
        cron = self._rgpd_bce_cron()
        if cron:
            cron = cron.sudo()
            values.update(
                rgpd_bce_interval_number=cron.interval_number,
                rgpd_bce_interval_type=cron.interval_type,
            )
        try:
            keep = self.env["rgpd.bce.import"].sudo()._engine_config().keep_municipality
        except BceSettingsError:
            keep = True  # the banner says why the stored value cannot be used
        values["rgpd_bce_keep_municipality"] = keep
        return values

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        language = values.get("rgpd_bce_name_language")
        if language and language not in dict(NAME_LANGUAGES):
            values["rgpd_bce_name_language"] = False  # the banner says what is stored
        return values

    def set_values(self):
        """Only a GDPR prospecting manager may change the import settings."""
        self._check_rgpd_bce_settings()
        result = super().set_values()
        self.env["ir.config_parameter"].sudo().set_param(
            PARAM + "keep_municipality", str(bool(self.rgpd_bce_keep_municipality))
        )
        cron = self._rgpd_bce_cron()
        if cron and self.rgpd_bce_interval_type:
            cron.sudo().write(
                {
                    "interval_number": self.rgpd_bce_interval_number,
                    "interval_type": self.rgpd_bce_interval_type,
                }
            )
        return result

    def _check_rgpd_bce_settings(self):
        names = [name for name in self._fields if name.startswith("rgpd_bce_")]
        current = self.default_get(names)
        changed = any(
            (self[name] or False) != (current.get(name) or False)
            for name in names
            if name in current
        )
        if changed and not is_rgpd_manager(self.env):
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may change the BCE import.")
            )
        try:
            Perimeter(
                postal_codes=self.rgpd_bce_postal_codes or "",
                nace_prefixes=self.rgpd_bce_nace_prefixes or "",
                forms_in=self.rgpd_bce_forms_in or "",
                forms_out=self.rgpd_bce_forms_out or "",
            )
        except ValueError as error:
            raise ValidationError(
                self.env._("The perimeter is not valid: %(error)s", error=error)
            ) from None
        if self.rgpd_bce_max_shared_contacts < 1:
            raise ValidationError(self.env._("The shared contact limit must be at least 1."))
        low, high = RETENTION_BOUNDS
        if not low <= self.rgpd_retention_months <= high:
            raise ValidationError(
                self.env._(
                    "The retention period must be between %(low)s and %(high)s months "
                    "(%(value)s given).",
                    low=low,
                    high=high,
                    value=self.rgpd_retention_months,
                )
            )
        if self.rgpd_bce_interval_type and self.rgpd_bce_interval_number < 1:
            raise ValidationError(
                self.env._("The scheduled import must run at least every 1 day, week or month.")
            )
        low, high = SET_ASIDE_BOUNDS
        if not low <= self.rgpd_bce_set_aside_days <= high:
            raise ValidationError(
                self.env._(
                    "Failed files must be deleted after %(low)s to %(high)s days.",
                    low=low,
                    high=high,
                )
            )
        for name in (
            "rgpd_bce_sanity_full_percent",
            "rgpd_bce_sanity_update_percent",
            "rgpd_bce_sanity_shrink_percent",
        ):
            if not 0 <= self[name] <= 100:
                raise ValidationError(
                    self.env._(
                        "%(setting)s must be a percentage between 0 and 100.",
                        setting=self._fields[name].get_description(self.env)["string"],
                    )
                )
        if self.rgpd_bce_sanity_min_prospects < 0:
            raise ValidationError(
                self.env._(
                    "The number of prospects the archives are checked from cannot be negative."
                )
            )
        folder = self.rgpd_bce_extract_folder or False
        if folder != (current.get("rgpd_bce_extract_folder") or False):
            self._check_rgpd_bce_folder()

    def _check_rgpd_bce_folder(self):
        """On a change only: a folder removed from the server later is the
        import's to report, it must not block saving other settings."""
        if not self.rgpd_bce_extract_folder:
            return
        folder = Path(self.rgpd_bce_extract_folder)
        if not folder.is_absolute():
            problem = self.env._("it must be an absolute path, such as /var/lib/odoo/bce.")
        elif not folder.exists():
            problem = self.env._("it does not exist on the Odoo server.")
        elif not folder.is_dir():
            problem = self.env._("it is a file, not a folder.")
        elif not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            problem = self.env._("the Odoo server may not read and write it.")
        else:
            return
        raise ValidationError(
            self.env._(
                "The extract folder %(folder)s cannot be used: %(problem)s",
                folder=self.rgpd_bce_extract_folder,
                problem=problem,
            )
        )

    def _compute_rgpd_bce_settings_problem(self):
        """What the import's readers refuse of the stored settings, each in
        words: the same messages a failed import shows."""
        Import = self.env["rgpd.bce.import"].sudo()
        readers = [
            Import._engine_config,
            Import._set_aside_days,
            *(partial(Import._sanity_setting, key) for key in SANITY_DEFAULTS),
        ]
        problems = []
        for reader in readers:
            try:
                reader()
            except BceSettingsError as error:
                problems.append(str(error))
        for settings in self:
            settings.rgpd_bce_settings_problem = "\n".join(problems) or False

    def _compute_rgpd_retention_problem(self):
        problem = self.env["rgpd.retention.run"]._retention_setting()[1]
        for settings in self:
            settings.rgpd_retention_problem = problem or False
