"""Errors raised on bad BCE input."""

import csv
import lzma
import zipfile
import zlib

import pyarrow as pa


class BceFormatError(ValueError):
    """An extract that does not follow the BCE open-data format, or cannot be read.

    ``file``, ``line`` (1-based, the header is line 1) and ``column`` locate the
    fault so that an import history can show exactly what to look at.
    """

    def __init__(self, message, file=None, line=None, column=None):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self):
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class BceReadError(BceFormatError):
    """A file that cannot be read at all: damaged ZIP, unreadable disk, absurd
    value. A ``BceFormatError`` too, so that callers catch one class."""


# What reading a damaged or hostile file raises, beyond the engine's own checks.
READ_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    csv.Error,
    pa.ArrowInvalid,
    MemoryError,
    UnicodeError,
    NotImplementedError,
    RuntimeError,
)


def read_error(error, file=None, line=None):
    """``error``, raised while reading ``file``, as a ``BceReadError`` whose
    message says what is wrong in words a manager understands."""
    if isinstance(error, BceFormatError):
        return error
    detail = str(error) or type(error).__name__
    again = "download the extract again"
    if isinstance(error, zipfile.BadZipFile):
        message = f"the ZIP is damaged: the file fails its integrity check ({detail}); {again}"
    elif isinstance(error, (zlib.error, lzma.LZMAError)):
        message = f"the ZIP is damaged: the compressed data cannot be unpacked ({detail}); {again}"
    elif isinstance(error, EOFError):
        message = f"the ZIP is cut short: the file ends too early ({detail}); {again}"
    elif isinstance(error, MemoryError):
        message = "a value is too large to be read (the server ran out of memory): not a BCE file"
    elif isinstance(error, csv.Error) and "field limit" in detail:
        message = f"a value is longer than {csv.field_size_limit():,} characters: not a BCE value"
    elif isinstance(error, (csv.Error, pa.ArrowInvalid)):
        message = f"malformed CSV ({detail.strip()})"
    elif isinstance(error, UnicodeError):
        message = "undecodable bytes (the file must be UTF-8)"
    elif isinstance(error, NotImplementedError):
        message = f"the ZIP uses a compression method this server cannot read ({detail})"
    elif isinstance(error, RuntimeError) and "encrypted" in detail:
        message = "the ZIP is protected by a password: the BCE publishes plain ZIPs"
    elif isinstance(error, OSError):
        message = f"the file cannot be read ({getattr(error, 'strerror', None) or detail})"
    else:
        message = f"the file cannot be read ({type(error).__name__}: {detail})"
    return BceReadError(message, file=file, line=line)
