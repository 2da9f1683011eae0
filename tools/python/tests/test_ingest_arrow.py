"""`tape ingest --format arrow`: pyarrow writes an IPC stream (or file) with every type Tape stores —
timestamps with a zone and other units, nullable int/bool, NaN next to null, dictionary strings
(with replaced and delta dictionaries), durations, narrow ints, dates — Tape ingests it, and
tape.read_table reads back the same values; a 10M-row stream makes the round trip through
`tape sql --format arrow` and the C stream. Hostile streams end the run as incomplete with a clear
message."""
import datetime as dt
import json
import math
import subprocess

import pyarrow as pa
import pytest

import tape


def ingest(cli, path, *args, input=None):
    return subprocess.run([cli, "ingest", str(path), "--format", "arrow", *map(str, args)], input=input, capture_output=True)


def stream_bytes(table, *, max_chunksize=None, options=None, file_format=False):
    sink = pa.BufferOutputStream()
    writer = (pa.ipc.new_file if file_format else pa.ipc.new_stream)(sink, table.schema, options=options)
    for batch in table.to_batches(max_chunksize=max_chunksize):
        writer.write_batch(batch)
    writer.close()
    return sink.getvalue().to_pybytes()


def every_type(n=1000):
    ts = [dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=i) for i in range(n)]
    return pa.table({
        "ts": pa.array(ts, pa.timestamp("ns", tz="UTC")).cast(pa.timestamp("us", tz="America/New_York")),
        "equity": pa.array([float("nan") if i % 7 == 3 else (None if i % 11 == 5 else 100.0 + i / 3) for i in range(n)], pa.float64()),
        "qty": pa.array([None if i % 5 == 1 else i - 500 for i in range(n)], pa.int64()),
        "small": pa.array([i % 100 - 50 for i in range(n)], pa.int8()),
        "big": pa.array([None if i % 9 == 0 else 2**40 + i for i in range(n)], pa.uint64()),
        "flag": pa.array([None if i % 4 == 2 else i % 3 == 0 for i in range(n)], pa.bool_()),
        "sym": pa.array([None if i % 13 == 0 else ["AAPL", "MSFT", "ünï"][i % 3] for i in range(n)], pa.string()).dictionary_encode(),
        "note": pa.array([None if i % 6 == 0 else ("" if i % 6 == 1 else "n%d" % i) for i in range(n)], pa.large_string()),
        "hold": pa.array([None if i % 8 == 0 else dt.timedelta(seconds=i, microseconds=7) for i in range(n)], pa.duration("us")),
        "day": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
        "ratio": pa.array([i / 8 for i in range(n)], pa.float32()),
    })


def expected(t):
    """What Tape stores for `t`: UTC ns timestamps, int64, float64, plain strings, ns durations."""
    out = {}
    for name, col in zip(t.column_names, t.columns):
        ty = col.type
        if pa.types.is_timestamp(ty) or pa.types.is_date(ty):
            col = col.cast(pa.timestamp("ns", tz="UTC")) if pa.types.is_timestamp(ty) else col.cast(pa.timestamp("ns")).cast(pa.timestamp("ns", tz="UTC"))
        elif pa.types.is_integer(ty):
            col = col.cast(pa.int64())
        elif pa.types.is_floating(ty):
            col = col.cast(pa.float64())
        elif pa.types.is_dictionary(ty) or pa.types.is_large_string(ty):
            col = col.cast(pa.string()) if not pa.types.is_dictionary(ty) else col.cast(ty.value_type)
        elif pa.types.is_duration(ty):
            col = col.cast(pa.duration("ns"))
        out[name] = col
    return pa.table(out)


def read_back(cli, path, table):
    """The table as `tape cat --format arrow` streams it, checked equal to what tape.read_table
    reads (durations as duration[ns] in both)."""
    p = subprocess.run([cli, "cat", str(path), table, "--format", "arrow"], capture_output=True, check=True)
    streamed = pa.ipc.open_stream(p.stdout).read_all()
    assert_same(tape.read_table(str(path), table), streamed)
    return streamed


def assert_same(got, want):
    assert got.column_names == want.column_names
    for name in want.column_names:
        g, w = got.column(name), want.column(name)
        g, w = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in (g, w)]
        assert g.type == w.type, name
        gl, wl = g.to_pylist(), w.to_pylist()
        for i, (a, b) in enumerate(zip(gl, wl)):
            if isinstance(b, float) and math.isnan(b):
                assert isinstance(a, float) and math.isnan(a), (name, i, a)   # NaN stays NaN, not null
            else:
                assert a == b, (name, i, a, b)
        assert len(gl) == len(wl)


def test_every_type_round_trips_through_stdin(cli, tmp_path):
    t = every_type()
    p = ingest(cli, tmp_path / "r.tape", "--table", "equity", "--metadata", "strategy=sma",
               input=stream_bytes(t, max_chunksize=300))
    assert p.returncode == 0, p.stderr.decode()
    summary = json.loads(p.stdout)
    assert summary["tables"][0]["rows"] == 1000
    got = read_back(cli, tmp_path / "r.tape", "equity")
    assert_same(got, expected(t))
    assert got.schema.field("ts").type == pa.timestamp("ns", tz="UTC")
    assert tape.info(str(tmp_path / "r.tape"))["metadata"]["strategy"] == "sma"


def test_file_format_and_several_tables(cli, tmp_path):
    t = every_type(50)
    trades = pa.table({"entry_time": t.column("ts"), "pnl": pa.array([float(i) - 20 for i in range(50)])})
    (tmp_path / "e.arrow").write_bytes(stream_bytes(t, file_format=True))
    (tmp_path / "t.arrows").write_bytes(stream_bytes(trades, max_chunksize=7))
    p = ingest(cli, tmp_path / "r.tape", "--table", "equity=%s" % (tmp_path / "e.arrow"), "--table", "trades",
               "--input", tmp_path / "t.arrows")
    assert p.returncode == 0, p.stderr.decode()
    assert_same(read_back(cli, tmp_path / "r.tape", "equity"), expected(t))
    assert_same(read_back(cli, tmp_path / "r.tape", "trades"), expected(trades))


def test_replaced_and_delta_dictionaries(cli, tmp_path):
    schema = pa.schema([("sym", pa.dictionary(pa.int16(), pa.string()))])
    batches = [pa.record_batch([pa.DictionaryArray.from_arrays(pa.array(i, pa.int16()), pa.array(d))], schema=schema)
               for i, d in [([0, 1, None, 1], ["a", "b"]), ([2, 0], ["a", "b", "c"]), ([0], ["z"])]]
    for deltas in (False, True):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema, options=pa.ipc.IpcWriteOptions(emit_dictionary_deltas=deltas)) as w:
            for b in batches:
                w.write_batch(b)
        path = tmp_path / ("d%d.tape" % deltas)
        p = ingest(cli, path, "--table", "t", input=sink.getvalue().to_pybytes())
        assert p.returncode == 0, p.stderr.decode()
        got = tape.read_table(str(path), "t").column("sym")
        got = got.cast(got.type.value_type) if pa.types.is_dictionary(got.type) else got
        assert got.to_pylist() == ["a", "b", None, "b", "c", "a", "z"]


def test_empty_stream_declares_the_table(cli, tmp_path):
    t = every_type(0)
    p = ingest(cli, tmp_path / "r.tape", "--table", "equity", input=stream_bytes(t))
    assert p.returncode == 0, p.stderr.decode()
    got = tape.read_table(str(tmp_path / "r.tape"), "equity")
    assert got.num_rows == 0 and got.column_names == t.column_names


def test_a_stream_cut_short_keeps_the_batches_before_it(cli, tmp_path):
    data = stream_bytes(every_type(), max_chunksize=100)
    p = ingest(cli, tmp_path / "r.tape", "--table", "equity", input=data[: len(data) - 1500])
    assert p.returncode == 1
    err = p.stderr.decode()
    assert "truncated" in err and "marked tape.incomplete=true" in err, err
    info = tape.info(str(tmp_path / "r.tape"))
    assert info["metadata"]["tape.incomplete"] == "true"
    rows = tape.read_table(str(tmp_path / "r.tape"), "equity").num_rows
    assert 0 < rows < 1000 and rows % 100 == 0


@pytest.mark.parametrize("make, fragment", [
    (lambda: stream_bytes(pa.table({"x": pa.array([[1], [2]])})), "nested types"),
    (lambda: stream_bytes(pa.table({"x": pa.array([1, 2], pa.int64())}),
                          options=pa.ipc.IpcWriteOptions(compression="zstd")), "compressed with ZSTD"),
    (lambda: stream_bytes(pa.table({"x": pa.array([b"a"], pa.binary())})), "Arrow type binary is not supported"),
    (lambda: stream_bytes(pa.table({"x": pa.array([None, None], pa.null())})), "holds only nulls"),
    (lambda: stream_bytes(pa.table({"x": pa.array([2**63], pa.uint64())})), "above int64's maximum"),
    (lambda: b"\x00" * 3, "truncated"),
    (lambda: b"not an arrow stream at all", "metadata size"),
])
def test_hostile_or_unsupported_streams_get_clear_errors(cli, tmp_path, make, fragment):
    p = ingest(cli, tmp_path / "r.tape", "--table", "t", input=make())
    assert p.returncode == 1
    assert fragment in p.stderr.decode(), p.stderr.decode()


def test_usage_errors(cli, tmp_path):
    p = ingest(cli, tmp_path / "r.tape", input=b"")
    assert p.returncode == 64 and b"needs --table" in p.stderr
    p = subprocess.run([cli, "ingest", str(tmp_path / "r.tape"), "--table", "t"], input=b"", capture_output=True)
    assert p.returncode == 64 and b"--table is for --format arrow" in p.stderr
    p = ingest(cli, tmp_path / "r.tape", "--table", "a", "--table", "b", input=b"")
    assert p.returncode == 64 and b"only one --table may read --input" in p.stderr


def test_ten_million_row_streams_both_ways(cli, tmp_path):
    """A 10M-row pyarrow stream (nulls, NaN, a dictionary column) goes into Tape through stdin and
    comes back equal through `tape sql --format arrow` and through the C stream (tape.read_table)."""
    import numpy as np
    n = 10_000_000
    i = np.arange(n, dtype=np.int64)
    v = (i % 1000).astype(np.float64) / 8
    v[3::997] = np.nan
    t = pa.table({
        "ts": pa.array(1_704_067_200_000_000_000 + i * 1_000_000_000, pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
        "q": pa.array(i - 5_000_000, pa.int64(), mask=(i % 11 == 5)),
        "v": pa.array(v, pa.float64(), mask=(i % 13 == 0)),
        "sym": pa.DictionaryArray.from_arrays(pa.array((i % 3).astype(np.int32)), pa.array(["AAPL", "MSFT", "SPY"])),
    })
    path = tmp_path / "big.tape"
    p = ingest(cli, path, "--table", "t", input=stream_bytes(t, max_chunksize=1 << 20))
    assert p.returncode == 0, p.stderr.decode()
    import pyarrow.compute as pc

    def comparable(tbl):
        """Plain strings, and NaN as a sentinel (Arrow's equality never finds NaN equal to NaN)."""
        cols = {c: (tbl[c].cast(pa.string()) if pa.types.is_dictionary(tbl[c].type) else tbl[c]) for c in tbl.column_names}
        cols["v"] = pc.if_else(pc.is_nan(cols["v"]), pa.scalar(-1e300), cols["v"])
        return pa.table(cols)

    want = comparable(t)
    assert want["v"].null_count == len(range(0, n, 13)) and pc.sum(pc.equal(want["v"], -1e300)).as_py() > 0
    q = subprocess.run([cli, "sql", "SELECT ts, q, v, sym FROM t", str(path), "--format", "arrow"], capture_output=True)
    assert q.returncode == 0, q.stderr.decode()
    out = pa.ipc.open_stream(q.stdout).read_all()
    assert out.num_rows == n
    assert comparable(out).equals(want)
    assert comparable(tape.read_table(str(path), "t")).equals(want)
