from odoo import api, fields, models
from odoo.exceptions import UserError


class RgpdPurpose(models.Model):
    """Why prospects are contacted (GDPR art. 5.1.b): the purposes are named in
    the information notice, the record of processing and the consents, so that
    each consent and each withdrawal is tied to one of them."""

    _name = "rgpd.purpose"
    _description = "Prospecting purpose"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True,
        help="What the purpose covers, as told to the prospect in the information notice.",
    )
    legal_basis = fields.Selection(
        [
            ("legitimate_interest", "Legitimate interest"),
            ("consent", "Consent"),
            ("contract", "Contract"),
        ],
        required=True,
        default="legitimate_interest",
        help="GDPR ground (art. 6) on which the purpose relies for companies that gave no "
        "consent; B2B prospecting of companies relies on legitimate interest.",
    )
    is_default = fields.Boolean(
        string="Default for new prospects",
        default=True,
        help="New BCE prospects are contacted for this purpose unless told otherwise.",
    )

    _name_uniq = models.Constraint("unique (name)", "A purpose with this name already exists.")

    assessment_ids = fields.One2many(
        "rgpd.purpose.assessment", "purpose_id", string="Assessment versions"
    )
    current_assessment_id = fields.Many2one(
        "rgpd.purpose.assessment",
        string="Current assessment",
        compute="_compute_current_assessment_id",
        help="The latest completed legitimate-interest assessment of the purpose.",
    )
    assessment_status = fields.Char(
        compute="_compute_assessment_status",
        help="What stops mailings from using the purpose, if anything.",
    )

    @api.depends("assessment_ids.state", "assessment_ids.version")
    def _compute_current_assessment_id(self):
        for purpose in self:
            done = purpose.assessment_ids.filtered(lambda a: a.state == "done")
            purpose.current_assessment_id = done.sorted("version")[-1:] if done else False

    @api.depends("legal_basis", "assessment_ids.state", "assessment_ids.outcome")
    def _compute_assessment_status(self):
        for purpose in self:
            purpose.assessment_status = purpose._assessment_problem() or False

    @api.model_create_multi
    def create(self, vals_list):
        purposes = super().create(vals_list)
        purposes._prefill_assessments()
        return purposes

    def write(self, vals):
        result = super().write(vals)
        if vals.get("legal_basis") == "legitimate_interest":
            self._prefill_assessments()
        return result

    def _prefill_assessments(self):
        """A draft assessment, built from the module's defaults, for each
        purpose on legitimate interest that has none yet."""
        Assessment = self.env["rgpd.purpose.assessment"].sudo()
        for purpose in self.sudo():
            if purpose.legal_basis == "legitimate_interest" and not purpose.assessment_ids:
                langs = [code for code, _name in self.env["res.lang"].get_installed()]
                Assessment.with_context(lang="en_US").create(
                    Assessment.with_context(lang="en_US")._default_values(
                        purpose.with_context(lang="en_US")
                    )
                )._translate_default_texts(langs)

    def _assessment_problem(self):
        """Why a mailing may not use this purpose yet, or an empty string."""
        self.ensure_one()
        if self.legal_basis != "legitimate_interest":
            return ""
        current = self.sudo().current_assessment_id
        if not current:
            draft = self.sudo().assessment_ids.sorted("version")[-1:]
            if not draft:
                return self.env._(
                    "The purpose %(purpose)s relies on legitimate interest and has no "
                    "assessment: a GDPR manager writes and completes it (Configuration > "
                    "Purposes, Assessment button).",
                    purpose=self.name,
                )
            missing = draft._missing_parts()
            if missing:
                return self.env._(
                    "The purpose %(purpose)s relies on legitimate interest and its assessment "
                    "is not completed yet; still missing: %(missing)s. A GDPR manager fills "
                    "them in and completes version %(version)s (Configuration > Purposes, "
                    "Assessment button).",
                    purpose=self.name,
                    missing=", ".join(missing),
                    version=draft.version,
                )
            return self.env._(
                "The purpose %(purpose)s relies on legitimate interest and its assessment is "
                "not completed yet: a GDPR manager reviews version %(version)s and completes "
                "it (Configuration > Purposes, Assessment button).",
                purpose=self.name,
                version=draft.version,
            )
        if current.outcome != "favourable":
            return self.env._(
                "The assessment of %(purpose)s (version %(version)s) concluded that the "
                "companies' interests prevail: the purpose may not be used for mailings.",
                purpose=self.name,
                version=current.version,
            )
        return ""

    def _assessment_problem_any(self):
        return any(purpose._assessment_problem() for purpose in self)

    def _check_usable_for_mailing(self):
        problems = [problem for problem in map(type(self)._assessment_problem, self) if problem]
        if problems:
            raise UserError("\n".join(problems))

    def action_open_assessment(self):
        """The latest version, to review or complete."""
        self.ensure_one()
        assessment = self.assessment_ids.sorted("version")[-1:]
        if not assessment:
            self._prefill_assessments()
            assessment = self.assessment_ids.sorted("version")[-1:]
        return {
            "type": "ir.actions.act_window",
            "res_model": "rgpd.purpose.assessment",
            "res_id": assessment.id,
            "view_mode": "form",
            "target": "current",
        }
