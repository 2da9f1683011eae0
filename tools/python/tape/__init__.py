"""Tape from Python: read tables and SQL results of Tape runs into pyarrow, pandas and DuckDB.

    import tape
    t = tape.read_table("runs/", "equity", columns=["ts", "equity"])   # pyarrow.Table
    df = tape.read_pandas("run.tape", "trades")                         # pandas.DataFrame
    rdr = tape.scan("runs/", "equity")                                  # pyarrow.RecordBatchReader
    tape.sql("SELECT run, sum(pnl) FROM trades GROUP BY run", "runs/")  # pyarrow.Table
    tape.info("run.tape")                                               # dict (tape info --json)
    with tape.Writer("new.tape", metadata={"strategy": "sma"}) as w:    # write DataFrames / Arrow
        w.write_batch("equity", df)

The data comes through libTapeArrow, the Swift engine's C ABI, as an Arrow C stream: chunk by
chunk (bounded memory), no text in between. Paths are files, directories and globs as the `tape`
CLI takes them; several runs read as one union with a `run` column, as `tape sql` does.
"""
import ctypes
import datetime as _dt
import json
import os

import pyarrow as pa

from ._errors import TapeCorruptError, TapeError, TapeFileError, TapeQueryError, TapeValueError, check as _check
from ._library import ArrowArrayStream, library
from ._writer import Writer

__all__ = ["TapeError", "TapeValueError", "TapeQueryError", "TapeFileError", "TapeCorruptError",
           "Writer", "read_table", "read_pandas", "scan", "sql", "sql_scan", "summary", "run_files", "info"]


def _paths(paths):
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = [os.fsencode(p) for p in paths]
    return (ctypes.c_char_p * max(1, len(out)))(*out), len(out)


def _ns(t, what):
    """Nanoseconds since the epoch (UTC) of an int (ns), datetime, pandas.Timestamp, numpy
    datetime64 or ISO-8601 string; naive times are UTC."""
    if t is None:
        return None
    if isinstance(t, bool):
        raise TapeValueError("%s: expected a time, got %r" % (what, t))
    if isinstance(t, int):
        return t
    if hasattr(t, "value") and hasattr(t, "tz_localize"):           # pandas.Timestamp (keeps ns)
        return int(t.value) if t.tzinfo is not None else int(t.tz_localize("UTC").value)
    if type(t).__name__ == "datetime64":
        import numpy as np
        return int(t.astype("datetime64[ns]").astype(np.int64))
    if isinstance(t, str):
        try:
            t = _dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
        except ValueError as e:
            raise TapeValueError("%s: cannot read %r as a time (use ISO-8601)" % (what, t)) from e
    if isinstance(t, _dt.date) and not isinstance(t, _dt.datetime):
        t = _dt.datetime(t.year, t.month, t.day)
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        delta = t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    raise TapeValueError("%s: expected a time, got %r" % (what, t))


def _import(stream):
    # _import_from_c moves the stream out of `stream` (marking it released), so nothing leaks
    # if the import fails.
    return pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))


def scan(paths, table, columns=None, start=None, end=None, time_column=None, where=None, dictionary=None):
    """A pyarrow.RecordBatchReader streaming `table` of the runs `paths` chunk by chunk.

    columns: names to read (default: all, plus `run` when there are several runs); start/end: only
    rows whose time (`time_column`, default the table's first timestamp column) is >= start and
    < end; where: a SQL condition in Tape's SQL (as `tape sql` takes after WHERE, e.g.
    "pnl < 0 AND side = 'long'"), ANDed with the time range; the scan is exactly
    `SELECT columns FROM table WHERE ...` (zone maps skip chunks). dictionary: True (every string
    column) or a list of names: those columns arrive as Arrow dictionary<int32, string> (pandas
    categorical), each batch with its own dictionary (a stored dictionary chunk is handed over
    without a copy). Errors found while opening raise TapeError subclasses;
    errors while streaming raise pyarrow's exception carrying Tape's message.
    """
    lib = library()
    p, n = _paths(paths)
    cols, ncols = (None, 0) if columns is None else _paths(list(columns))
    if columns is not None and isinstance(columns, str):
        raise TapeValueError("columns: expected a list of names, got a string")
    s, e = _ns(start, "start"), _ns(end, "end")
    # Bit 2: string columns arrive as Arrow dictionaries straight from Tape's dictionary chunks.
    flags = (1 if s is not None else 0) | (2 if e is not None else 0) | (4 if dictionary else 0)
    if where is not None and not isinstance(where, str):
        raise TapeValueError("where: expected a SQL condition (str), got %s" % type(where).__name__)
    stream = ArrowArrayStream()
    _check(lib.tape_scan(p, n, os.fsencode(table), cols, ncols,
                         None if time_column is None else os.fsencode(time_column),
                         s or 0, e or 0, flags, None if where is None else where.encode("utf-8"),
                         ctypes.byref(stream)))
    reader = _import(stream)
    return reader if not dictionary else _dictionary_encoded(reader, dictionary)


def _dictionary_encoded(reader, which):
    """`reader` (whose string columns Tape streams as dictionary<int32, utf8>) with only the
    string columns `which` (True for all, else names) kept as dictionaries."""
    if which is True:
        return reader
    missing = [c for c in which if reader.schema.get_field_index(c) < 0]
    if missing:
        raise TapeValueError("dictionary: no column %s in the result" % ", ".join(map(repr, missing)))
    plain = [f.name for f in reader.schema if pa.types.is_dictionary(f.type) and f.name not in which]
    if not plain:
        return reader
    fields = [pa.field(f.name, f.type.value_type) if f.name in plain else f for f in reader.schema]
    schema = pa.schema(fields, metadata=reader.schema.metadata)

    def batches():
        for b in reader:
            cols = [c.cast(c.type.value_type) if b.schema.field(i).name in plain else c for i, c in enumerate(b.columns)]
            yield pa.RecordBatch.from_arrays(cols, schema=schema)
    return pa.RecordBatchReader.from_batches(schema, batches())


def _read_all(reader):
    try:
        return reader.read_all()
    except (pa.ArrowException, OSError) as e:
        raise TapeError(str(e)) from None


def read_table(paths, table, columns=None, start=None, end=None, time_column=None, where=None, dictionary=None):
    """`table` of the runs `paths` as a pyarrow.Table (see `scan` for the arguments)."""
    return _read_all(scan(paths, table, columns=columns, start=start, end=end, time_column=time_column,
                          where=where, dictionary=dictionary))


def read_pandas(paths, table, columns=None, start=None, end=None, time_column=None, where=None, dictionary=None,
                dtype_backend=None):
    """`table` as a pandas.DataFrame (see `scan` for the arguments). dtype_backend (as pandas'
    readers take it): None (default): timestamps datetime64[ns, UTC], durations timedelta64[ns],
    int64 and bool with pandas' nullable Int64/boolean dtypes, float64 as numpy float64 (NaN and
    null both NaN: numpy has one missing value); "pyarrow": every column Arrow-backed
    (`pd.ArrowDtype`), which keeps a float NaN apart from a null. `dictionary` string columns are
    categoricals (or Arrow dictionaries with "pyarrow")."""
    import pandas as pd
    if dtype_backend not in (None, "numpy_nullable", "pyarrow"):
        raise TapeValueError("dtype_backend: expected None, 'numpy_nullable' or 'pyarrow', got %r" % (dtype_backend,))
    t = read_table(paths, table, columns=columns, start=start, end=end, time_column=time_column,
                   where=where, dictionary=dictionary)
    if dtype_backend == "pyarrow":
        return t.to_pandas(types_mapper=pd.ArrowDtype)
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return t.to_pandas(types_mapper=nullable.get)


def sql_scan(query, paths):
    """A pyarrow.RecordBatchReader over the result of `query` (Tape's SQL, as `tape sql`)."""
    lib = library()
    p, n = _paths(paths)
    stream = ArrowArrayStream()
    _check(lib.tape_sql(query.encode("utf-8"), p, n, ctypes.byref(stream)))
    return _import(stream)


def sql(query, paths):
    """The result of `query` over the runs `paths` as a pyarrow.Table."""
    return _read_all(sql_scan(query, paths))


def summary(paths, where=None, skip_unreadable=False):
    """`tape summary` of the runs `paths` as a pandas.DataFrame, one row per run: run, path, every
    stored metric (float64, int64 counts, datetime64[ns, UTC] start/end) and every metadata key
    (strings); a value a run lacks is missing. where: a condition as `tape summary --where` takes
    it (e.g. "sharpe > 1 AND strategy = 'sma'"). An unreadable run raises (TapeCorruptError,
    TapeFileError) unless skip_unreadable."""
    import pandas as pd
    lib = library()
    p, n = _paths(paths)
    stream = ArrowArrayStream()
    _check(lib.tape_summary(p, n, None if where is None else where.encode("utf-8"), 1 if skip_unreadable else 0,
                            ctypes.byref(stream)))
    t = _read_all(_import(stream))
    return t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def run_files(paths):
    """The .tape files `paths` name (files, directories searched recursively, globs), in the
    order the CLI reads them."""
    lib = library()
    p, n = _paths(paths)
    out = ctypes.c_void_p()
    _check(lib.tape_expand_paths(p, n, ctypes.byref(out)))
    try:
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        lib.tape_string_free(out)


def info(path):
    """What `tape info --json PATH` prints, as a dict."""
    lib = library()
    out = ctypes.c_void_p()
    _check(lib.tape_info(os.fsencode(path), ctypes.byref(out)))
    try:
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        lib.tape_string_free(out)
