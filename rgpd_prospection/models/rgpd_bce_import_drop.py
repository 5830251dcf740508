from odoo import api, fields, models

from ..bce_engine import reasons

# Every reason code the engine counts, labelled for the reader (selection
# labels are translated when read). Company reasons count enterprises, the
# others count lines of the files or contact values left out.
DROP_REASONS = [
    (reasons.NATURAL_PERSON, "Natural person"),
    (reasons.UNKNOWN_TYPE, "Unknown type of enterprise"),
    (reasons.OUTSIDE_PERIMETER, "Outside the perimeter"),
    (reasons.BLACKLISTED, "Objected to prospecting"),
    (reasons.ERASED, "Personal data erased"),
    (reasons.EXPIRED, "Retention period expired"),
    (reasons.PERSONAL_NAME, "Named after a person"),
    (reasons.NOT_LEGAL_PERSON, "Lines about enterprises that are not legal persons"),
    (reasons.UNKNOWN_CODE, "Contacts of an unknown type"),
    (reasons.INVALID_EMAIL, "Invalid e-mail addresses"),
    (reasons.PRIVATE_MAILBOX, "Private mailboxes"),
    (reasons.NOMINATIVE_EMAIL, "E-mail addresses naming a person"),
    (reasons.INVALID_PHONE, "Invalid phone numbers"),
    (reasons.SHARED_CONTACT, "Contacts shared by many enterprises"),
    (reasons.MOBILE_PHONE, "Mobile phone numbers"),
]
COMPANY_REASONS = frozenset(
    {
        reasons.NATURAL_PERSON,
        reasons.UNKNOWN_TYPE,
        reasons.OUTSIDE_PERIMETER,
        reasons.BLACKLISTED,
        reasons.ERASED,
        reasons.EXPIRED,
        reasons.PERSONAL_NAME,
    }
)
SKIP_REASONS = (reasons.BLACKLISTED, reasons.ERASED, reasons.EXPIRED)


class RgpdBceImportDrop(models.Model):
    """What one import left out for one reason: a line per reason, so that
    Odoo's graph and pivot views count drops per reason and per month."""

    _name = "rgpd.bce.import.drop"
    _description = "BCE import drop"
    _order = "import_id desc, unit, count desc, id"

    import_id = fields.Many2one("rgpd.bce.import", required=True, index=True, ondelete="cascade")
    reason = fields.Selection(DROP_REASONS, required=True, help="Why the engine left them out.")
    unit = fields.Selection(
        [("company", "Enterprises"), ("row", "Lines and values")],
        compute="_compute_unit",
        store=True,
        help="Enterprises: whole enterprises left out. Lines and values: lines of the other "
        "files (names, addresses, contacts…) or contact values left out of kept companies.",
    )
    count = fields.Integer(help="How many enterprises, lines or values were left out.")
    date = fields.Date(
        related="import_id.snapshot_date",
        store=True,
        string="Data of",
        help="Date of the BCE data of the extract.",
    )
    extract_number = fields.Integer(related="import_id.extract_number", store=True)

    @api.depends("reason")
    def _compute_unit(self):
        for drop in self:
            drop.unit = "company" if drop.reason in COMPANY_REASONS else "row"
