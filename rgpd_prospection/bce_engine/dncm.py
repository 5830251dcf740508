"""Read a "Do Not Call Me" list as the DNCM delivers it to its licensees.

One telephone number per line, optionally followed by a separator and the
date the number was registered. The separator and the column order are
settings (``DncmFormat``): a licensee matches the real file without a code
change. Numbers come out in E.164, as Odoo stores ``phone_sanitized``, so the
list is matched against the prospects by plain equality.

A national list holds about 1.5 million lines: the Belgian spellings are read
by string operations (``str.translate``, prefixes); only what they cannot
read goes through ``phonenumbers`` (``phones.normalize_phone``). A bad line is
counted and named, and never stops the rest.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .phones import normalize_phone

_NO_DATE = -(2**31)
_EPOCH = date(1970, 1, 1)
SEPARATORS = (";", ",", "\t", "|")
NUMBER_FIRST = "number_date"
DATE_FIRST = "date_number"
COLUMN_ORDERS = (NUMBER_FIRST, DATE_FIRST)
# How many refused lines a load keeps, with their text, to name them.
REFUSED_SAMPLES = 50

# What a Belgian spelling may hold around its digits: 0470 12 34 56,
# 02/555.12.34, +32 (0)2-555 12 34.
_FILLERS = str.maketrans("", "", " \t/.-()\u00a0")
# The same, for the column-wise reader (RE2): the prefixes of a Belgian number
# (+32, 0032, 32, the trunk 0, and a trunk 0 kept after +32), then what
# remains must be a national number: 9 digits for mobiles (46x–49x), 8 else.
_FILLERS_RE = r"[ \t/.()\x{00a0}-]"
_PREFIX_RE = r"^(?:\+32|0032|32|0)0?"
_NATIONAL_RE = r"^(?:4[6-9][0-9]{7}|[1-35-9][0-9]{7}|4[0-5][0-9]{6})$"
_ISO_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_EU_DATE = re.compile(r"(\d{2})[/.-](\d{2})[/.-](\d{4})")
_NAME_DATE = re.compile(
    r"(?<!\d)(?:(\d{4})-?(\d{2})-?(\d{2})|(\d{2})[-_.](\d{2})[-_.](\d{4}))(?!\d)"
)


class DncmFormatError(ValueError):
    """The settings describe no file the reader can read."""


@dataclass(frozen=True)
class DncmFormat:
    """How the licensee's file is laid out: the separator between the number
    and its registration date, and which column comes first."""

    separator: str = ";"
    column_order: str = NUMBER_FIRST

    def __post_init__(self):
        if self.separator not in SEPARATORS:
            raise DncmFormatError(f"separator {self.separator!r} is not one of {SEPARATORS!r}")
        if self.column_order not in COLUMN_ORDERS:
            raise DncmFormatError(
                f"column order {self.column_order!r} is not one of {COLUMN_ORDERS!r}"
            )


@dataclass
class DncmList:
    """What a file holds: ``table`` has one row per E.164 ``number`` with its
    ``registered`` date (null when the line gave none); ``list_date`` is the
    list's own date, found in a header line, else ``None``."""

    table: pa.Table = None
    lines_read: int = 0
    refused_count: int = 0
    refused: list = field(default_factory=list)
    duplicates: int = 0
    list_date: date | None = None

    @property
    def numbers(self):
        """``{number: registration date}``, for small lists and tests."""
        return dict(
            zip(self.table["number"].to_pylist(), self.table["registered"].to_pylist(), strict=True)
        )

    def refuse(self, line_number, text, why):
        self.refused_count += 1
        if len(self.refused) < REFUSED_SAMPLES:
            self.refused.append((line_number, text[:80], why))


def belgian_e164(raw):
    """E.164 form of a Belgian number in any usual spelling, else ``None``.

    ``0470 12 34 56``, ``+32470123456``, ``0032470123456``, ``32470123456``,
    ``02/555.12.34`` and ``+32 (0)2 555 12 34`` all read; a foreign number or
    any other text goes to ``phonenumbers``.
    """
    text = raw.translate(_FILLERS)
    if text.startswith("+"):
        digits = text[1:]
        if not digits.startswith("32"):
            return _other_e164(raw)
        national = digits[2:]
    elif text.startswith("0032"):
        national = text[4:]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith("32"):
        national = text[2:]
    else:
        return _other_e164(raw)
    if national.startswith("0"):  # +32 (0)2 …: the trunk zero kept by habit
        national = national[1:]
    if not national.isdigit() or national.startswith("0"):
        return _other_e164(raw)
    # Belgian numbers: 9 digits for mobiles (46x–49x), 8 for the others
    if len(national) == 9 and national[:2] in ("46", "47", "48", "49"):
        return "+32" + national
    if len(national) == 8 and national[:2] not in ("46", "47", "48", "49"):
        return "+32" + national
    return _other_e164(raw)


def _other_e164(raw):
    return normalize_phone(raw).e164


def parse_date(text, _cache={}):  # noqa: B006 - the cache is the point
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also ``DD-MM-YYYY``), else ``None``.
    A list repeats a few thousand dates over its 1.5 million lines: each is
    parsed once."""
    text = text.strip()
    if text in _cache:
        return _cache[text]
    value = None
    match = _ISO_DATE.fullmatch(text)
    try:
        if match:
            value = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _EU_DATE.fullmatch(text):
            value = date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        value = None
    if len(_cache) < 100_000:
        _cache[text] = value
    return value


def date_in_name(name):
    """The list's date when its file name carries one (``dncm_2025-03-14.txt``,
    ``DNCM-20250314.csv``, ``liste_14-03-2025.txt``), else ``None``."""
    for match in _NAME_DATE.finditer(name or ""):
        try:
            if match[1]:
                return date(int(match[1]), int(match[2]), int(match[3]))
            return date(int(match[6]), int(match[5]), int(match[4]))
        except ValueError:
            continue
    return None


def read_dncm_list(lines, file_format=None):
    """Read a DNCM file (its text, or its lines).

    A line before the first number that holds only a date (``2025-03-14``,
    ``# list of 14/03/2025``, ``date;2025-03-14``) is the list's own date.
    Blank lines and ``#`` comments are skipped. A number listed twice keeps
    its latest registration date: a consent must postdate the last one.

    The usual lines are read column-wise by ``pyarrow.compute``; the few
    others (headers, foreign numbers, bad lines) line by line.
    """
    file_format = file_format or DncmFormat()
    if not isinstance(lines, str):
        lines = "\n".join(lines)
    rows = pa.array(lines.lstrip("\ufeff").split("\n"), pa.string())
    number_col, date_col = _columns(pc.utf8_trim_whitespace(rows), file_format)
    national = pc.replace_substring_regex(
        pc.replace_substring_regex(number_col, _FILLERS_RE, ""), _PREFIX_RE, ""
    )
    registered = _dates(date_col)
    has_date = pc.invert(pc.is_null(date_col))
    usual = pc.and_(
        pc.match_substring_regex(national, _NATIONAL_RE),
        pc.or_kleene(pc.invert(has_date), pc.invert(pc.is_null(registered))),
    )
    usual = pc.fill_null(usual, False)
    usual_index = pc.indices_nonzero(usual)
    first_usual = usual_index[0].as_py() if len(usual_index) else len(rows)
    # lines before the first usual one may be headers: read them one by one
    usual = pc.and_(usual, pc.greater_equal(pa.array(np.arange(len(rows))), first_usual))
    result = DncmList()
    # E.164 numbers are digits after the "+": sorted as integers, a list of
    # 1.5 million is deduplicated in a fraction of a second
    numbers = pc.cast(pc.binary_join_element_wise("32", pc.filter(national, usual), ""), pa.int64())
    days = pc.fill_null(pc.cast(pc.filter(registered, usual), pa.int32()), _NO_DATE)
    others = pc.indices_nonzero(pc.invert(usual)).to_pylist()
    extra = _read_line_by_line(rows, others, first_usual, file_format, result)
    numbers = np.concatenate(
        [numbers.to_numpy(), np.array([int(n[1:]) for n, _d in extra], np.int64)]
    )
    days = np.concatenate(
        [
            days.to_numpy(),
            np.array([_NO_DATE if d is None else (d - _EPOCH).days for _n, d in extra], np.int32),
        ]
    )
    result.lines_read += len(numbers)
    # per number, its latest registration: rows sorted by number, then date
    order = np.lexsort((days, numbers))
    numbers, days = numbers[order], days[order]
    last = np.ones(len(numbers), bool)
    last[:-1] = numbers[1:] != numbers[:-1]
    result.duplicates = int(len(numbers) - last.sum())
    numbers, days = numbers[last], days[last]
    result.table = pa.table(
        {
            "number": pc.binary_join_element_wise("+", pa.array(numbers).cast(pa.string()), ""),
            "registered": pa.array(days, pa.int32(), mask=days == _NO_DATE).cast(pa.date32()),
        }
    )
    return result


def _columns(rows, file_format):
    """The number and the date text of each line; the date is null on a line
    without the separator."""
    sep = re.escape(file_format.separator)
    pattern = rf"^(?P<a>[^{sep}]*)(?:{sep}(?P<b>.*))?$"
    parts = pc.extract_regex(rows, pattern)
    first, second = pc.struct_field(parts, "a"), pc.struct_field(parts, "b")
    has_sep = pc.match_substring(rows, file_format.separator)
    second = pc.if_else(has_sep, second, pa.scalar(None, pa.string()))
    if file_format.column_order == DATE_FIRST:
        number = pc.if_else(has_sep, second, first)
        when = pc.if_else(has_sep, first, pa.scalar(None, pa.string()))
        return number, when
    return first, second


def _dates(date_col):
    """Each distinct date text is parsed once: a list repeats a few thousand
    dates over its 1.5 million lines."""
    encoded = (
        pc.dictionary_encode(pc.utf8_trim_whitespace(date_col)).combine_chunks()
        if isinstance(date_col, pa.ChunkedArray)
        else pc.dictionary_encode(pc.utf8_trim_whitespace(date_col))
    )
    values = pa.array([parse_date(text) for text in encoded.dictionary.to_pylist()], pa.date32())
    return pc.take(values, encoded.indices)


def _read_line_by_line(rows, indexes, first_usual, file_format, result):
    """(number, date) of the lines the column-wise reader left: headers
    before the first number, comments, foreign numbers, bad lines."""
    separator = file_format.separator
    date_first = file_format.column_order == DATE_FIRST
    found = []
    texts = pc.take(rows, pa.array(indexes, pa.int64())).to_pylist() if indexes else []
    for index, text in zip(indexes, texts, strict=True):
        text = (text or "").strip()
        if not text:
            continue
        if text.startswith("#") or (index < first_usual and not found):
            header_date = _header_date(text, separator)
            if header_date is not None:
                result.list_date = result.list_date or header_date
                continue
            if text.startswith("#"):
                continue
        if separator in text:
            first, _, second = text.partition(separator)
            raw_number, raw_date = (second, first) if date_first else (first, second)
            registered = parse_date(raw_date)
            if registered is None:
                result.refuse(index + 1, text, "date")
                continue
        else:
            raw_number, registered = text, None
        number = belgian_e164(raw_number)
        if number is None:
            result.refuse(index + 1, text, "number")
            continue
        result.lines_read += 1
        found.append((number, registered))
    result.refused.sort()
    return found


def _header_date(text, separator):
    """The date a header line holds alone, else ``None``: a line holding a
    telephone number is never a header."""
    body = text.lstrip("#").strip()
    if separator in body:
        label, _, value = body.partition(separator)
        if belgian_e164(label) is None:
            return parse_date(value)
        return None
    value = parse_date(body)
    if value is None and text.startswith("#"):
        for word in body.split():
            if (value := parse_date(word)) is not None:
                break
    return value
