"""Which companies an import is about: postal codes, NACE codes, juridical forms,
and the blacklist that wins over everything."""

import re
from dataclasses import dataclass, field

import numpy as np

from .codes import clean_nace_code
from .language import postal_code_number
from .numbers import normalize_enterprise_number


class EmptyPerimeterError(ValueError):
    """No postal and no NACE criterion: importing the whole country by accident is
    what a prospecting tool must not do, so an explicit criterion is required."""


_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")


def parse_postal_codes(value):
    """``"1000-1299, 1300;9000 - 9099"`` (or a list of such items) -> ``((lo, hi), …)``.

    The one reading of postal codes, for the import perimeter and the contact
    search: Belgian codes have four digits; a range goes upwards."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", value.strip()))
    else:
        items = list(value)
    ranges = []
    for item in items:
        if isinstance(item, tuple):
            low, high = item
        else:
            text = str(item).strip()
            if not text:
                continue
            match = _RANGE.match(text)
            low, high = (match.group(1), match.group(2)) if match else (text, text)
        low_number, high_number = postal_code_number(low), postal_code_number(high)
        if low_number is None or high_number is None or low_number > high_number:
            raise ValueError(f"{item!r} is not a postal code or a range like 1000-1299")
        ranges.append((low_number, high_number))
    return tuple(sorted(set(ranges)))


def parse_nace_prefixes(value):
    """``"62, 63.1"`` -> ``("62", "631")``: the BCE writes codes without dots."""
    if value is None:
        return ()
    items = re.split(r"[,;\s]+", value) if isinstance(value, str) else list(value)
    prefixes = []
    for item in items:
        text = clean_nace_code(item)
        if not text:
            continue
        if not text.isdigit():
            raise ValueError(f"{item!r} is not a NACE code prefix such as 62 or 62.01")
        prefixes.append(text)
    return tuple(sorted(set(prefixes)))


def _codes(value):
    if value is None:
        return frozenset()
    items = re.split(r"[,;\s]+", value) if isinstance(value, str) else value
    return frozenset(str(item).strip() for item in items if str(item).strip())


@dataclass(frozen=True)
class Perimeter:
    """Inputs are parsed on creation (strings or lists); a bad item raises ``ValueError``.

    A company is inside when its Belgian seat postal code is in one of the ranges (if
    any), one of its NACE codes of any version starts with one of the prefixes (if
    any), its juridical form (or its form under the new companies code) is in
    ``forms_in`` (if any) and neither is in ``forms_out``, and its number is not
    excluded.
    """

    postal_codes: tuple = ()
    nace_prefixes: tuple = ()
    forms_in: frozenset = field(default_factory=frozenset)
    forms_out: frozenset = field(default_factory=frozenset)
    excluded: frozenset = field(default_factory=frozenset)
    # Why some excluded numbers are: counted apart from the oppositions, so
    # that each skipped count has one meaning (subsets of ``excluded``).
    erased: frozenset = field(default_factory=frozenset)
    expired: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        set_field = object.__setattr__
        set_field(self, "postal_codes", parse_postal_codes(self.postal_codes))
        set_field(self, "nace_prefixes", parse_nace_prefixes(self.nace_prefixes))
        set_field(self, "forms_in", _codes(self.forms_in))
        set_field(self, "forms_out", _codes(self.forms_out))
        excluded = [self.excluded] if isinstance(self.excluded, str) else self.excluded or ()
        set_field(self, "excluded", frozenset(map(normalize_enterprise_number, excluded)))
        for name in ("erased", "expired"):
            numbers = frozenset(map(normalize_enterprise_number, getattr(self, name) or ()))
            set_field(self, name, numbers & self.excluded)

    @property
    def is_empty(self):
        return not self.postal_codes and not self.nace_prefixes

    def check_not_empty(self):
        if self.is_empty:
            raise EmptyPerimeterError(
                "the perimeter has no postal code and no NACE criterion: set one before "
                "importing (write 1000-9999 to mean the whole country)"
            )

    def postal_mask(self, postal_numbers):
        """Vectorised postal test; ``postal_numbers`` holds 0 where there is no
        Belgian postal code."""
        postal_numbers = np.asarray(postal_numbers)
        if not self.postal_codes:
            return np.ones(len(postal_numbers), dtype=bool)
        mask = np.zeros(len(postal_numbers), dtype=bool)
        for low, high in self.postal_codes:
            mask |= (postal_numbers >= low) & (postal_numbers <= high)
        return mask

    def nace_matches(self, code):
        return not self.nace_prefixes or code.startswith(self.nace_prefixes)

    def form_matches(self, juridical_form, juridical_form_cac):
        forms = {juridical_form, juridical_form_cac} - {None}
        if self.forms_in and not forms & self.forms_in:
            return False
        return not forms & self.forms_out

    def contains(self, company):
        """The same test on one ``Company`` (the blacklist included)."""
        if company.bce_number in self.excluded:
            return False
        postal = postal_code_number(company.postal_code) or 0
        if not self.postal_mask([postal])[0]:
            return False
        if self.nace_prefixes and not any(
            self.nace_matches(code) for _version, code, _classification in company.nace_codes
        ):
            return False
        return self.form_matches(company.juridical_form, company.juridical_form_cac)
