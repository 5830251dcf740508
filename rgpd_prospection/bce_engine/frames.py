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
    rows ``new``, still sorted. Works column by column in numpy, with masks: a
    mass update replaces millions of rows in thousands of runs, and a Python
    object per run took more memory than the table."""
    old_keys = old[key].to_numpy()
    drop = rows_for(old_keys, remove)
    new = sorted_by(new, key)
    if not len(drop) and not len(new):
        return old
    # a new row goes after the kept old rows of its key and of the keys before
    targets = np.searchsorted(old_keys, new[key].to_numpy(), "right")
    targets -= np.searchsorted(drop, targets)
    targets += np.arange(len(new))
    size = len(old) - len(drop) + len(new)
    kept = np.ones(len(old), dtype=bool)
    kept[drop] = False
    del drop
    from_old = np.ones(size, dtype=bool)
    from_old[targets] = False
    columns = {}
    for column in old.columns:
        old_column, new_column = old[column], new[column]
        categorical = isinstance(old_column.dtype, pd.CategoricalDtype)
        if categorical:
            categories, old_values, new_values = common_codes(old_column, new_column)
        else:
            old_values = old_column.to_numpy()
            new_values = new_column.to_numpy(dtype=old_values.dtype)
        merged = np.empty(size, dtype=old_values.dtype)
        merged[from_old] = old_values[kept]
        merged[targets] = new_values
        if categorical:
            columns[column] = pd.Categorical.from_codes(merged, categories=categories)
        elif old_values.dtype == object:
            columns[column] = pd.array(merged, dtype="str")
        else:
            columns[column] = merged
    return pd.DataFrame(columns, copy=False)


def common_codes(old_column, new_column):
    """The categories of ``old_column`` followed by those of the values of
    ``new_column`` it lacks (sorted), and both columns' codes in them; a
    categorical ``new_column`` is recoded category by category, not value by
    value (the millions of rows of a NACE conversion)."""
    categories = old_column.cat.categories
    if isinstance(new_column.dtype, pd.CategoricalDtype):
        new_codes = new_column.cat.codes.to_numpy()
        used = np.bincount(new_codes[new_codes >= 0], minlength=len(new_column.cat.categories))
        values = new_column.cat.categories[used > 0]
    else:
        new_codes = None
        objects = new_column.astype(object)
        values = pd.Index(objects.dropna().unique())
    categories = categories.append(values.difference(categories).astype("str"))
    if new_codes is None:
        new_values = pd.Categorical(objects, categories=categories).codes
    else:
        mapping = categories.get_indexer(new_column.cat.categories)
        new_values = np.append(mapping, -1)[new_codes]
    old_values = old_column.cat.codes.to_numpy()
    dtype = np.result_type(old_values.dtype, np.min_scalar_type(-len(categories)))
    return categories, old_values.astype(dtype, copy=False), new_values.astype(dtype, copy=False)


def columns_of(frame):
    """``frame``'s columns as arrays: numpy's, or pandas' own for categorical
    and text columns."""
    return {
        column: series.array
        if isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
        else series.to_numpy()
        for column, series in frame.items()
    }


def join_columns(parts, categories=None):
    """One frame from ``parts`` (dicts column -> array as ``columns_of`` gives,
    the same columns, in row order). Categorical columns take ``categories``,
    else the sorted union of the parts' categories, as one table read at once
    gets them. Each part's column is released once copied (the parts are
    emptied): the table is held once, and one column twice."""
    names = list(parts[0])
    total = sum(len(part[names[0]]) for part in parts)
    columns = {}
    for column in names:
        arrays = [part.pop(column) for part in parts]
        first = arrays[0]
        if isinstance(first.dtype, pd.CategoricalDtype):
            target = categories
            if target is None:
                values = set().union(*(array.categories.tolist() for array in arrays))
                target = pd.Index(sorted(values), dtype="str")
            merged = np.empty(total, dtype=np.int32)
        elif isinstance(first, np.ndarray):
            merged = np.empty(total, dtype=first.dtype)
        else:
            series = [pd.Series(array, copy=False) for array in arrays]
            columns[column] = pd.concat(series, ignore_index=True).array
            continue
        start = 0
        for index, array in enumerate(arrays):
            if isinstance(first.dtype, pd.CategoricalDtype):
                recode = np.append(target.get_indexer(array.categories), -1).astype(np.int32)
                array = recode[array.codes]
            merged[start : start + len(array)] = array
            start += len(array)
            arrays[index] = None
        if isinstance(first.dtype, pd.CategoricalDtype):
            merged = pd.Categorical.from_codes(merged, categories=target)
        columns[column] = merged
    return pd.DataFrame(columns, columns=names, copy=False)


def first_per_entity(frame):
    return frame.drop_duplicates("entity", keep="first")


def group_bounds(owners, numbers):
    """Start and end row of each number's group in rows sorted by owner."""
    return np.searchsorted(owners, numbers, "left"), np.searchsorted(owners, numbers, "right")
