"""tape.read_table / scan / read_pandas against pyarrow: every type, nulls, NaN, empty tables,
multi-run unions, streaming and errors."""
import math
import os

import pyarrow as pa
import pytest

import tape

TS = pa.timestamp("ns", tz="UTC")


def test_every_type_round_trips_with_nulls(types_file):
    t = tape.read_table(types_file, "t")
    expected = pa.table({
        "ts": pa.array([1704067200000000001, None, 1704153600000000000], type=pa.int64()).cast(TS),
        "i": pa.array([1, None, -9223372036854775808], type=pa.int64()),
        "f": pa.array([1.5, float("nan"), None], type=pa.float64()),
        "b": pa.array([True, None, False], type=pa.bool_()),
        "s": pa.array(["a", None, "ünï"], type=pa.string()),
    })
    assert t.schema == expected.schema
    assert [c.null_count for c in t.columns] == [1, 1, 1, 1, 1]
    t.validate(full=True)
    # NaN compares unequal to itself: compare f apart.
    assert t.drop_columns(["f"]).equals(expected.drop_columns(["f"]))
    f = t.column("f").to_pylist()
    assert f[0] == 1.5 and math.isnan(f[1]) and f[2] is None


def test_nan_and_null_stay_distinct(types_file):
    f = tape.read_table(types_file, "t", columns=["f"]).column("f").combine_chunks()
    assert f.is_null().to_pylist() == [False, False, True]
    assert f.is_nan().to_pylist() == [False, True, None]


def test_projection_keeps_the_requested_order(types_file):
    t = tape.read_table(types_file, "t", columns=["s", "i"])
    assert t.column_names == ["s", "i"]
    assert t.column("s").to_pylist() == ["a", None, "ünï"]


def test_empty_table_has_its_schema_and_no_rows(empty_file):
    t = tape.read_table(empty_file, "e")
    assert t.num_rows == 0
    assert t.schema == pa.schema([("ts", TS), ("v", pa.float64()), ("s", pa.string())])


def test_time_range_that_matches_nothing_gives_an_empty_table(types_file):
    t = tape.read_table(types_file, "t", start="2030-01-01")
    assert t.num_rows == 0 and t.column_names == ["ts", "i", "f", "b", "s"]


def test_start_end_select_by_the_first_timestamp_column(types_file):
    t = tape.read_table(types_file, "t", start="2024-01-01T00:00:00.000000001Z", end="2024-01-02")
    assert t.column("i").to_pylist() == [1]
    t = tape.read_table(types_file, "t", start=1704153600000000000)
    assert t.column("i").to_pylist() == [-9223372036854775808]


def test_union_of_runs_has_the_run_column_and_nulls_for_missing_columns(union_dir):
    t = tape.read_table(union_dir, "t")
    assert sorted(t.column_names) == ["run", "ts", "x", "y"]
    rows = sorted(t.to_pylist(), key=lambda r: r["x"])
    assert [(r["run"], r["x"], r["y"]) for r in rows] == [("a", 1, 10.5), ("a", 2, None), ("beta", 3, None)]
    # The same as the SQL union.
    q = tape.sql('SELECT run, x, y FROM t ORDER BY x', union_dir)
    assert q.to_pylist() == [{k: r[k] for k in ("run", "x", "y")} for r in rows]


def test_globs_and_files_are_taken_as_the_cli_takes_them(union_dir):
    t = tape.read_table(os.path.join(union_dir, "*.tape"), "t", columns=["run", "x"])
    assert sorted(t.column("run").to_pylist()) == ["a", "a", "beta"]
    t = tape.read_table([os.path.join(union_dir, "a.tape")], "t")
    assert t.num_rows == 2 and "run" not in t.column_names   # one run: no run column, as in SQL


def test_many_chunks_stream_in_order(demo_dir):
    reader = tape.scan(demo_dir, "equity", columns=["ts", "equity"])
    assert isinstance(reader, pa.RecordBatchReader)
    batches = 0
    rows = 0
    last = None
    for b in reader:
        batches += 1
        rows += b.num_rows
        ts = b.column(0)
        assert ts.null_count == 0
        if b.num_rows:
            first = ts[0].value
            assert last is None or first > last
            last = ts[b.num_rows - 1].value
    assert rows == 1_000_000
    assert batches > 10


def test_dictionary_strings_read_as_plain_utf8(demo_dir):
    t = tape.read_table(demo_dir, "decisions", columns=["symbol", "action"], end="2024-01-02")
    assert t.schema.field("symbol").type == pa.string()
    expected = tape.sql("SELECT symbol, action FROM decisions WHERE ts < TIMESTAMP '2024-01-02'", demo_dir)
    assert t.equals(expected)
    assert t.num_rows == 1440


def test_read_pandas_dtypes(types_file):
    df = tape.read_pandas(types_file, "t")
    assert str(df["ts"].dtype) == "datetime64[ns, UTC]"
    assert str(df["i"].dtype) == "Int64" and df["i"].isna().tolist() == [False, True, False]
    assert str(df["b"].dtype) == "boolean" and df["b"].isna().tolist() == [False, True, False]
    assert str(df["f"].dtype) == "float64"
    assert df["ts"].iloc[0].value == 1704067200000000001


def test_read_pandas_arrow_backend_keeps_nan_apart_from_null(types_file):
    import pandas as pd
    df = tape.read_pandas(types_file, "t", dtype_backend="pyarrow")
    assert all(isinstance(t, pd.ArrowDtype) for t in df.dtypes)
    assert str(df["ts"].dtype) == "timestamp[ns, tz=UTC][pyarrow]"
    f = pa.array(df["f"].array)
    assert f.is_null().to_pylist() == [False, False, True] and math.isnan(f[1].as_py())
    assert df["i"].isna().tolist() == [False, True, False] and df["s"].isna().tolist() == [False, True, False]
    assert tape.read_pandas(types_file, "t", dtype_backend="numpy_nullable")["i"].dtype == pd.Int64Dtype()
    with pytest.raises(tape.TapeValueError, match="dtype_backend"):
        tape.read_pandas(types_file, "t", dtype_backend="arrow")


def test_info_is_tape_info_json(types_file, run_cli):
    import json
    assert tape.info(types_file) == json.loads(run_cli("info", "--json", types_file))


def test_errors_raise_tape_error_with_tapes_message(types_file, union_dir):
    with pytest.raises(tape.TapeError, match="no such file or directory: '/nonexistent/x.tape'"):
        tape.read_table("/nonexistent/x.tape", "t")
    with pytest.raises(tape.TapeError, match="no table 'nope'"):
        tape.read_table(types_file, "nope")
    with pytest.raises(tape.TapeError, match="zz"):
        tape.read_table(types_file, "t", columns=["zz"])
    with pytest.raises(tape.TapeError, match="syntax error"):
        tape.sql("SELEC 1 FROM t", union_dir)
    with pytest.raises(tape.TapeError, match="nope"):
        tape.read_table(types_file, "t", time_column="nope", start=0)
    with pytest.raises(tape.TapeError):
        tape.info("/nonexistent/x.tape")
    with pytest.raises(tape.TapeError, match="cannot read"):
        tape.read_table(types_file, "t", start="yesterday-ish")


def test_runtime_errors_inside_a_stream_carry_tapes_message(union_dir):
    with pytest.raises(tape.TapeError, match="(?i)division by zero|overflow"):
        tape.sql("SELECT x // 0 FROM t", union_dir)


def test_a_reader_dropped_early_releases_cleanly(demo_dir):
    for _ in range(3):
        reader = tape.scan(demo_dir, "decisions")
        next(iter(reader))
        del reader
    assert tape.read_table(demo_dir, "trades").num_rows > 0
