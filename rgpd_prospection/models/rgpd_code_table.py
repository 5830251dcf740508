from odoo import api, models

from ..bce_engine.codes import NACE_CATEGORIES, nace_level
from .rgpd_nace import NACE_VERSIONS

JURIDICAL_FORM_CATEGORY = "JuridicalForm"


class RgpdCodeTable(models.AbstractModel):
    """Maps a parsed BCE ``code.csv`` to NACE codes and juridical forms.

    One entry point for the upload wizard and for extract imports, which bring
    a code.csv each: labels change between extracts and new codes appear.
    """

    _name = "rgpd.code.table"
    _description = "BCE code table"

    @api.model
    def _load_code_table(self, table):
        """Upsert what ``read_code_table`` returned; return the number of
        records created and updated per model."""
        kept_versions = dict(NACE_VERSIONS)
        created = updated = 0
        for category, version in NACE_CATEGORIES.items():
            if version in kept_versions and table.get(category):
                new, changed = self._upsert_nace(version, table[category])
                created += new
                updated += changed
        forms_created, forms_updated = self._upsert_juridical_forms(
            table.get(JURIDICAL_FORM_CATEGORY, {})
        )
        return {
            "rgpd.nace": {"created": created, "updated": updated},
            "rgpd.juridical.form": {"created": forms_created, "updated": forms_updated},
        }

    def _upsert_nace(self, version, codes):
        """Create parents before children, so each new code links to its parent
        in the same ``create`` (the parent path is computed once)."""
        nace_model = self.env["rgpd.nace"]
        by_code = {nace.code: nace for nace in nace_model.search([("version", "=", version)])}
        created = updated = 0
        for level in sorted({nace_level(code) for code in codes}):
            to_create = []
            for code in sorted(code for code in codes if nace_level(code) == level):
                values = {
                    "name_fr": codes[code].get("FR") or False,
                    "name_nl": codes[code].get("NL") or False,
                    "parent_id": nace_model._nearest_parent_id(code, version, by_code),
                }
                nace = by_code.get(code)
                if not nace:
                    to_create.append(dict(values, code=code, version=version))
                elif self._differs(nace, values):
                    nace.write(values)
                    updated += 1
            for nace in nace_model.create(to_create):
                by_code[nace.code] = nace
            created += len(to_create)
        return created, updated

    @staticmethod
    def _differs(record, values):
        """Write only what changed: a daily code.csv mostly repeats the last one."""
        for fname, value in values.items():
            current = record[fname]
            if record._fields[fname].type == "many2one":
                current = current.id
            if (current or False) != (value or False):
                return True
        return False

    def _upsert_juridical_forms(self, codes):
        form_model = self.env["rgpd.juridical.form"]
        by_code = {form.code: form for form in form_model.search([])}
        to_create = []
        updated = 0
        for code, labels in sorted(codes.items()):
            values = {
                "name_fr": labels.get("FR") or False,
                "name_nl": labels.get("NL") or False,
                "name_de": labels.get("DE") or False,
            }
            form = by_code.get(code)
            if not form:
                to_create.append(dict(values, code=code))
            elif self._differs(form, values):
                form.write(values)
                updated += 1
        form_model.create(to_create)
        return len(to_create), updated
