"""tape.Writer: write a run from Python at columnar speed.

Batches (pandas DataFrames, pyarrow Tables / RecordBatches, anything `pyarrow.table()` takes)
are handed to libTapeArrow as Arrow C Data Interface arrays: no per-row Python work, no text in
between. Single rows (`write`) are buffered per table and handed over as batches.
"""
import ctypes
import json
import os

import pyarrow as pa

from ._arrow_c import ArrowArray, ArrowSchema
from ._errors import check, TapeError, TapeValueError
from ._library import library

# Rows `write` buffers per table before handing them over as one batch.
ROW_BUFFER = 8192


def _text(value):
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _batches(data, index):
    """`data` as a list of pyarrow.RecordBatch (at least one, possibly empty, so that an empty
    frame still declares its table)."""
    try:
        if isinstance(data, pa.RecordBatch):
            return [data]
        if not isinstance(data, pa.Table):
            mod = type(data).__module__
            if mod.startswith("pandas") and type(data).__name__ == "DataFrame":
                data = _from_pandas(data, index)
            elif isinstance(data, dict) or hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
                data = pa.table(data)
            else:
                raise TapeError("write_batch: expected a pandas.DataFrame, pyarrow.Table or RecordBatch, got %s"
                                % type(data).__name__)
        batches = data.to_batches()
        return batches or [pa.RecordBatch.from_pylist([], schema=data.schema)]
    except (pa.ArrowException, ValueError, TypeError) as e:
        raise TapeError("write_batch: cannot convert the data to Arrow: %s" % e) from None


def _from_pandas(df, index):
    """Index: kept as a column when `index` is True, or when None and the index is not a default
    RangeIndex (e.g. the DatetimeIndex of an equity curve); its name, else "index"."""
    import pandas as pd
    keep = index if index is not None else not isinstance(df.index, pd.RangeIndex)
    if keep:
        if df.index.nlevels > 1:
            raise TapeError("write_batch: a MultiIndex cannot be stored; reset_index() first")
        name = df.index.name or "index"
        df = df.reset_index(names=name) if name not in df.columns else df.reset_index(drop=True)
    for c in df.columns:
        if not isinstance(c, str):
            raise TapeError("write_batch: column names must be strings, got %r" % (c,))
    return pa.Table.from_pandas(df, preserve_index=False)


class Writer:
    """Streams the tables of one run into a .tape file.

        with tape.Writer("run.tape", metadata={"strategy": "sma"}, expect_bars=len(df)) as w:
            w.write_batch("equity", equity_df)             # columnar: pandas, pyarrow, polars ...
            w.write("trades", {"entry_ts": t0, "pnl": 12.5})
        w.summary                                         # the run summary (dict)

    A table's columns and types are fixed by its first batch (timestamps of any unit or zone are
    stored as UTC nanoseconds, naive ones read as UTC; nullable ints/bools keep their nulls;
    categoricals and strings are strings). Later batches may leave columns out (null), never add
    new ones; an int column given floats takes them only when they are whole numbers (NaN becomes
    null), an int given to a float column must be exact: anything else raises TapeError and
    appends nothing. compression_level: the zstd level of every block, 1 (the default, as
    pyarrow's Parquet writer uses; about twice as fast as 3 on high-entropy floats, files ~5-10%
    larger) ... 22; None takes the CLI's default (3); `tape compact --level 19` recompresses a
    finished run. Leaving the `with` block through an exception cancels the run (its rows are
    kept, metadata tape.cancelled = true) and lets the exception propagate.
    """

    def __init__(self, path, metadata=None, expect_bars=None, progress_table="equity", compression_level=1,
                 _handle=None):
        self._lib = library()
        self.path = os.fspath(path)
        self._rows = {}
        self.summary = None
        self.resume_state = None
        if _handle is not None:
            self._h = _handle
        else:
            meta = {str(k): _text(v) for k, v in (metadata or {}).items()}
            keys = (ctypes.c_char_p * max(1, len(meta)))(*[k.encode() for k in meta])
            values = (ctypes.c_char_p * max(1, len(meta)))(*[v.encode() for v in meta.values()])
            h = ctypes.c_void_p()
            level = 0 if compression_level is None else compression_level     # 0: the CLI's default (3)
            if compression_level is not None and (isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 22):
                raise TapeValueError("compression_level: expected a zstd level 1...22 or None, got %r" % (compression_level,))
            check(self._lib.tape_writer_open(os.fsencode(self.path), keys, values, len(meta), level, ctypes.byref(h)))
            self._h = h
        if expect_bars is not None:
            self.expect_bars(expect_bars, progress_table)

    @classmethod
    def resume(cls, path):
        """Reopens a run whose writer was killed (or that was closed) to continue it: an unsealed
        file is recovered first (every complete chunk is kept). `writer.resume_state` says per
        table how many rows are durable and the last timestamp (ns), so the backtest restarts
        from there: {"tables": {"equity": {"rows": n, "last_timestamp_ns": t}}, ...}. Tables
        continue with their schema in the file."""
        lib = library()
        h, out = ctypes.c_void_p(), ctypes.c_void_p()
        check(lib.tape_writer_resume(os.fsencode(os.fspath(path)), ctypes.byref(h), ctypes.byref(out)))
        try:
            state = json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            lib.tape_string_free(out)
        w = cls(path, _handle=h)
        w.resume_state = state
        return w

    def _handle(self):
        if self._h is None:
            raise TapeError("the writer of %r is closed" % self.path)
        return self._h

    def write(self, table, row):
        """Appends one row (a dict of column -> value) to `table`. Rows are buffered and handed to
        Tape as batches of ROW_BUFFER rows (and before anything else is written to the table)."""
        self._handle()
        if not isinstance(row, dict):
            raise TapeError("write: a row is a dict of column -> value, got %s" % type(row).__name__)
        rows = self._rows.setdefault(table, [])
        rows.append(row)
        if len(rows) >= ROW_BUFFER:
            self._flush_rows(table)

    def _flush_rows(self, table):
        rows = self._rows.pop(table, None)
        if rows:
            try:
                batch = pa.RecordBatch.from_pylist(rows)
            except (pa.ArrowException, ValueError, TypeError) as e:
                raise TapeError("write: rows of table %r cannot be converted to Arrow: %s" % (table, e)) from None
            self._write(table, batch)

    def write_batch(self, table, data, index=None):
        """Appends a batch of rows to `table`: a pandas.DataFrame, pyarrow.Table or RecordBatch, or
        any object pyarrow.table() takes (a dict of columns, a polars DataFrame). `index`: keep a
        DataFrame's index as a column (default: when it is not a RangeIndex)."""
        self._handle()
        self._flush_rows(table)
        for batch in _batches(data, index):
            self._write(table, batch)

    def _write(self, table, batch):
        schema, array = ArrowSchema(), ArrowArray()
        batch._export_to_c(ctypes.addressof(array), ctypes.addressof(schema))
        # tape_writer_write_batch releases both structures, on success and on failure.
        check(self._lib.tape_writer_write_batch(self._handle(), table.encode("utf-8"),
                                                ctypes.byref(schema), ctypes.byref(array)))

    def set_metadata(self, mapping=None, **metadata):
        """Sets run metadata keys (values that are not strings are stored as JSON)."""
        items = dict(mapping or {}, **metadata)
        for k, v in items.items():
            check(self._lib.tape_writer_set_metadata(self._handle(), str(k).encode(), _text(v).encode()))

    def expect_bars(self, count, table="equity"):
        """How many bars (rows of `table`) the run will have, for progress."""
        check(self._lib.tape_writer_expect_bars(self._handle(), int(count), table.encode()))

    def _finish(self, fn, *args):
        h = self._handle()
        try:
            for table in list(self._rows):
                self._flush_rows(table)
        except TapeError:
            self._rows.clear()
            raise
        out = ctypes.c_void_p()
        try:
            check(fn(h, *args, ctypes.byref(out)))
            self.summary = json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            if out.value:
                self._lib.tape_string_free(out)
            self._h = None
            self._lib.tape_writer_free(h)
        return self.summary

    def close(self):
        """Seals the run and returns its summary (dict: path, tables, rows, metadata, metrics)."""
        return self._finish(self._lib.tape_writer_close)

    def cancel(self, reason=None):
        """Stops the run but keeps it: seals it with tape.cancelled = true (and tape.cancel_reason)."""
        self._rows.clear()
        return self._finish(self._lib.tape_writer_cancel, None if reason is None else str(reason).encode("utf-8"))

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._h is None:
            return False
        if exc_type is None:
            self.close()
        else:
            self.cancel("%s: %s" % (exc_type.__name__, exc))
        return False

    def __del__(self):
        # Never closed: leave the file unsealed (recoverable by Writer.resume / tape recover).
        h = getattr(self, "_h", None)
        if h is not None:
            self._h = None
            try:
                self._lib.tape_writer_free(h)
            except Exception:      # interpreter shutdown: ctypes may be gone; the OS closes the file
                pass
