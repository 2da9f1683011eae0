"""Duration columns reach Python as durations: pyarrow duration[ns], pandas timedelta64[ns], in
read_table / read_pandas / scan and in tape.sql, the same values `tape cat --format arrow` gives.
SQL INTERVALs (timestamp differences, interval arithmetic, aggregates) are durations too; an
INTERVAL with calendar months has no fixed length and fails with a clear error."""
import datetime as dt
import subprocess

import pyarrow as pa
import pytest

import tape

NS = pa.duration("ns")
HOLDS = [5_000_000_000, None, -1, 86_400_000_000_000 * 3 + 7, 0, 2**62]


@pytest.fixture(scope="module")
def durations_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("durations") / "d.tape")
    ts = pa.array([1_704_067_200_000_000_000 + i * 60_000_000_000 for i in range(len(HOLDS))], pa.int64())
    with tape.Writer(path) as w:
        w.write_batch("trades", pa.table({
            "entry": ts.cast(pa.timestamp("ns", tz="UTC")),
            "exit": pa.compute.add(ts, pa.array([0, 0, 0, 0, 0, 0], pa.int64())).cast(pa.timestamp("ns", tz="UTC")),
            "hold": pa.array(HOLDS, pa.int64()).cast(NS),
        }))
    return path


def test_read_table_gives_duration_ns_like_cat_arrow(durations_file, cli):
    t = tape.read_table(durations_file, "trades")
    assert t.schema.field("hold").type == NS
    assert t.column("hold").cast(pa.int64()).to_pylist() == HOLDS
    p = subprocess.run([cli, "cat", durations_file, "trades", "--format", "arrow"], capture_output=True, check=True)
    assert pa.ipc.open_stream(p.stdout).read_all().equals(t)


def test_scan_streams_durations(durations_file):
    rdr = tape.scan(durations_file, "trades", columns=["hold"])
    assert rdr.schema.field("hold").type == NS
    assert pa.Table.from_batches(list(rdr), rdr.schema).column("hold").cast(pa.int64()).to_pylist() == HOLDS


def test_read_pandas_gives_timedelta64_with_nat(durations_file):
    import pandas as pd
    df = tape.read_pandas(durations_file, "trades")
    assert str(df["hold"].dtype) == "timedelta64[ns]"
    assert df["hold"].iloc[0] == pd.Timedelta(seconds=5)
    assert pd.isna(df["hold"].iloc[1])
    assert df["hold"].iloc[3] == pd.Timedelta(days=3, nanoseconds=7)


def test_where_on_a_duration_column(durations_file):
    t = tape.read_table(durations_file, "trades", columns=["hold"], where="hold > INTERVAL '1 second'")
    assert t.column("hold").cast(pa.int64()).to_pylist() == [5_000_000_000, 86_400_000_000_000 * 3 + 7, 2**62]


def test_sql_plain_column_and_interval_expressions_are_durations(durations_file):
    t = tape.sql("SELECT hold, exit - entry AS zero, hold + INTERVAL '1 day' AS later, "
                 "INTERVAL '90 minutes' AS lit FROM trades WHERE hold IS NOT NULL AND hold < INTERVAL '4 days'",
                 durations_file)
    assert [f.type for f in t.schema] == [NS] * 4
    assert t.column("hold").cast(pa.int64()).to_pylist() == [5_000_000_000, -1, 86_400_000_000_000 * 3 + 7, 0]
    assert t.column("zero").to_pylist() == [dt.timedelta(0)] * 4
    assert t.column("later").cast(pa.int64()).to_pylist() == [h + 86_400_000_000_000 for h in [5_000_000_000, -1, 86_400_000_000_000 * 3 + 7, 0]]
    assert set(t.column("lit").to_pylist()) == {dt.timedelta(minutes=90)}


def test_sql_aggregates_of_durations_are_durations(durations_file):
    t = tape.sql("SELECT min(hold) AS lo, max(hold) AS hi, count(hold) AS n FROM trades", durations_file)
    assert t.schema.field("lo").type == NS and t.schema.field("hi").type == NS
    assert t.column("lo").cast(pa.int64()).to_pylist() == [-1]
    assert t.column("hi").cast(pa.int64()).to_pylist() == [2**62]


def test_sql_null_interval_stays_null(durations_file):
    t = tape.sql("SELECT CASE WHEN hold IS NULL THEN NULL ELSE hold END AS h FROM trades", durations_file)
    assert t.schema.field("h").type == NS
    assert t.column("h").null_count == 1


def test_an_interval_with_months_fails_with_the_column_named(durations_file):
    with pytest.raises(tape.TapeError, match=r"column 'm'.*calendar months.*CAST"):
        tape.sql("SELECT INTERVAL '1 month' AS m FROM trades", durations_file)
    t = tape.sql("SELECT CAST(INTERVAL '1 month' AS VARCHAR) AS m FROM trades LIMIT 1", durations_file)
    assert t.schema.field("m").type == pa.string()


def test_an_interval_beyond_the_nanosecond_range_fails(durations_file):
    with pytest.raises(tape.TapeError, match=r"column 'big'.*nanosecond range"):
        tape.sql("SELECT hold + hold + hold AS big FROM trades WHERE hold > INTERVAL '1000 days'", durations_file)


def test_polars_and_duckdb_read_durations(durations_file):
    import duckdb
    import polars as pl
    df = pl.from_arrow(tape.read_table(durations_file, "trades", columns=["hold"]))
    assert df.schema["hold"] == pl.Duration("ns")
    rdr = tape.scan(durations_file, "trades", columns=["hold"])
    con = duckdb.connect()
    con.register("rdr", rdr)
    got = con.execute("SELECT max(hold) AS m FROM rdr").fetchone()[0]
    assert got == dt.timedelta(seconds=2**62 // 10**9, microseconds=(2**62 % 10**9) // 1000)


def test_cli_sql_format_arrow_gives_the_same_durations_as_tape_sql(durations_file, cli):
    query = "SELECT hold, exit - entry AS zero, hold + INTERVAL '1 day' AS later FROM trades ORDER BY entry"
    p = subprocess.run([cli, "sql", query, durations_file, "--format", "arrow"], capture_output=True, check=True)
    t = pa.ipc.open_stream(p.stdout).read_all()
    assert [f.type for f in t.schema] == [NS] * 3
    assert t.equals(tape.sql(query, durations_file))
    months = subprocess.run([cli, "sql", "SELECT INTERVAL '1 month' AS m FROM trades", durations_file, "--format", "arrow"],
                            capture_output=True)
    assert months.returncode == 1 and b"column 'm'" in months.stderr and b"calendar months" in months.stderr
