"""Stream a backtest's tables into a .tape file from Python (stdlib only).

    from tape_writer import TapeWriter

    with TapeWriter("run.tape", metadata={"strategy": "sma"}, expect_bars=len(bars)) as w:
        w.declare("equity", {"ts": "timestamp!", "equity": "float64"})   # optional
        for bar in bars:
            w.write("equity", {"ts": bar.time, "equity": bar.equity})
        w.write_many("trades", trades_dataframe)                          # dicts or a pandas DataFrame
    summary = w.summary          # the run summary dict `tape ingest` printed (path, rows, sizes, ...)

The writer starts `tape ingest PATH` as a subprocess (the `tape` executable comes from the
`tape_bin` argument, else the TAPE_BIN environment variable, else PATH) and sends it one NDJSON
record per row (the framing is in `tape ingest --help`), buffered. Memory on both sides stays flat
whatever the run length. `close()` sends `$close` and returns the summary; leaving the `with` block
through an exception sends `$cancel` instead (the file keeps every row, with tape.cancelled=true)
and lets the exception propagate. Anything tape rejects raises `TapeIngestError` with tape's
message (it names the line and column).

Values: None, NaN, NaT -> null; bool, int, float, str as JSON; datetime / pandas.Timestamp /
numpy.datetime64 -> ISO-8601 UTC with nanoseconds (naive times are taken as UTC); date -> midnight
UTC; timedelta / pandas.Timedelta / numpy.timedelta64 -> nanoseconds, stored in a `duration` column
(format 1.3; tape prints it as `2 days 03:00:00`); numpy scalars -> their Python value. Types of a
table that is not declared are taken from the DataFrame dtypes (`write_many` with a DataFrame; a
timedelta64 column is a duration), else, when the table's first row holds a timedelta, from the
Python types of that row (declare the table to choose otherwise), else inferred by tape from its
first rows.
"""

import datetime
import json
import math
import os
import shutil
import subprocess
import threading

__all__ = ["TapeWriter", "TapeIngestError", "to_json_value"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class TapeIngestError(Exception):
    """`tape ingest` rejected the stream or failed. `message` is tape's own error text;
    `summary` is the summary of the sealed (incomplete) file when tape printed one."""

    def __init__(self, message, returncode=None, summary=None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.summary = summary


def _iso_from_ns(ns):
    seconds, frac = divmod(int(ns), 1_000_000_000)
    t = _EPOCH + datetime.timedelta(seconds=seconds)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{frac:09d}Z" if frac else text + "Z"


def _ns_from_datetime(d):
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    delta = d - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def to_json_value(v):
    """`v` as a JSON-ready value (see the module doc for the mapping)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    kind = type(v).__name__
    module = type(v).__module__
    if module.startswith("pandas"):
        if kind == "NaTType":
            return None
        if kind == "Timestamp":
            return _iso_from_ns(v.value)  # .value: nanoseconds since the epoch, UTC
        if kind == "Timedelta":
            return int(v.value)
    if module == "numpy":
        if kind.startswith("datetime64"):
            if v != v:  # NaT
                return None
            return _iso_from_ns(v.astype("datetime64[ns]").astype("int64"))
        if kind.startswith("timedelta64"):
            if v != v:
                return None
            return int(v.astype("timedelta64[ns]").astype("int64"))
        if hasattr(v, "item"):
            return to_json_value(v.item())
    if isinstance(v, datetime.datetime):
        return _iso_from_ns(_ns_from_datetime(v))
    if isinstance(v, datetime.date):
        return v.isoformat() + "T00:00:00Z"
    if isinstance(v, datetime.timedelta):
        return (v.days * 86_400 + v.seconds) * 1_000_000_000 + v.microseconds * 1_000
    raise TypeError(f"cannot write a {type(v).__name__} to tape: {v!r}")


def _is_timedelta(v):
    kind = type(v).__name__
    return isinstance(v, datetime.timedelta) or kind == "Timedelta" or kind.startswith("timedelta64")


def _type_of_value(v):
    """The tape type for a (non-null) value."""
    if isinstance(v, (datetime.datetime, datetime.date)) or type(v).__name__.startswith("datetime64"):
        return "timestamp"
    if _is_timedelta(v):
        return "duration"
    v = to_json_value(v)
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    return "string"


def _dataframe_schema(df):
    """Column types of a pandas DataFrame from its dtypes (object columns: first non-null value)."""
    columns = {}
    for name in df.columns:
        dtype = df[name].dtype
        kind = getattr(dtype, "kind", "O")
        if kind == "f":
            columns[str(name)] = "float64"
        elif kind in "iu":
            columns[str(name)] = "int64"
        elif kind == "b":
            columns[str(name)] = "bool"
        elif kind == "M":
            columns[str(name)] = "timestamp"
        elif kind == "m":
            columns[str(name)] = "duration"
        else:
            first = next((x for x in df[name] if to_json_value(x) is not None), None)
            columns[str(name)] = "string" if first is None else _type_of_value(first)
    return columns


def _is_dataframe(rows):
    return hasattr(rows, "columns") and hasattr(rows, "itertuples") and hasattr(rows, "dtypes")


class TapeWriter:
    """A run being written by a `tape ingest` subprocess. Not thread-safe."""

    def __init__(self, path, metadata=None, expect_bars=None, tape_bin=None, codec=None, level=None,
                 overwrite=False, buffer_bytes=1 << 16):
        exe = tape_bin or os.environ.get("TAPE_BIN") or shutil.which("tape")
        if not exe:
            raise TapeIngestError("cannot find the tape executable: pass tape_bin=, set TAPE_BIN or put it on PATH")
        args = [exe, "ingest", str(path)]
        for k, v in (metadata or {}).items():
            args += ["--metadata", f"{k}={v}"]
        if expect_bars is not None:
            args += ["--expect-bars", str(int(expect_bars))]
        if codec:
            args += ["--codec", codec]
        if level is not None:
            args += ["--level", str(level)]
        if overwrite:
            args.append("--force")
        self.path = str(path)
        self.summary = None
        self._declared = set()
        self._seen = set()
        self._buffer = []
        self._buffered = 0
        self._limit = buffer_bytes
        self._closed = False
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stderr = []
        self._drain = threading.Thread(target=lambda: self._stderr.append(self._proc.stderr.read()), daemon=True)
        self._drain.start()

    # -- records -------------------------------------------------------------------------------------

    def declare(self, table, columns):
        """Declares `table` with `columns` ({name: type} or [(name, type)], types int64, float64,
        timestamp, duration, bool, string; a trailing '!' means not null). Optional: undeclared tables get
        their types inferred. Must come before the table's first row."""
        items = columns.items() if isinstance(columns, dict) else columns
        record = {"$schema": table}
        for name, type_name in items:
            record[str(name)] = type_name
        self._send(record)
        self._declared.add(table)

    def write(self, table, row):
        """Writes one row (a dict of column -> value; missing columns are null)."""
        if table not in self._declared and table not in self._seen:
            self._seen.add(table)
            if any(_is_timedelta(v) for v in row.values() if to_json_value(v) is not None):
                self.declare(table, {k: _type_of_value(v) if to_json_value(v) is not None else "string" for k, v in row.items()})
        record = {"$table": table}
        for k, v in row.items():
            record[k] = to_json_value(v)
        self._send(record)

    def write_many(self, table, rows):
        """Writes many rows: an iterable of dicts, or a pandas DataFrame (its columns; the index is
        not written - call reset_index() to keep it). A DataFrame declares the table from its
        dtypes if it is not declared yet."""
        if _is_dataframe(rows):
            if table not in self._declared:
                self.declare(table, _dataframe_schema(rows))
            names = [str(c) for c in rows.columns]
            for values in rows.itertuples(index=False, name=None):
                record = {"$table": table}
                for k, v in zip(names, values):
                    record[k] = to_json_value(v)
                self._send(record)
        else:
            for row in rows:
                self.write(table, row)

    def set_metadata(self, **metadata):
        """Sets run metadata keys (values are stored as text)."""
        record = {"$metadata": True}
        record.update({k: to_json_value(v) for k, v in metadata.items()})
        self._send(record)

    def expect_bars(self, count, table="equity"):
        """The run will have `count` bars, counted as rows of `table` (for progress)."""
        self._send({"$expect_bars": int(count), "table": table})

    # -- ending --------------------------------------------------------------------------------------

    def close(self, **metadata):
        """Closes the run normally (extra keyword arguments become metadata) and returns the summary
        dict. Raises TapeIngestError if tape failed."""
        record = {"$close": True}
        record.update({k: to_json_value(v) for k, v in metadata.items()})
        return self._finish(record)

    def cancel(self, reason=None):
        """Stops the run early, keeping what was written (tape.cancelled=true); returns the summary."""
        return self._finish({"$cancel": None if reason is None else str(reason)})

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._closed:
            return False
        if exc_type is None:
            self.close()
        else:
            try:
                self.cancel(f"{exc_type.__name__}: {exc}")
            except TapeIngestError:
                pass  # the original exception is the one to see
        return False

    # -- plumbing ------------------------------------------------------------------------------------

    def _send(self, record):
        if self._closed:
            raise TapeIngestError("the writer is closed")
        line = json.dumps(record, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        self._buffer.append(line)
        self._buffered += len(line) + 1
        if self._buffered >= self._limit:
            self._flush()

    def _flush(self):
        if not self._buffer:
            return
        data = ("\n".join(self._buffer) + "\n").encode("utf-8")
        self._buffer = []
        self._buffered = 0
        try:
            self._proc.stdin.write(data)
        except (BrokenPipeError, OSError):
            self._fail()

    def _finish(self, record):
        self._send(record)
        self._flush()
        code, summary = self._wait()
        if code != 0:
            raise TapeIngestError(self._error_text(code), code, summary)
        self.summary = summary
        return summary

    def _fail(self):
        """tape stopped reading (it rejected a line): wait for it and raise its error."""
        code, summary = self._wait()
        raise TapeIngestError(self._error_text(code), code, summary)

    def _wait(self):
        """Closes tape's input, waits for it to exit; returns its exit status and printed summary."""
        self._closed = True
        try:
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        out = self._proc.stdout.read().decode("utf-8", "replace")
        code = self._proc.wait()
        self._drain.join()
        return code, self._parse_summary(out)

    def _error_text(self, code):
        err = b"".join(self._stderr).decode("utf-8", "replace").strip()
        return err[len("Error: "):] if err.startswith("Error: ") else (err or f"tape ingest exited {code}")

    @staticmethod
    def _parse_summary(out):
        for line in reversed(out.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    return None
        return None
