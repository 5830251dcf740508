"""Values from outside (company names, e-mails, anything read from an extract or typed by a
user) written to spreadsheets as text, never as formulas.

A company named ``=HYPERLINK("…")`` would otherwise become a live formula when the list is
opened (formula injection, OWASP's "CSV injection"). Plain Python: openpyxl cells are only
duck-typed, so the add-on's workbook writers and the scripts share these helpers.
"""

# What a spreadsheet may read as the start of a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_text_cell(cell, value):
    """Store ``value`` in an openpyxl ``cell``; a text stays a string cell, kept intact.

    openpyxl makes any text starting with ``=`` a formula cell; a string cell is written as
    text (no ``<f>``), which no spreadsheet evaluates. Other values (numbers, dates, None)
    are stored as they are.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def append_text_row(sheet, values):
    """``sheet.append(values)`` with every text written by ``write_text_cell``."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        write_text_cell(sheet.cell(row=row, column=column), value)


def csv_text(value):
    """``value`` for a CSV file: a text a spreadsheet would read as a formula gets a leading
    ``'`` (OWASP), since CSV cannot say "this is text"; other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
