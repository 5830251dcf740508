"""Naming the line and column of a fault: slow paths, run only once a file was
found faulty, that read the member again from its first byte.

Lines are physical (1-based, the header is line 1): a quoted text may hold line
breaks. Record boundaries are found by quote parity on raw bytes with numpy, so
that a value of any size (a 200 MB name) is located without being held.
"""

import csv
import io

import numpy as np

from .errors import BceFormatError, BceReadError, read_error

_BLOCK = 1 << 22
_QUOTE, _COMMA, _NEWLINE = ord('"'), ord(","), ord("\n")


def _delimiters(raw):
    """Per block: the bytes, their offset in the member, and the positions of the
    commas and line breaks outside quotes (field and record ends)."""
    start, inside = 0, 0
    while block := raw.read(_BLOCK):
        data = np.frombuffer(block, dtype=np.uint8)
        # a uint8 running count keeps its parity however it wraps
        parity = (np.cumsum(data == _QUOTE, dtype=np.uint8) + inside) & 1
        ends = np.flatnonzero(((data == _COMMA) | (data == _NEWLINE)) & (parity == 0))
        yield data, start, ends
        start += len(data)
        inside = int(parity[-1])


def line_of_record(stream, record):
    """Line where data record ``record`` (0-based) starts: after the ``record + 1``-th
    record end, the header's being the first."""
    line, wanted = 1, record + 1
    for data, _start, ends in _delimiters(stream):
        newlines = np.flatnonzero(data == _NEWLINE)
        record_ends = ends[data[ends] == _NEWLINE]
        if wanted <= len(record_ends):
            return line + int(np.searchsorted(newlines, record_ends[wanted - 1])) + 1
        wanted -= len(record_ends)
        line += len(newlines)
    return line


def first_long_field(stream, file, header, limit):
    """Raise on the first field of more than ``limit`` bytes, if any: what pyarrow
    refuses to parse, a row longer than its block. ``line`` is where its row starts."""
    block_line, row_line, column, previous = 1, 1, 0, -1
    for data, start, ends in _delimiters(stream):
        spans = np.diff(ends + start, prepend=previous) - 1
        row_ends = np.flatnonzero(data[ends] == _NEWLINE)
        long = np.flatnonzero(spans > limit)
        upto = int(long[0]) if len(long) else len(ends)
        row_ends = row_ends[row_ends < upto]
        if len(row_ends):
            last = int(row_ends[-1])
            row_line = block_line + int((data[: ends[last] + 1] == _NEWLINE).sum())
            column = upto - last - 1
        else:
            column += upto
        if len(long):
            raise BceReadError(
                f"a value of more than {limit:,} bytes: longer than any BCE value",
                file=file,
                line=row_line,
                column=header[column] if column < len(header) else column + 1,
            )
        block_line += int((data == _NEWLINE).sum())
        if len(ends):
            previous = start + int(ends[-1])


def check_shape(stream, file, expected):
    """Raise on the first row whose field count is not ``expected``."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    start = 1
    try:
        for row in reader:
            if len(row) != expected:
                what = f"{len(row)} fields" if row else "an empty line"
                raise BceFormatError(f"{what}, the header has {expected}", file=file, line=start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise read_error(error, file=file, line=start) from error


def locate_undecodable(stream, file, header):
    """Raise naming the line and column of the first bytes that are not UTF-8."""
    line, carry = 1, b""
    while True:
        block = stream.read(1 << 24)
        data = carry + block
        if not data:
            break
        try:
            data.decode("utf-8")
            carry = b""
        except UnicodeDecodeError as error:
            if block and error.reason == "unexpected end of data":
                # a character cut by the block boundary: finish it next time
                carry = data[error.start :]
                line += data.count(b"\n", 0, error.start)
                continue
            _undecodable(file, header, data, error, line + data.count(b"\n", 0, error.start))
        line += data.count(b"\n")
    raise BceFormatError("undecodable bytes (the file must be UTF-8)", file=file)


def _undecodable(file, header, data, error, line):
    start = data.rfind(b"\n", 0, error.start) + 1
    end = data.find(b"\n", error.start)
    fields = next(csv.reader([data[start : None if end < 0 else end].decode(errors="replace")]))
    column = next(
        (
            header[index] if index < len(header) else index + 1
            for index, value in enumerate(fields)
            if "\ufffd" in value
        ),
        None,
    )
    raise BceFormatError(
        f"undecodable bytes {data[error.start : error.end]!r} (the file must be UTF-8)",
        file=file,
        line=line,
        column=column,
    )
