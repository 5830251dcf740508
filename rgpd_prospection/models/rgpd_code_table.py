from odoo import api, models

from ..bce_engine.codes import NACE_CATEGORIES, nace_level, nace_parent_code
from .rgpd_nace import NACE_VERSIONS

JURIDICAL_FORM_CATEGORY = "JuridicalForm"

# Divisions of each section: the one link of the hierarchy a code does not
# carry itself (NACE Rev. 2 for 2008, Rev. 2.1 for 2025, which drops division 45
# and splits section J).
NACE_SECTION_DIVISIONS = {
    "2008": {
        "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39),
        "F": (41, 43), "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63),
        "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82), "O": (84, 84),
        "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98),
        "U": (99, 99),
    },
    "2025": {
        "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39),
        "F": (41, 43), "G": (46, 47), "H": (49, 53), "I": (55, 56), "J": (58, 60),
        "K": (61, 63), "L": (64, 66), "M": (68, 68), "N": (69, 75), "O": (77, 82),
        "P": (84, 84), "Q": (85, 85), "R": (86, 88), "S": (90, 93), "T": (94, 96),
        "U": (97, 98), "V": (99, 99),
    },
}  # fmt: skip


def nace_section(division, version):
    """Section letter of a 2-digit division, ``None`` when unknown."""
    number = int(division)
    for section, (first, last) in NACE_SECTION_DIVISIONS.get(version, {}).items():
        if first <= number <= last:
            return section
    return None


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
                    "level": level,
                    "parent_id": self._nearest_parent_id(code, version, by_code),
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
    def _nearest_parent_id(code, version, by_code):
        """The closest existing ancestor: a 7-digit code whose 5-digit subclass
        is missing from the table still hangs under its class; a division hangs
        under its section when the table has it."""
        if code.isdigit() and len(code) == 2:
            section = by_code.get(nace_section(code, version))
            return section.id if section else False
        parent_code = nace_parent_code(code)
        while parent_code and parent_code not in by_code:
            parent_code = nace_parent_code(parent_code)
        return by_code[parent_code].id if parent_code else False

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
