"""Enterprise and establishment numbers: one normalised form, one display form."""

from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumValidationError


def compact_enterprise_number(value):
    """Digits only, with the leading 0 of the 9-digit old form restored."""
    digits = vat.compact(value or "")
    if len(digits) == 9:
        digits = "0" + digits
    return digits


def normalize_enterprise_number(value):
    """Return the 10-digit form of any spelling, or raise ``ValueError``.

    Accepts ``0123.456.789``, ``BE 0123 456 789``, ``0123456789`` and the old
    9-digit ``123.456.789``; the mod-97 check is python-stdnum's.
    """
    digits = compact_enterprise_number(value)
    try:
        return vat.validate(digits)
    except StdnumValidationError as error:
        raise ValueError(f"{value!r} is not a valid enterprise number ({error.message})") from None


def enterprise_number_or_none(value):
    """The 10-digit form of ``value``, or ``None`` when it is not a valid
    enterprise number: for the searches and matches that give up quietly."""
    try:
        return normalize_enterprise_number(value)
    except ValueError:
        return None


def format_enterprise_number(digits):
    """``0123456789`` -> ``0123.456.789`` (the BCE's own spelling)."""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
