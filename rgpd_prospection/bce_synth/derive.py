"""An update derived from two fulls: per table and per key whose row set changed
or vanished, the key in ``<table>_delete.csv`` and the complete new row set in
``<table>_insert.csv``. Tables are walked as key-sorted blocks, never whole."""

import csv
import io
import re
import sys
from bisect import bisect_right
from datetime import datetime
from pathlib import Path

import numpy as np

from .extract_format import (
    BOM,
    DATA_TABLES,
    KEY_COLUMNS,
    ExtractReader,
    ExtractWriter,
    header_line,
    write_meta,
)


def key_group_blocks(stream, name, size=1 << 24):
    """Yield the header line, then ``(lines, keys)`` blocks made of complete key groups.

    Lines come without BOM or line ending (fields never hold newlines); keys are the quoted
    first field. Working per block keeps the per-line Python work to a list comprehension."""
    with stream:
        rest, first, carry, previous = b"", True, ([], []), None
        while True:
            data = stream.read(size)
            if first:
                data = data[3:] if data.startswith(BOM) else data
            text = rest + data
            if data:
                cut = text.rfind(b"\n")
                if cut < 0:
                    rest = text
                    continue
                text, rest = text[:cut], text[cut + 1 :]
            else:
                rest = b""
            text = text.replace(b"\r", b"")
            if first:
                first = False
                header, _, text = text.partition(b"\n")
                yield header
            lines = text.split(b"\n") if text else []
            keys = _LEADING_KEY.findall(text)
            if len(keys) != len(lines):
                raise ValueError(f"{name}: every line must start with a quoted key")
            if keys and (keys != sorted(keys) or (previous is not None and keys[0] < previous)):
                raise ValueError(f"{name} is not sorted by its key column")
            lines, keys = carry[0] + lines, carry[1] + keys
            if data and keys:
                i = len(keys) - 1
                while i > 0 and keys[i - 1] == keys[-1]:
                    i -= 1
                carry = (lines[i:], keys[i:])
                lines, keys = lines[:i], keys[:i]
            if keys:
                previous = keys[-1]
                yield lines, keys
            if not data:
                return


_LEADING_KEY = re.compile(rb'^("[^"\n]*"),', re.M)


def read_meta(source):
    rows = list(csv.reader(io.StringIO(source.read("meta.csv").decode("utf-8-sig"))))
    return dict(rows[1:])


def report_progress(message):
    """Progress of an update on stderr: at national size each stage takes a while."""
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


def derive_update(old_full, new_full, out_path, seed=2, duplicates=3):
    """Write the update that turns ``old_full`` into ``new_full``: per table and per key whose
    row set changed or vanished, the key in ``<table>_delete.csv`` and the complete new row set
    in ``<table>_insert.csv``. A few insert lines are then duplicated, as the BCE does."""
    old, new = ExtractReader(old_full), ExtractReader(new_full)
    rng = np.random.default_rng([seed, 5])
    try:
        meta = read_meta(new)
        probe = new.read("meta.csv")
        bom, eol = probe.startswith(BOM), (b"\r\n" if b"\r\n" in probe else b"\n")
        snapshot = datetime.strptime(meta["SnapshotDate"], "%d-%m-%Y").date()
        stamp = datetime.strptime(meta["ExtractTimestamp"], "%d-%m-%Y %H:%M:%S")
        number = int(meta["ExtractNumber"])
        changes = {}
        for table in DATA_TABLES:
            report_progress(f"update: comparing {table}.csv")
            changes[table] = _diff_table(old, new, table)
        sink = ExtractWriter(Path(out_path), False, False, stamp)
        try:
            write_meta(sink, snapshot, stamp, "update", number, bom, eol)
            with sink.open("code.csv") as f:
                f.write(new.read("code.csv"))
            candidates = [(t, i) for t in DATA_TABLES for i in range(len(changes[t][1]))]
            doubled = {candidates[i] for i in rng.permutation(len(candidates))[:duplicates]}
            for table in DATA_TABLES:
                deleted, inserted = changes[table]
                with sink.open(f"{table}_delete.csv") as f:
                    f.write((BOM if bom else b"") + f'"{KEY_COLUMNS[table]}"'.encode() + eol)
                    f.writelines(key + eol for key in deleted)
                with sink.open(f"{table}_insert.csv") as f:
                    f.write((BOM if bom else b"") + header_line(table, eol))
                    for i, line in enumerate(inserted):
                        f.write(line + eol)
                        if (table, i) in doubled:
                            f.write(line + eol)
        finally:
            sink.close()
    finally:
        old.close()
        new.close()
    return Path(out_path)


class _KeySortedLines:
    """The lines of a key-sorted table, handed out up to a given key."""

    def __init__(self, stream, name):
        self.blocks = key_group_blocks(stream, name)
        next(self.blocks)
        self.lines, self.keys, self.done = [], [], False

    def upto(self, key=None):
        while not self.done and (key is None or not self.keys or self.keys[-1] <= key):
            block = next(self.blocks, None)
            if block is None:
                self.done = True
            else:
                self.lines += block[0]
                self.keys += block[1]
        i = len(self.keys) if key is None else bisect_right(self.keys, key)
        out = self.lines[:i], self.keys[:i]
        del self.lines[:i], self.keys[:i]
        return out


def _diff_table(old, new, table):
    """Walk two key-sorted tables block by block; return (deleted keys, inserted lines).

    A key is deleted when its old row set differs from the new one (or vanished); the insert
    holds the complete new row set of every such key and of every new key."""
    name = f"{table}.csv"
    later = _KeySortedLines(new.open(name), name)
    old_blocks = key_group_blocks(old.open(name), name)
    next(old_blocks)
    deleted, inserted = [], []

    def changed(old_lines, old_keys, new_lines, new_keys):
        if old_lines == new_lines:
            return
        differing = set(old_lines).symmetric_difference(new_lines)
        keys = {line[: line.find(b",")] for line in differing}
        deleted.extend(sorted(keys.intersection(old_keys)))
        inserted.extend(line for line, k in zip(new_lines, new_keys, strict=True) if k in keys)

    for lines, keys in old_blocks:
        changed(lines, keys, *later.upto(keys[-1]))
    changed([], [], *later.upto())
    return deleted, inserted
