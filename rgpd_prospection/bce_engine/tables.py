"""Reading the tables of an extract: pyarrow's streaming CSV parser reads every
field as text, then each column is checked and converted once per distinct value.

Speed: an entity's rows follow each other, so entity numbers are parsed and checked
once per run of equal values; codes and dates once per distinct value. Every field
is held to its bound (``FIELD_BOUNDS``) and every row to the header's width; a
fault is then named with its line and column by the slow paths of ``locate``.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .errors import READ_ERRORS, BceFormatError, BceReadError, read_error
from .reader import (
    CLOSED_CODES,
    CORE_TABLES,
    DATE_FORMAT,
    FIELD_BOUND,
    FIELD_BOUNDS,
    HEADERS,
    NUMBER_COLUMNS,
    Extract,
    column_kind,
    format_number,
    meta_of,
    table_header,
    valid_numbers,
)

CHUNK_ROWS = 1_000_000
# pyarrow's parse block. A row longer than this cannot be a BCE row: the longest
# allowed one is a few kilobytes.
BLOCK_BYTES = 1 << 20
# A field spanning more bytes than this is over any bound, whatever its characters.
LONG_FIELD_BYTES = 4 * FIELD_BOUND + 2
_NUMBER_TEXT = r"^\d[\d.]*$"


def read_table(extract, file, columns, required=(), chunk_rows=CHUNK_ROWS, progress=None):
    """Yield ``(offset, chunk)`` of the validated ``columns`` of ``file``.

    ``offset`` is the 0-based index of the chunk's first record. Numbers are int64,
    codes categoricals of text, dates datetime64[D], texts strings; NULL is missing.
    Every row must have the header's number of fields, every field its bound.
    """
    header = table_header(file)
    if not extract.check_header(file, header):
        return
    wrong = []  # rows of the wrong shape, skipped by pyarrow, named below
    total, offset = extract.size(file), 0

    def check_bounds(batch, first_row):
        for column in header:
            _check_bound(extract, file, batch.column(column), column, first_row)

    with extract.open(file) as raw:
        try:
            for table in _tables(raw, header, columns, wrong, chunk_rows, check_bounds):
                if wrong:
                    continue  # only counted now: the first is named at the end
                chunk = _checked(extract, file, table, columns, required, offset, len(header))
                yield offset, chunk
                offset += table.num_rows
                if progress:
                    progress(file, raw.tell(), total)
        except pa.ArrowInvalid as error:
            _unparsable(extract, file, header, error)
        except READ_ERRORS as error:
            raise read_error(error, file=file) from error
    if wrong:
        _wrong_shape(extract, file, len(header), len(wrong))
    pa.default_memory_pool().release_unused()  # the blocks of a table, before the next


def _tables(raw, header, columns, wrong, chunk_rows, check_bounds):
    """Tables of the text of ``columns``, ``chunk_rows`` rows each (the last one
    shorter); every field of each block of rows is first held to its bound."""

    def skip(row):
        wrong.append(row.actual_columns)
        return "skip"

    reader = pa_csv.open_csv(
        raw,
        read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=skip
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    pending, rows, first_row = [], 0, 0
    for batch in reader:
        if not wrong:
            check_bounds(batch, first_row)
        first_row += batch.num_rows
        pending.append(batch.select(columns))
        rows += batch.num_rows
        while rows >= chunk_rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, chunk_rows)
            rest = table.slice(chunk_rows)
            pending, rows = rest.to_batches(), rest.num_rows
    if rows:
        yield pa.Table.from_batches(pending)


def _unparsable(extract, file, header, error):
    """Name what pyarrow could not parse: undecodable bytes, a row longer than a
    block (a value over every bound), a row of the wrong shape."""
    if "UTF8" in str(error):
        extract.locate_undecodable(file)
    extract.locate_long_field(file, header, LONG_FIELD_BYTES)
    extract.check_shape(file, len(header))
    raise read_error(error, file=file) from error


def _wrong_shape(extract, file, width, count):
    try:
        extract.check_shape(file, width)
    except BceFormatError as error:
        if count > 1:
            error.message += f" ({count:,} rows have the wrong number of fields)"
        raise
    raise BceFormatError(f"malformed CSV: {count:,} rows could not be read", file=file)


def _checked(extract, file, table, columns, required, offset, width):
    values = {}
    for column in columns:
        array = table.column(column).combine_chunks()
        kind = column_kind(column)
        if kind == "number":
            values[column] = _numbers(extract, file, array, column, offset, width)
        elif kind == "text":
            values[column] = array.to_pandas()
        else:
            values[column] = _codes(extract, file, array, column, offset, column in required)
    return pd.DataFrame(values, copy=False)


def _check_bound(extract, file, array, column, offset):
    bound = FIELD_BOUNDS.get(column, FIELD_BOUND)
    if (pc.max(pc.binary_length(array)).as_py() or 0) <= bound:
        return  # bytes are never fewer than characters
    lengths = pc.utf8_length(array).fill_null(0).to_numpy()
    over = np.flatnonzero(lengths > bound)
    if len(over):
        extract.fail(
            file,
            offset + int(over[0]),
            column,
            f"a value of {lengths[over[0]]:,} characters is longer than the {bound:,} "
            "the BCE allows",
            error=BceReadError,
        )


def _numbers(extract, file, array, column, offset, width):
    """Entity numbers (``0200.065.765``) as int64, parsed and checked per run."""
    kind = NUMBER_COLUMNS[column]
    if array.null_count:
        index = int(np.argmax(pc.is_null(array).to_numpy(zero_copy_only=False)))
        extract.check_shape(file, width)  # an empty line reads as a row of NULLs
        extract.fail(file, offset + index, column, "a value is required")
    runs = pc.run_end_encode(array)
    texts, ends = runs.values, runs.run_ends.to_numpy().astype(np.int64)
    starts = np.concatenate([[0], ends[:-1]])
    spelled = pc.match_substring_regex(texts, _NUMBER_TEXT).to_numpy(zero_copy_only=False)
    if not spelled.all():
        run = int(np.argmin(spelled))
        message = f"{texts[run].as_py()!r} is not a valid {kind} number"
        extract.fail(file, offset + int(starts[run]), column, message)
    numbers = pc.cast(pc.replace_substring(texts, ".", ""), pa.int64()).to_numpy()
    bad = ~valid_numbers(numbers, kind)
    if bad.any():
        run = int(np.argmax(bad))
        message = f"{format_number(numbers[run])} is not a valid {kind} number"
        extract.fail(file, offset + int(starts[run]), column, message)
    return np.repeat(numbers, ends - starts)


def _categorical(array):
    """``array`` as a categorical whose categories are sorted, as pandas gives them."""
    encoded = pc.dictionary_encode(array)
    categories = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(categories, kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # NULL
    codes = rank[encoded.indices.fill_null(-1).to_numpy()]
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories[order], dtype="str"))


def _codes(extract, file, array, column, offset, required):
    """Codes as categoricals, dates as datetime64[D]; each distinct value checked once."""
    values = _categorical(array)
    codes = values.codes
    if required and (codes < 0).any():
        extract.fail(file, offset + int(np.argmax(codes < 0)), column, "a value is required")
    categories = values.categories
    if column_kind(column) == "code":
        allowed = CLOSED_CODES.get(column)
        unknown = [i for i, code in enumerate(categories) if allowed and code not in allowed]
        if unknown:
            index = int(np.argmax(np.isin(codes, unknown)))
            message = f"unknown code {values[index]!r} (allowed: {sorted(allowed)})"
            extract.fail(file, offset + index, column, message)
        return values
    parsed = pd.to_datetime(
        pd.Series(np.asarray(categories, dtype=object)), format=DATE_FORMAT, errors="coerce"
    )
    if parsed.isna().any():
        index = int(np.argmax(np.isin(codes, np.flatnonzero(parsed.isna().to_numpy()))))
        extract.fail(file, offset + index, column, f"{values[index]!r} is not a dd-mm-yyyy date")
    dates = np.append(parsed.to_numpy().astype("datetime64[D]"), np.datetime64("NaT"))
    return dates[codes]


def count_rows(zip_path, tables=CORE_TABLES):
    """Rows of each table of ``tables`` in an extract, shape and values checked:
    the rows of ``<table>.csv`` for a full, of ``<table>_insert.csv`` for an
    update. Sanity figures: a full whose core table is empty or shrank sharply
    against the previous full cannot be right."""
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        suffix = "" if meta.extract_type == "full" else "_insert"
        counts = {}
        for table in tables:
            file = f"{table}{suffix}.csv"
            key = HEADERS[f"{table}.csv"][0]
            counts[table] = sum(len(chunk) for _offset, chunk in read_table(extract, file, [key]))
    return counts
