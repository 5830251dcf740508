"""The BCE code table (``code.csv``): labels of NACE codes, juridical forms…"""

import csv
import io
import re
from collections import defaultdict

from .errors import BceFormatError, BceReadError, read_error

CODE_HEADER = ["Category", "Code", "Language", "Description"]
# Longest value of a field the KBO cookbook leaves open, in characters.
FIELD_BOUND = 4096
NACE_CATEGORIES = {"Nace2003": "2003", "Nace2008": "2008", "Nace2025": "2025"}


def decode_csv_bytes(data, file):
    """UTF-8 with or without BOM; undecodable bytes name their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BceFormatError(
            f"undecodable bytes {data[error.start : error.end]!r} (the file must be UTF-8)",
            file=file,
            line=line,
        ) from None


def read_code_table(data, file="code.csv"):
    """Parse ``code.csv`` bytes into ``{category: {code: {language: description}}}``.

    Codes stay text: ``"006"`` is not ``"6"``.
    """
    text = decode_csv_bytes(data, file)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise read_error(error, file=file, line=1) from error
    if header != CODE_HEADER:
        raise BceFormatError(
            f"header {header!r} differs from the official {CODE_HEADER!r}", file=file, line=1
        )
    table = defaultdict(lambda: defaultdict(dict))
    try:
        for line_number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(CODE_HEADER):
                raise BceFormatError(
                    f"{len(row)} fields, the header has {len(CODE_HEADER)}",
                    file=file,
                    line=line_number,
                )
            for column, value in zip(CODE_HEADER, row, strict=True):
                if len(value) > FIELD_BOUND:
                    raise BceReadError(
                        f"a value of {len(value):,} characters is longer than the "
                        f"{FIELD_BOUND:,} the BCE allows",
                        file=file,
                        line=line_number,
                        column=column,
                    )
            category, code, language, description = row
            table[category][code][language.upper()] = description
    except csv.Error as error:
        raise read_error(error, file=file, line=reader.line_num) from error
    return {category: dict(codes) for category, codes in table.items()}


def nace_level(code):
    """Level of a NACE-BEL code: 1 section letter, 2 division, 3 group, 4 class,
    5 Belgian subclass, 6 the 7-digit national detail."""
    if not code.isdigit():
        return 1
    return 6 if len(code) > 5 else len(code)


def nace_parent_code(code):
    """The code one level up (7 digits -> 5, else one digit less); ``None`` for
    divisions and sections, whose section is not derivable from the code."""
    if not code.isdigit() or len(code) <= 2:
        return None
    return code[:5] if len(code) > 5 else code[:-1]


def clean_nace_code(text):
    """A NACE code as typed (``62.01``, ``62 010``, ``j``) in the BCE's spelling:
    no dots, no spaces, a section letter in capitals."""
    return re.sub(r"[.\s]", "", str(text)).upper()


def format_nace_code(code):
    """``62010`` -> ``62.010``, as the BCE prints codes; sections stay a letter."""
    if not code or not code.isdigit() or len(code) <= 2:
        return code
    return f"{code[:2]}.{code[2:]}"


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
