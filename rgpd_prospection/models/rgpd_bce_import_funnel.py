from collections import Counter

from markupsafe import Markup
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..bce_engine import reasons
from ..bce_engine.language import postal_code_number
from ..bce_engine.model import STATE_TABLES
from .rgpd_bce_import_drop import DROP_REASONS
from .rgpd_nace import format_nace_code


class RgpdBceImport(models.Model):
    """How an import reads at a glance: its drops as lines per reason (for
    Odoo's graph and pivot views), its funnel, and why prospects left."""

    _inherit = "rgpd.bce.import"

    drop_ids = fields.One2many(
        "rgpd.bce.import.drop",
        "import_id",
        string="Left out",
        help="What was left out, per reason.",
    )
    count_in_file = fields.Integer(
        string="Enterprises in the file",
        compute="_compute_funnel_counts",
        store=True,
        help="Enterprises the extract lists: legal persons, natural persons and enterprises "
        "of unknown type (for an update: those it changes).",
    )
    count_legal_in_file = fields.Integer(
        string="Legal persons in the file",
        compute="_compute_funnel_counts",
        store=True,
        help="Legal persons the extract lists (for an update: those it creates, changes or stops).",
    )
    count_outside = fields.Integer(
        string="Outside the perimeter",
        compute="_compute_funnel_counts",
        store=True,
        help="Legal persons whose postal code, activity or juridical form is outside the "
        "perimeter.",
    )
    count_stopped = fields.Integer(
        string="Legal persons stopped at the BCE",
        compute="_compute_funnel_counts",
        store=True,
        help="Legal persons an update stops or strikes off: neither inside nor outside the "
        "perimeter any more, their contacts are archived.",
    )
    count_erased = fields.Integer(
        string="Left out (erasure)",
        compute="_compute_funnel_counts",
        store=True,
        help="Companies left out because their personal data were erased.",
    )
    count_expired = fields.Integer(
        string="Left out (retention expired)",
        compute="_compute_funnel_counts",
        store=True,
        help="Companies left out because their retention period ran out without contact.",
    )
    funnel_html = fields.Html(
        string="Funnel",
        compute="_compute_funnel_html",
        sanitize=False,
        help="From the enterprises of the file to the contacts created, updated, archived or "
        "skipped, with what was left out beside it.",
    )

    # ------------------------------------------------------------------ drop lines

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("drops")._sync_drop_lines()
        return records

    def write(self, vals):
        result = super().write(vals)
        if "drops" in vals:
            self._sync_drop_lines()
        return result

    def _sync_drop_lines(self):
        """One line per reason of ``drops`` (the engine's counts): the lines
        are what the views read, the JSON what the import steps add up."""
        known = dict(DROP_REASONS)
        Drop = self.env["rgpd.bce.import.drop"].sudo()
        Drop.search([("import_id", "in", self.ids)]).unlink()
        Drop.create(
            [
                {"import_id": record.id, "reason": reason, "count": count}
                for record in self
                for reason, count in sorted((record.drops or {}).items())
                if reason in known and count
            ]
        )

    @api.depends(
        "drop_ids.count", "drop_ids.reason", "count_read", "engine_changes", "extract_type"
    )
    def _compute_funnel_counts(self):
        for record in self:
            drops = Counter()
            for drop in record.drop_ids:
                drops[drop.reason] += drop.count
            changes = record.engine_changes or {}
            if record.extract_type == "update":
                legal = sum(len(numbers) for numbers in changes.values())
            else:
                legal = record.count_read
            record.count_legal_in_file = legal
            record.count_stopped = len(changes.get("stopped", []))
            record.count_in_file = legal + drops["natural_person"] + drops["unknown_type"]
            record.count_outside = drops["outside_perimeter"]
            record.count_erased = drops["erased"]
            record.count_expired = drops["expired"]

    @api.depends_context("lang")
    @api.depends("drops")
    def _compute_drops_summary(self):
        """The reasons in the reader's language, the counts formatted for it."""
        labels = dict(
            self.env["rgpd.bce.import.drop"]._fields["reason"]._description_selection(self.env)
        )
        for record in self:
            drops = record.drops or {}
            record.drops_summary = "\n".join(
                f"{labels.get(reason, reason)}: {record._format_count(count)}"
                for reason, count in sorted(drops.items(), key=lambda item: -item[1])
            )

    @api.depends_context("lang")
    @api.depends("table_counts")
    def _compute_table_counts_summary(self):
        """The tables named and their rows counted for the reader."""
        labels = self._table_labels()
        for record in self:
            counts = record.table_counts or {}
            record.table_counts_summary = "\n".join(
                f"{labels[table]}: {record._format_count(counts[table])}"
                for table in STATE_TABLES
                if table in counts
            )

    def _table_labels(self):
        return {
            "enterprises": self.env._("Enterprises"),
            "units": self.env._("Establishments"),
            "names": self.env._("Names"),
            "addresses": self.env._("Addresses"),
            "contacts": self.env._("Contact details"),
            "activities": self.env._("Activities"),
        }

    def _format_count(self, value):
        return formatLang(self.env, value or 0, digits=0)

    # ------------------------------------------------------------------ funnel

    def _count_in_perimeter(self):
        """The legal persons inside the perimeter: kept, skipped, or left out
        for a name that is a person's."""
        self.ensure_one()
        named = sum(drop.count for drop in self.drop_ids if drop.reason == reasons.PERSONAL_NAME)
        skipped = self.count_blacklisted + self.count_erased + self.count_expired
        return self.count_kept + skipped + named

    def _funnel_parts(self):
        """The legal persons of the file, split so the parts add up to them:
        outside the perimeter, inside it, and (an update) stopped."""
        self.ensure_one()
        return {
            "count_outside": self.count_outside,
            "in_perimeter": self._count_in_perimeter(),
            "count_stopped": self.count_stopped,
        }

    def _funnel_steps(self):
        """(label, count, css class) of each step, widest first."""
        self.ensure_one()
        unchanged = max(self.count_kept - self.count_created - self.count_updated, 0)

        def step(fname, css):
            return (self._fields[fname]._description_string(self.env), self[fname], css)

        stopped = [step("count_stopped", "bg-warning")] if self.count_stopped else []
        return [
            step("count_in_file", "bg-secondary"),
            step("count_legal_in_file", "bg-info"),
            *stopped,
            (self.env._("In the perimeter"), self._count_in_perimeter(), "bg-primary"),
            step("count_created", "bg-success"),
            step("count_updated", "bg-success"),
            (self.env._("Unchanged"), unchanged, "bg-success opacity-50"),
            step("count_archived", "bg-warning"),
            step("count_blacklisted", "bg-danger"),
            step("count_erased", "bg-danger"),
            step("count_expired", "bg-danger"),
        ]

    def _bars(self, steps, scale):
        rows = Markup("").join(
            Markup(
                '<tr><td class="text-nowrap pe-2">%s</td>'
                '<td class="text-end text-nowrap pe-2 o_rgpd_funnel_count">%s</td>'
                '<td class="w-100"><div class="%s" style="height: 1rem; width: %s%%; '
                'min-width: 2px;"></div></td></tr>'
            )
            % (label, self._format_count(count), css, round(100 * count / scale, 1) if scale else 0)
            for label, count, css in steps
        )
        return Markup('<table class="table table-sm table-borderless mb-0">%s</table>') % rows

    @api.depends_context("lang")
    @api.depends(
        "state",
        "count_in_file",
        "count_legal_in_file",
        "count_kept",
        "count_created",
        "count_updated",
        "count_archived",
        "count_blacklisted",
        "count_erased",
        "count_expired",
        "count_stopped",
        "drop_ids.count",
        "drop_ids.reason",
    )
    def _compute_funnel_html(self):
        for record in self:
            if record.state != "done":
                record.funnel_html = False
                continue
            steps = record._funnel_steps()
            scale = max([count for _label, count, _css in steps] + [1])
            labels = dict(record.drop_ids._fields["reason"]._description_selection(record.env))
            drops = record.drop_ids.sorted(lambda d: -d.count)
            companies = [
                (labels[drop.reason], drop.count, "bg-danger opacity-75")
                for drop in drops
                if drop.unit == "company"
            ]
            rows = drops.filtered(lambda d: d.unit == "row")
            row_list = Markup("").join(
                Markup("<li>%s: %s</li>") % (labels[drop.reason], record._format_count(drop.count))
                for drop in rows
            )
            record.funnel_html = Markup(
                '<div class="row o_rgpd_funnel">'
                '<div class="col-lg-7"><h5>%s</h5>%s</div>'
                '<div class="col-lg-5"><h5>%s</h5>%s%s</div></div>'
            ) % (
                self.env._("From the file to the contacts"),
                record._bars(steps, scale),
                self.env._("Enterprises left out"),
                record._bars(companies, scale) if companies else self.env._("None"),
                Markup('<h6 class="mt-3">%s</h6><ul class="small">%s</ul>')
                % (self.env._("Lines and values left out of the kept companies"), row_list)
                if rows
                else "",
            )

    # ------------------------------------------------------------------ exclusions

    @api.model
    def _excluded_by_reason(self):
        """The excluded numbers counted apart from the oppositions: erased
        and expired companies (``Perimeter.erased`` / ``expired``)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT bce_number, rgpd_anonymized IS TRUE
                   FROM res_partner WHERE bce_number IS NOT NULL
                   AND (rgpd_anonymized = TRUE OR rgpd_expired = TRUE)"""
            )
        )
        erased, expired = set(), set()
        for number, is_erased in self.env.cr.fetchall():
            (erased if is_erased else expired).add(number)
        return {"erased": erased, "expired": expired}

    # ------------------------------------------------------------------ archive reasons

    def _archive_reasons(self, result, perimeter, numbers):
        """Why each prospect of ``numbers`` leaves, in the installation's main
        language as the rest of the import's note: stopped at the BCE,
        skipped, or which criterion of the perimeter it no longer meets."""
        record = self.with_context(lang=self.env["res.partner"]._rgpd_main_lang())
        reasons = record._archive_reasons_in_lang(result, perimeter, numbers)
        return {
            number: record.env._("Archived because %(reason)s.", reason=reason)
            for number, reason in reasons.items()
        }

    def _leaving_companies(self, result, numbers):
        """``{number: company}`` of the prospects leaving that the BCE still
        lists: their data, such as a seat that moved, are up to date."""
        listed = result.listed(numbers)
        return {company.bce_number: company for company in result.companies_of(listed)}

    def _archive_reasons_in_lang(self, result, perimeter, numbers):
        listed = result.listed(numbers)
        built = {company.bce_number: company for company in result.companies_of(listed)}
        reasons = {}
        for number in numbers:
            if number in perimeter.erased:
                reasons[number] = self.env._("its personal data were erased")
            elif number in perimeter.expired:
                reasons[number] = self.env._("its retention period ran out without contact")
            elif number in perimeter.excluded:
                reasons[number] = self.env._("it objected to prospecting")
            elif number not in listed:
                reasons[number] = self.env._("the BCE no longer lists it as an active legal person")
            elif number not in built:
                reasons[number] = self.env._("its name is the name of a person")
            else:
                reasons[number] = self._perimeter_miss(built[number], perimeter)
        return reasons

    @api.model
    def _perimeter_miss(self, company, perimeter):
        """The first criterion of the perimeter the company does not meet."""
        postal = postal_code_number(company.postal_code) or 0
        if not perimeter.postal_mask([postal])[0]:
            return self.env._(
                "it left the perimeter: its seat's postal code %(postal_code)s is outside the "
                "postal codes chosen",
                postal_code=company.postal_code or self.env._("(none)"),
            )
        codes = [code for _version, code, _classification in company.nace_codes]
        if perimeter.nace_prefixes and not any(perimeter.nace_matches(code) for code in codes):
            return self.env._(
                "it left the perimeter: none of its activities (%(codes)s) is among the NACE "
                "codes chosen",
                codes=", ".join(format_nace_code(code) for code in codes) or self.env._("none"),
            )
        if not perimeter.form_matches(company.juridical_form, company.juridical_form_cac):
            return self.env._(
                "it left the perimeter: its juridical form %(form)s is not among those chosen",
                form=company.juridical_form or company.juridical_form_cac or self.env._("(none)"),
            )
        return self.env._("it left the perimeter")
