from odoo import api, fields, models
from odoo.exceptions import UserError

# The parts of a legitimate-interest assessment a manager must fill before it
# may be completed (GDPR art. 6.1.f: interest, necessity, balancing, outcome).
ASSESSMENT_PARTS = [
    "interest",
    "necessity",
    "data_kept",
    "bce_source",
    "business_contacts_only",
    "opt_out",
    "retention",
    "outcome",
    "conclusion",
]


class RgpdPurposeAssessment(models.Model):
    """The legitimate-interest assessment of one purpose, one record per
    version: GDPR art. 5.2 asks the controller to show the balancing test of
    art. 6.1.f was done, so a revision adds a version and the completed ones
    stay as they were. Each mailing records the version it was sent under."""

    _name = "rgpd.purpose.assessment"
    _inherit = ["mail.thread"]
    _description = "Legitimate-interest assessment"
    _order = "purpose_id, version desc"

    purpose_id = fields.Many2one("rgpd.purpose", required=True, index=True, ondelete="cascade")
    version = fields.Integer(readonly=True, copy=False, default=1)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Completed")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_current = fields.Boolean(
        string="Current version",
        compute="_compute_is_current",
        help="The latest completed version: the one mailings are sent under.",
    )
    interest = fields.Text(
        translate=True,
        string="Interest pursued",
        help="The legitimate interest the purpose serves (GDPR art. 6.1.f); the information "
        "notice states it (art. 14.2.b).",
    )
    necessity = fields.Text(
        translate=True,
        help="Why processing the companies' data is necessary for that interest, and why a "
        "less intrusive means would not do.",
    )
    data_kept = fields.Text(
        translate=True,
        string="Data kept",
        help="Balancing: which data are kept, and which are left out.",
    )
    bce_source = fields.Text(
        translate=True,
        string="BCE source",
        help="Balancing: where the data come from (BCE/KBO open data) and what the companies "
        "may expect from that publication.",
    )
    business_contacts_only = fields.Text(
        translate=True,
        string="Business contacts only",
        help="Balancing: only companies and their business contact details are processed, "
        "not natural persons.",
    )
    opt_out = fields.Text(
        translate=True,
        string="Opposition offered",
        help="Balancing: how the company objects, and what the objection stops.",
    )
    retention = fields.Text(translate=True, help="Balancing: how long the data are kept, and why.")
    outcome = fields.Selection(
        [
            ("favourable", "The legitimate interest prevails"),
            ("unfavourable", "The companies' interests prevail"),
        ],
        tracking=True,
        help="Result of the balancing test: only a favourable outcome lets mailings use the "
        "purpose.",
    )
    conclusion = fields.Text(
        translate=True, help="Why the balancing ends this way, and on which conditions."
    )
    date = fields.Date(readonly=True, copy=False, tracking=True, help="When it was completed.")
    author_id = fields.Many2one("res.users", readonly=True, copy=False, help="Who completed it.")

    @api.depends("purpose_id.assessment_ids.state", "version")
    def _compute_is_current(self):
        for assessment in self:
            assessment.is_current = assessment == assessment.purpose_id.current_assessment_id

    @api.depends("purpose_id", "version")
    def _compute_display_name(self):
        for assessment in self:
            assessment.display_name = self.env._(
                "%(purpose)s, version %(version)s",
                purpose=assessment.purpose_id.name or "",
                version=assessment.version,
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("purpose_id") and "version" not in vals:
                last = self.with_context(active_test=False).search(
                    [("purpose_id", "=", vals["purpose_id"])], order="version desc", limit=1
                )
                vals["version"] = last.version + 1
            vals.pop("state", None)
        return super().create(vals_list)

    def write(self, vals):
        """A completed version is the proof of the test as it was done: it is
        revised by a new version, never edited."""
        if {"state", "date", "author_id"} & set(vals):
            raise UserError(self.env._("An assessment is completed with its Complete button only."))
        edits = set(vals) - {"message_main_attachment_id"}
        if edits and self.filtered(lambda a: a.state == "done"):
            raise UserError(
                self.env._(
                    "A completed assessment is kept as it was: revise it to write a new version."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_completed(self):
        if self.filtered(lambda a: a.state == "done"):
            raise UserError(
                self.env._("A completed assessment is kept as proof: it cannot be deleted.")
            )

    def _missing_parts(self):
        """Labels of the parts still empty, in the order of the form."""
        self.ensure_one()
        return [
            self._fields[fname].get_description(self.env)["string"]
            for fname in ASSESSMENT_PARTS
            if not self[fname]
        ]

    def action_complete(self):
        """The manager signs the assessment off: dated, with its author."""
        for assessment in self:
            missing = assessment._missing_parts()
            if missing:
                raise UserError(
                    self.env._(
                        "Complete the assessment of %(purpose)s first; missing: %(missing)s.",
                        purpose=assessment.purpose_id.name,
                        missing=", ".join(missing),
                    )
                )
        # Past the guard of ``write``, which refuses these fields to any other caller.
        super(  # pylint: disable=super-method-mismatch
            RgpdPurposeAssessment, self.filtered(lambda a: a.state == "draft")
        ).write(
            {"state": "done", "date": fields.Date.context_today(self), "author_id": self.env.uid}
        )
        return True

    def action_revise(self):
        """A new draft version, starting from this one."""
        self.ensure_one()
        revision = self.copy({"purpose_id": self.purpose_id.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": revision.id,
            "view_mode": "form",
            "target": "current",
        }

    def _creation_message(self):
        """One sentence in one language: Odoo's own joins the model's name in
        one language to "created" in another. The assessment is not about one
        reader, so the note is in the installation's main language."""
        lang = self.env["res.partner"]._rgpd_main_lang()
        return self.with_context(lang=lang).env._(
            "Legitimate-interest assessment created (version %(version)s).",
            version=self.version,
        )

    def _translate_default_texts(self, langs):
        """The texts still as the module drafted them, given in each of
        ``langs``: a record of processing read in Dutch then quotes them in
        Dutch, not in the language the draft was made in."""
        for assessment in self.with_context(lang="en_US"):
            drafted = assessment._default_values(assessment.purpose_id)
            kept = [
                fname
                for fname, text in drafted.items()
                if fname in ASSESSMENT_PARTS and assessment[fname] == text
            ]
            for lang in langs:
                if lang == "en_US" or not kept:
                    continue
                translated = assessment.with_context(lang=lang)._default_values(
                    assessment.purpose_id.with_context(lang=lang)
                )
                for fname in kept:
                    if assessment.with_context(lang=lang)[fname] == assessment[fname]:
                        assessment.update_field_translations(fname, {lang: translated[fname]})

    @api.model
    def _default_values(self, purpose):
        """A draft built from what the module does, for the manager to review."""
        months = self.env["rgpd.retention.run"]._retention_months()
        return {
            "purpose_id": purpose.id,
            "interest": self.env._(
                "Offering our products and services to other companies (business to business "
                "direct marketing, GDPR recital 47): %(purpose)s",
                purpose=purpose.description or purpose.name,
            ),
            "necessity": self.env._(
                "Reaching companies that do not know us yet needs their business contact "
                "details; only the data needed to address the company and to choose the "
                "relevant offers (its activities, its region) are used."
            ),
            "data_kept": self.env._(
                "Enterprise number, name, juridical form, NACE activities, address of the seat, "
                "generic company e-mail and phone. No data on natural persons; the e-mail of a "
                "person only with that person's consent."
            ),
            "bce_source": self.env._(
                "Open data of the Crossroads Bank for Enterprises (BCE/KBO), published by the "
                "Belgian State for reuse; the source, extract number and snapshot date are named "
                "in the information notice and in every file produced about prospects."
            ),
            "business_contacts_only": self.env._(
                "Only legal persons are imported; enterprises of natural persons and personal "
                "e-mail addresses are left out at import, before anything is stored."
            ),
            "opt_out": self.env._(
                "Every mailing and the information notice offer to object in one click; an "
                "objection blacklists the enterprise number, so later imports never bring the "
                "company back."
            ),
            "retention": self.env._(
                "%(months)s months after the last contact coming from the company, then the "
                "personal data are erased.",
                months=months,
            ),
        }
