"""How every file made from the BCE open data names its source.

The licence of the BCE/KBO open data asks the reuser to name the source and
the date of the data; the extract number and snapshot date (``meta.csv``)
identify both.
"""

SOURCE_NAME = "BCE/KBO open data (Crossroads Bank for Enterprises, FPS Economy)"
LICENCE_NOTE = (
    "Reused under the licence of the BCE/KBO open data: source and date named; "
    "no data of natural persons kept."
)


def source_statement(extract_number, snapshot_date):
    """One line naming the source, the extract and the date of its data."""
    if not extract_number:
        return SOURCE_NAME
    when = f" of {snapshot_date.isoformat()}" if snapshot_date else ""
    return f"{SOURCE_NAME}, extract {extract_number}{when}"
