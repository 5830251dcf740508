import re

from odoo import api, fields, models

from ..bce_engine.codes import (
    clean_nace_code,
    format_nace_code,
    nace_level,
    nace_parent_code,
    nace_section,
)
from ..tools import label_for_lang

NACE_VERSIONS = [("2008", "NACE-BEL 2008"), ("2025", "NACE-BEL 2025")]


class RgpdNace(models.Model):
    """A NACE-BEL activity code of the BCE, labels from its ``code.csv``."""

    _name = "rgpd.nace"
    _description = "NACE code"
    _order = "version desc, code"
    _parent_store = True
    _rec_names_search = ["code", "name_fr", "name_nl"]

    code = fields.Char(
        required=True,
        index=True,
        help="NACE-BEL code as the BCE writes it without dots: a section letter, or 2 to 7 digits.",
    )
    version = fields.Selection(
        NACE_VERSIONS,
        string="NACE version",
        required=True,
        help="Edition of the NACE-BEL nomenclature the code belongs to (BCE activity.csv "
        "column NaceVersion).",
    )
    level = fields.Integer(
        compute="_compute_level",
        store=True,
        help="Depth in the nomenclature: 1 section, 2 division, 3 group, 4 class, "
        "5 Belgian subclass, 6 national detail.",
    )
    name_fr = fields.Char(string="French label", help="French description from the BCE code.csv.")
    name_nl = fields.Char(string="Dutch label", help="Dutch description from the BCE code.csv.")
    name = fields.Char(
        string="Label",
        compute="_compute_name",
        search="_search_name",
        help="Label in the user's language (French or Dutch), from the BCE code.csv; "
        "empty until a code table is loaded.",
    )
    parent_id = fields.Many2one(
        "rgpd.nace",
        string="Parent code",
        index=True,
        ondelete="cascade",
        help="The code one level up, derived from the code itself.",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many(
        "rgpd.nace", "parent_id", string="Child codes", help="Codes one level down."
    )

    _code_version_uniq = models.Constraint(
        "unique (code, version)", "A NACE code exists only once per NACE version."
    )

    @api.depends("code")
    def _compute_level(self):
        """The level a code's spelling says: the code table and the import
        create codes, and neither decides their depth."""
        for nace in self:
            nace.level = nace_level(nace.code) if nace.code else 0

    @api.model
    def _nearest_parent_id(self, code, version, by_code):
        """The closest existing ancestor among ``by_code`` (code -> record of
        ``version``): a 7-digit code whose 5-digit subclass is missing still
        hangs under its class; a division hangs under its section when the
        table has it."""
        if code.isdigit() and len(code) == 2:
            section = by_code.get(nace_section(code, version))
            return section.id if section else False
        parent_code = nace_parent_code(code)
        while parent_code and parent_code not in by_code:
            parent_code = nace_parent_code(parent_code)
        return by_code[parent_code].id if parent_code else False

    @api.depends_context("lang")
    @api.depends("name_fr", "name_nl")
    def _compute_name(self):
        lang = self.env.context.get("lang")
        for nace in self:
            nace.name = label_for_lang(lang, {"fr": nace.name_fr, "nl": nace.name_nl})

    def _search_name(self, operator, value):
        if operator in ("!=", "not ilike", "not like", "not in"):
            return ["&", ("name_fr", operator, value), ("name_nl", operator, value)]
        return ["|", ("name_fr", operator, value), ("name_nl", operator, value)]

    @api.depends("code", "version", "name")
    def _compute_display_name(self):
        """``62.010 (2008) – Programmation informatique``: the 2008 and 2025
        editions share codes and labels, the version tells them apart."""
        for nace in self:
            code = format_nace_code(nace.code) or ""
            if nace.version:
                code = f"{code} ({nace.version})"
            nace.display_name = f"{code} – {nace.name}" if nace.name else code

    @api.model
    def _search_display_name(self, operator, value):
        """A typed code finds the codes it begins (``62.01`` finds 62.010),
        with or without the BCE's dots; other text searches the labels."""
        if operator == "ilike" and isinstance(value, str) and re.fullmatch(r"\s*\d[\d.\s]*", value):
            return [("code", "=like", clean_nace_code(value) + "%")]
        return super()._search_display_name(operator, value)
