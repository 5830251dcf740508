"""Column helpers shared by reading, updating and building: sorted int64 columns,
categorical columns numbered across chunks, and row replacement by key."""

import numpy as np
import pandas as pd


class Vocabulary:
    """Gives the categories of successive chunks one numbering."""

    def __init__(self, values=()):
        self.values = list(values)
        self.ids = {value: index for index, value in enumerate(self.values)}

    def _id(self, value):
        index = self.ids.get(value)
        if index is None:
            index = self.ids[value] = len(self.values)
            self.values.append(value)
        return index

    def encode(self, series):
        categories = series.cat.categories
        mapping = np.fromiter(
            (self._id(value) for value in categories), dtype=np.int32, count=len(categories)
        )
        codes = series.cat.codes.to_numpy()
        ids = np.full(len(codes), -1, dtype=np.int32)
        known = codes >= 0
        ids[known] = mapping[codes[known]]
        return ids

    def categorical(self, ids):
        categories = pd.Index(self.values, dtype="str")
        return pd.Categorical.from_codes(ids, categories=categories)


def category_values(series, function, dtype=object, missing=None):
    """Apply ``function`` to each category once; -> an array aligned on the rows
    (``missing`` where the value is NULL)."""
    categories = series.cat.categories
    results = np.array([function(value) for value in categories], dtype=dtype)
    codes = series.cat.codes.to_numpy()
    out = np.full(len(codes), missing, dtype=dtype)
    known = codes >= 0
    out[known] = results[codes[known]]
    return out


def sorted_unique(values):
    """``np.unique`` of int64 keys by one sort: numpy's hash path is many times slower
    on the nearly sorted keys of an extract."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def run_starts(values):
    """Start of each run of equal values: an entity's rows follow each other, so
    work done once per run is done once per entity."""
    if not len(values):
        return np.empty(0, dtype=np.int64)
    return np.concatenate([[0], np.flatnonzero(values[1:] != values[:-1]) + 1])


def per_run(values, function):
    """``function`` of ``values``, computed on the first value of each run only."""
    starts = run_starts(values)
    return np.repeat(function(values[starts]), np.diff(starts, append=len(values)))


def is_member(numbers, index):
    return index.get_indexer(numbers) >= 0


def in_sorted(values, array):
    """Membership by binary search in a sorted array: no hash table to build, which
    is what an update, with a few rows against millions, needs."""
    if not len(array):
        return np.zeros(len(values), dtype=bool)
    positions = np.minimum(np.searchsorted(array, values), len(array) - 1)
    return array[positions] == values


def rows_for(entities, keys):
    """Positions of the rows of ``keys`` in a column sorted by entity."""
    keys = np.unique(np.asarray(keys, dtype=np.int64))
    starts = np.searchsorted(entities, keys, "left")
    lengths = np.searchsorted(entities, keys, "right") - starts
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())


def sorted_by(frame, column):
    """``frame`` ordered by ``column`` (stable: an entity's rows keep their order)."""
    values = frame[column].to_numpy()
    if len(values) < 2 or (values[1:] >= values[:-1]).all():
        return frame.reset_index(drop=True)
    return frame.take(np.argsort(values, kind="stable")).reset_index(drop=True)


class NumberSet:
    """A set of entity numbers from disjoint sorted arrays (enterprises, units),
    searched rather than hashed: a hash table of the national numbers costs 100 MB,
    and the rows asked about come in number order, once per entity."""

    def __init__(self, *arrays):
        self.arrays = [np.asarray(array, dtype=np.int64) for array in arrays]

    def contains(self, values):
        values = np.asarray(values, dtype=np.int64)
        mask = np.zeros(len(values), dtype=bool)
        for array in self.arrays:
            mask |= in_sorted(values, array)
        return mask


def replace_rows(old, remove, new, key):
    """``old`` (sorted by ``key``) without the rows of the keys ``remove``, with the
    rows ``new``, still sorted. Works column by column in numpy: two passes over the
    millions of rows of a table, whatever the size of the update."""
    old_keys = old[key].to_numpy()
    drop = rows_for(old_keys, remove)
    new = sorted_by(new, key)
    if not len(drop) and not len(new):
        return old
    inserted_at = np.searchsorted(old_keys, new[key].to_numpy(), "right")
    targets = inserted_at - np.searchsorted(drop, inserted_at) + np.arange(len(new))
    # runs of kept old rows, each copied as one slice
    bounds = np.unique(np.concatenate([[0, len(old)], drop, drop + 1, inserted_at]))
    starts, ends = bounds[:-1], bounds[1:]
    kept = ~in_sorted(starts, drop)
    starts, ends = starts[kept], ends[kept]
    destinations = (
        starts - np.searchsorted(drop, starts) + np.searchsorted(inserted_at, starts, "right")
    )
    runs = list(zip(starts.tolist(), ends.tolist(), destinations.tolist(), strict=True))
    size = len(old) - len(drop) + len(new)
    columns = {}
    for column in old.columns:
        old_column, new_column = old[column], new[column]
        categorical = isinstance(old_column.dtype, pd.CategoricalDtype)
        if categorical:
            values = new_column.astype(object)
            categories = old_column.cat.categories
            missing = pd.Index(values.dropna().unique()).difference(categories)
            categories = categories.append(missing.astype("str"))
            old_values = old_column.cat.codes.to_numpy().astype(np.int32)
            new_values = pd.Categorical(values, categories=categories).codes
        else:
            old_values = old_column.to_numpy()
            new_values = new_column.to_numpy(dtype=old_values.dtype)
        merged = np.empty(size, dtype=old_values.dtype)
        for start, end, destination in runs:
            merged[destination : destination + end - start] = old_values[start:end]
        merged[targets] = new_values
        if categorical:
            columns[column] = pd.Categorical.from_codes(merged, categories=categories)
        elif old_values.dtype == object:
            columns[column] = pd.array(merged, dtype="str")
        else:
            columns[column] = merged
    return pd.DataFrame(columns, copy=False)


def first_per_entity(frame):
    return frame.drop_duplicates("entity", keep="first")


def group_bounds(owners, numbers):
    """Start and end row of each number's group in rows sorted by owner."""
    return np.searchsorted(owners, numbers, "left"), np.searchsorted(owners, numbers, "right")
