"""tape.Writer: columnar writes from pandas / pyarrow through the Arrow C Data Interface, schema
from dtypes, widening rules, cancel / resume, and hostile input (wrong types, crafted arrays)."""
import ctypes
import datetime as dt
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tape
from tape._arrow_c import ArrowArray, ArrowSchema

TS = pa.timestamp("ns", tz="UTC")


def frame(n=1000):
    return pd.DataFrame({
        "ts": pd.date_range("2024-01-01", periods=n, freq="min", tz="UTC"),
        "equity": 10_000 + np.arange(n) * 0.5,
        "position": pd.array([None if i % 7 == 0 else i % 3 for i in range(n)], dtype="Int64"),
        "long": pd.array([None if i % 5 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
        "symbol": pd.Categorical(["AAPL" if i % 3 else "MSFT" for i in range(n)]),
        "note": ["n%d" % i if i % 4 else None for i in range(n)],
    })


def test_dataframe_round_trips_with_dtypes_and_nulls(tmp_path):
    df = frame()
    path = tmp_path / "r.tape"
    with tape.Writer(path, metadata={"strategy": "sma", "params": {"fast": 5}}, expect_bars=len(df)) as w:
        w.write_batch("equity", df)
    assert w.summary["tables"][0]["rows"] == len(df)
    assert w.summary["metadata"]["strategy"] == "sma"
    assert w.summary["metadata"]["params"] == '{"fast": 5}'
    assert w.summary["progress"]["processed"] == len(df)
    t = tape.read_table(path, "equity")
    assert t.schema == pa.schema([("ts", TS), ("equity", pa.float64()), ("position", pa.int64()),
                                  ("long", pa.bool_()), ("symbol", pa.string()), ("note", pa.string())])
    back = tape.read_pandas(path, "equity")
    assert (back["ts"] == df["ts"]).all() and str(back["ts"].dtype) == "datetime64[ns, UTC]"
    pd.testing.assert_series_equal(back["equity"], df["equity"])
    pd.testing.assert_series_equal(back["position"], df["position"])
    pd.testing.assert_series_equal(back["long"], df["long"])
    assert back["symbol"].tolist() == df["symbol"].astype(str).tolist()
    assert back["note"].isna().tolist() == df["note"].isna().tolist()
    assert back["note"].dropna().tolist() == df["note"].dropna().tolist()


def test_timestamps_of_any_unit_and_zone_are_utc_nanoseconds(tmp_path):
    naive = pd.date_range("2024-03-10 01:00", periods=3, freq="h")
    ny = pd.date_range("2024-03-10 01:00", periods=3, freq="h", tz="America/New_York")
    t = pa.table({
        "naive": pa.array(naive),
        "ny": pa.array(ny),
        "sec": pa.array([0, 1, 2], type=pa.timestamp("s")),
        "day": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2), None], type=pa.date32()),
    })
    path = tmp_path / "t.tape"
    with tape.Writer(path) as w:
        w.write_batch("t", t)
    back = tape.read_table(path, "t")
    assert all(f.type == TS for f in back.schema)
    assert back.column("naive").to_pylist() == [x.tz_localize("UTC") for x in naive]
    assert back.column("ny").cast(pa.int64()).to_pylist() == [x.value for x in ny]
    assert back.column("sec").cast(pa.int64()).to_pylist() == [0, 1_000_000_000, 2_000_000_000]
    assert back.column("day").cast(pa.int64()).to_pylist() == [1704067200 * 10**9, 1704153600 * 10**9, None]


def test_arrow_types_sliced_batches_and_dictionaries(tmp_path):
    base = pa.table({
        "i8": pa.array([1, -2, None, 4, 5], type=pa.int8()),
        "u32": pa.array([1, 2, 3, None, 4_000_000_000], type=pa.uint32()),
        "f32": pa.array([1.5, None, -2.25, 0.0, 3.0], type=pa.float32()),
        "f64": pa.array([float("nan"), None, 1.0, 2.0, 3.0]),
        "b": pa.array([True, False, None, True, False]),
        "ls": pa.array(["a", None, "ccc", "", "ünï"], type=pa.large_string()),
        "d": pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 1, 0], type=pa.int16()), pa.array(["x", "yy"])),
    })
    path = tmp_path / "a.tape"
    with tape.Writer(path) as w:
        w.write_batch("a", base.slice(0, 1))                  # offset 0
        for b in base.slice(1).to_batches():
            w.write_batch("a", b.slice(1, 2))                # rows 2, 3: every column has offset != 0
        w.write_batch("a", base.slice(4, 1).combine_chunks())
    back = tape.read_table(path, "a")
    expected = base.take([0, 2, 3, 4])
    for name in ["i8", "u32", "b", "ls", "d", "f32"]:
        assert back.column(name).to_pylist() == expected.column(name).cast(
            pa.string() if name in ("ls", "d") else back.schema.field(name).type).to_pylist(), name
    f = back.column("f64").to_pylist()
    assert math.isnan(f[0]) and f[1:] == [1.0, 2.0, 3.0]
    # NaN and null stay distinct from pyarrow input
    assert back.column("f64").null_count == 0


def test_pandas_nan_is_missing_and_pyarrow_nan_stays_nan(tmp_path):
    path = tmp_path / "n.tape"
    with tape.Writer(path) as w:
        w.write_batch("p", pd.DataFrame({"x": [1.0, np.nan]}))
        w.write_batch("a", pa.table({"x": pa.array([1.0, float("nan"), None])}))
    assert tape.read_table(path, "p").column("x").to_pylist() == [1.0, None]
    a = tape.read_table(path, "a").column("x").to_pylist()
    assert a[0] == 1.0 and math.isnan(a[1]) and a[2] is None


def test_datetime_index_becomes_a_column(tmp_path):
    s = pd.DataFrame({"Equity": [1.0, 2.0]}, index=pd.DatetimeIndex(["2024-01-01", "2024-01-02"], name="ts"))
    path = tmp_path / "i.tape"
    with tape.Writer(path) as w:
        w.write_batch("equity", s)
        w.write_batch("plain", pd.DataFrame({"a": [1]}))
    assert tape.read_table(path, "equity").column_names == ["ts", "Equity"]
    assert tape.read_table(path, "plain").column_names == ["a"]


def test_rows_and_batches_mix_in_order(tmp_path):
    path = tmp_path / "rows.tape"
    with tape.Writer(path) as w:
        for i in range(20_000):
            w.write("trades", {"ts": pd.Timestamp(1_700_000_000_000_000_000 + i, tz="UTC"), "pnl": float(i), "side": "b"})
        w.write_batch("trades", pd.DataFrame({"ts": [pd.Timestamp("2030-01-01", tz="UTC")], "pnl": [-1.0], "side": ["s"]}))
        w.write("trades", {"pnl": 7.0})
    t = tape.read_table(path, "trades")
    assert t.num_rows == 20_002
    pnl = t.column("pnl").to_pylist()
    assert pnl[:3] == [0.0, 1.0, 2.0] and pnl[-2:] == [-1.0, 7.0]
    assert t.column("ts").to_pylist()[-1] is None and t.column("side").to_pylist()[-1] is None


def test_later_batch_may_omit_columns_and_reorder_them(tmp_path):
    path = tmp_path / "o.tape"
    with tape.Writer(path) as w:
        w.write_batch("t", pd.DataFrame({"a": [1], "b": ["x"]}))
        w.write_batch("t", pd.DataFrame({"b": ["y"], "a": [2]}))
        w.write_batch("t", pd.DataFrame({"b": ["z"]}))
    t = tape.read_table(path, "t")
    assert t.column("a").to_pylist() == [1, 2, None] and t.column("b").to_pylist() == ["x", "y", "z"]


def test_int_column_takes_whole_floats_and_refuses_fractions(tmp_path):
    path = tmp_path / "w.tape"
    w = tape.Writer(path)
    w.write_batch("t", pd.DataFrame({"n": [1, 2], "f": [0.5, 1.5]}))
    # An Int column that gained a missing value arrives as float64 with NaN: whole, so it fits.
    w.write_batch("t", pd.DataFrame({"n": [3.0, np.nan], "f": [2, 3]}))
    with pytest.raises(tape.TapeValueError, match=r"column 'n' of table 't'.*row 1 holds 4.5.*never truncates"):
        w.write_batch("t", pd.DataFrame({"n": [4.0, 4.5], "f": [1.0, 1.0]}))
    with pytest.raises(tape.TapeValueError, match=r"column 'f'.*9007199254740993.*cannot hold exactly"):
        w.write_batch("t", pa.table({"n": [1], "f": [2**53 + 1]}))
    w.close()
    t = tape.read_table(path, "t")
    assert t.column("n").to_pylist() == [1, 2, 3, None]      # nothing from the rejected batches
    assert t.column("f").to_pylist() == [0.5, 1.5, 2.0, 3.0]


def test_wrong_types_and_unknown_columns_are_refused_and_append_nothing(tmp_path):
    path = tmp_path / "bad.tape"
    w = tape.Writer(path)
    w.write_batch("t", pd.DataFrame({"x": [1.0], "s": ["a"]}))
    with pytest.raises(tape.TapeValueError, match=r"column 'x' of table 't'.*does not fit the column's type float64"):
        w.write_batch("t", pd.DataFrame({"x": ["text"]}))
    with pytest.raises(tape.TapeValueError, match=r"table 't' has no column 'y'"):
        w.write_batch("t", pd.DataFrame({"x": [2.0], "y": [1]}))
    with pytest.raises(tape.TapeValueError, match=r"list<item: int64>|not supported"):
        w.write_batch("u", pa.table({"l": [[1, 2]]}))
    with pytest.raises(tape.TapeValueError, match=r"only nulls in the table's first batch"):
        w.write_batch("v", pa.table({"a": pa.array([None, None])}))
    with pytest.raises(tape.TapeError, match=r"cannot convert the data to Arrow"):
        w.write_batch("t", pd.DataFrame({"x": [1.0, "mixed"]}))
    with pytest.raises(tape.TapeError, match=r"expected a pandas.DataFrame"):
        w.write_batch("t", [1, 2, 3])
    with pytest.raises(tape.TapeError, match=r"a row is a dict"):
        w.write("t", [1])
    with pytest.raises(tape.TapeValueError, match=r"invalid table name"):
        w.write_batch("", pd.DataFrame({"x": [1.0]}))
    w.write_batch("t", pd.DataFrame({"x": [3.0], "s": ["c"]}))
    summary = w.close()
    assert [t["name"] for t in summary["tables"]] == ["t"]
    assert tape.read_table(path, "t").column("x").to_pylist() == [1.0, 3.0]


def test_closed_writer_raises(tmp_path):
    w = tape.Writer(tmp_path / "c.tape")
    w.close()
    assert w.closed
    for call in (lambda: w.write_batch("t", pd.DataFrame({"a": [1]})), lambda: w.write("t", {"a": 1}),
                 lambda: w.set_metadata(a=1), w.close, lambda: w.cancel("x")):
        with pytest.raises(tape.TapeError, match="is closed"):
            call()


def test_exception_in_with_block_cancels_and_keeps_rows(tmp_path):
    path = tmp_path / "x.tape"
    with pytest.raises(ZeroDivisionError):
        with tape.Writer(path) as w:
            w.write_batch("equity", frame(10))
            1 / 0
    meta = tape.info(path)["metadata"]
    assert meta["tape.cancelled"] == "true" and "ZeroDivisionError" in meta["tape.cancel_reason"]
    assert tape.read_table(path, "equity").num_rows == 10


def test_set_metadata_and_cancel_summary(tmp_path):
    w = tape.Writer(tmp_path / "m.tape", metadata={"a": "1"})
    w.set_metadata(b=2.5)
    w.set_metadata({"c": [1, 2]})
    s = w.cancel("stopped early")
    assert s["metadata"]["a"] == "1" and s["metadata"]["b"] == "2.5" and s["metadata"]["c"] == "[1, 2]"
    assert s["metadata"]["tape.cancel_reason"] == "stopped early"


def test_unwritable_path_is_a_file_error(tmp_path):
    with pytest.raises(tape.TapeFileError) as e:
        tape.Writer(tmp_path / "missing-dir" / "r.tape")
    assert "missing-dir" in str(e.value)


KILLED = r"""
import os, sys, numpy as np, pandas as pd, tape
df = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=200_000, freq="s", tz="UTC"),
                   "equity": np.arange(200_000, dtype="float64")})
w = tape.Writer(sys.argv[1], metadata={"strategy": "resume"})
w.write_batch("equity", df)
os.kill(os.getpid(), 9)
"""


def test_resume_after_kill_continues_the_run(tmp_path):
    path = str(tmp_path / "k.tape")
    p = subprocess.run([sys.executable, "-c", KILLED, path], env=dict(os.environ))
    assert p.returncode == -9
    w = tape.Writer.resume(path)
    durable = w.resume_state["tables"]["equity"]["rows"]
    assert 0 < durable < 200_000 and durable % 65_536 == 0
    last = w.resume_state["tables"]["equity"]["last_timestamp_ns"]
    df = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=200_000, freq="s", tz="UTC"),
                       "equity": np.arange(200_000, dtype="float64")})
    assert last == df["ts"].iloc[durable - 1].value
    w.write_batch("equity", df.iloc[durable:])
    s = w.close()
    assert s["metadata"]["strategy"] == "resume" and s["metadata"]["tape.recovered"] == "true"
    back = tape.read_pandas(path, "equity")
    pd.testing.assert_series_equal(back["equity"], df["equity"])
    assert (back["ts"] == df["ts"]).all()


def test_resume_of_a_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(tape.TapeFileError):
        tape.Writer.resume(tmp_path / "nope.tape")


# ---- crafted C structures: nothing may crash ----

_RELEASE_SCHEMA = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
_RELEASE_ARRAY = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))


@_RELEASE_SCHEMA
def _release_schema(p):
    p.contents.release = None


@_RELEASE_ARRAY
def _release_array(p):
    p.contents.release = None


class Crafted:
    """A record batch of one column built by hand, keeping every buffer alive."""

    def __init__(self, fmt, length, buffers, offset=0, null_count=0, batch_length=None, n_buffers=None, dictionary=None):
        self.keep = []
        child = ArrowSchema(format=fmt, name=b"c", flags=2, release=ctypes.cast(_release_schema, ctypes.c_void_p))
        self.child_schema = child
        self.schema = ArrowSchema(format=b"+s", name=b"", n_children=1,
                                  children=(ctypes.POINTER(ArrowSchema) * 1)(ctypes.pointer(child)),
                                  release=ctypes.cast(_release_schema, ctypes.c_void_p))
        ptrs = (ctypes.c_void_p * max(1, len(buffers)))(*[None if b is None else ctypes.addressof(b) for b in buffers])
        self.keep += [buffers, ptrs]
        arr = ArrowArray(length=length, null_count=null_count, offset=offset,
                         n_buffers=len(buffers) if n_buffers is None else n_buffers, buffers=ptrs,
                         release=ctypes.cast(_release_array, ctypes.c_void_p))
        if dictionary is not None:
            dschema, darr = dictionary
            child.dictionary = ctypes.pointer(dschema)
            arr.dictionary = ctypes.pointer(darr)
            self.keep.append(dictionary)
        self.child_array = arr
        top = (ctypes.c_void_p * 1)(None)
        self.keep.append(top)
        self.array = ArrowArray(length=length if batch_length is None else batch_length, n_buffers=1, buffers=top,
                                n_children=1, children=(ctypes.POINTER(ArrowArray) * 1)(ctypes.pointer(arr)),
                                release=ctypes.cast(_release_array, ctypes.c_void_p))

    def write(self, w, table="t"):
        tape._errors.check(w._lib.tape_writer_write_batch(w._handle(), table.encode(),
                                                           ctypes.byref(self.schema), ctypes.byref(self.array)))


def strings(offsets, data=b"abcdef"):
    return [None, (ctypes.c_int32 * len(offsets))(*offsets), ctypes.create_string_buffer(data)]


@pytest.mark.parametrize("crafted, message", [
    (lambda: Crafted(b"u", 3, strings([0, 4, 2, 6])), r"string offsets decrease at row 1"),
    (lambda: Crafted(b"u", 2, strings([-3, 1, 2])), r"string offset -3 at row 0 is negative"),
    (lambda: Crafted(b"u", 2, strings([0, 1, 2])[:2]), r"2 buffers, its type has 3"),
    (lambda: Crafted(b"l", 2, [None, None]), r"buffer 1 is NULL"),
    (lambda: Crafted(b"l", 2, [None, (ctypes.c_int64 * 2)(1, 2)], null_count=1), r"null_count is 1 but the validity buffer is NULL"),
    (lambda: Crafted(b"l", -1, [None, (ctypes.c_int64 * 2)(1, 2)]), r"negative length"),
    (lambda: Crafted(b"l", 2, [None, (ctypes.c_int64 * 2)(1, 2)], batch_length=5), r"has 2 values, the batch needs 5"),
    (lambda: Crafted(b"l", 2, [None, (ctypes.c_int64 * 2)(1, 2)], offset=2**62), r"has 2 values|overflows"),
    (lambda: Crafted(b"+l", 2, [None]), r"not supported"),
    (lambda: Crafted(b"w:4", 2, [None, None]), r"Arrow type 'w:4' is not supported"),
    (lambda: Crafted(b"i", 2, [None, (ctypes.c_int32 * 2)(0, 7)], dictionary=(
        ArrowSchema(format=b"u", release=ctypes.cast(_release_schema, ctypes.c_void_p)),
        ArrowArray(length=2, n_buffers=3, buffers=(ctypes.c_void_p * 3)(None, ctypes.addressof((ctypes.c_int32 * 3)(0, 1, 2)), ctypes.addressof(ctypes.create_string_buffer(b"ab"))),
                   release=ctypes.cast(_release_array, ctypes.c_void_p)))), r"dictionary index 7 at row 1 is outside the dictionary \(2 entries\)"),
    (lambda: Crafted(b"L", 1, [None, (ctypes.c_uint64 * 1)(2**64 - 1)]), r"uint64 18446744073709551615, above int64's maximum"),
    (lambda: Crafted(b"u", 1, strings([0, 2], b"\xff\xfe")), r"not valid UTF-8"),
])
def test_crafted_arrays_are_refused_not_crashed(tmp_path, crafted, message):
    path = tmp_path / "h.tape"
    w = tape.Writer(path)
    c = crafted()
    with pytest.raises(tape.TapeError, match=message):
        c.write(w)
    assert c.schema.release is None and c.array.release is None      # moved in: released
    w.close()


def test_crafted_valid_batch_with_offset_is_read_exactly(tmp_path):
    path = tmp_path / "ok.tape"
    w = tape.Writer(path)
    validity = (ctypes.c_uint8 * 1)(0b10110)                           # rows 1, 2, 4 valid
    Crafted(b"u", 3, [validity] + strings([0, 1, 3, 3, 4, 6])[1:], offset=2, null_count=-1).write(w)
    w.close()
    # physical rows 2, 3, 4 of offsets [0,1,3,3,4,6] over "abcdef": "", "d" (null), "ef"
    assert tape.read_table(path, "t").column("c").to_pylist() == ["", None, "ef"]


def test_compression_level_changes_size_not_data(tmp_path):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=50_000, freq="min", tz="UTC"),
                       "x": rng.normal(size=50_000).round(3), "s": rng.choice(["buy", "sell", "hold"], 50_000)})
    sizes = {}
    for level in (1, None, 19):
        path = str(tmp_path / ("l%s.tape" % level))
        with tape.Writer(path, compression_level=level) as w:
            w.write_batch("t", df)
        back = tape.read_pandas(path, "t")
        assert back["x"].tolist() == df["x"].tolist() and back["s"].tolist() == df["s"].tolist()
        sizes[level] = os.path.getsize(path)
    assert len(set(sizes.values())) == 3      # the level reaches the blocks (sizes are not monotonic in it here)
    for bad in (0, 23, -1, "3", 2.0, True):
        with pytest.raises(tape.TapeValueError, match="compression_level"):
            tape.Writer(str(tmp_path / "bad.tape"), compression_level=bad)
    assert not os.path.exists(tmp_path / "bad.tape")


def test_a_sealed_run_is_recorded_in_its_directorys_summary_journal(tmp_path):
    # The writer seals through the library's writer, which appends the run's record for
    # `tape summary` (format-spec §9): the record names the file and carries its metadata.
    path = tmp_path / "journaled.tape"
    with tape.Writer(path, metadata={"strategy": "jr"}) as w:
        w.write_batch("equity", frame(50)[["ts", "equity"]])
    journal = tmp_path / ".tape-summary.journal"
    data = journal.read_bytes()
    assert len(data) > 8 and b"journaled.tape" in data and b"strategy" in data and b"jr" in data
    length = int.from_bytes(data[0:4], "little")
    assert len(data) == 8 + length  # one framed record
    s = tape.summary([str(path)])
    assert s["strategy"].tolist() == ["jr"]
