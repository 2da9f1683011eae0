"""where=, dictionary=, tape.summary, polars, and the TapeError subclasses."""
import os
import shutil

import pandas as pd
import pyarrow as pa
import pytest

import tape


def test_where_filters_like_the_sql(small_demo):
    got = tape.read_table(small_demo, "trades", where="pnl < 0 AND side = 'long'")
    want = tape.sql("SELECT * FROM trades WHERE pnl < 0 AND side = 'long'", small_demo)
    assert got.num_rows > 0 and got.equals(want)


def test_where_combines_with_columns_and_time_range(small_demo):
    got = tape.read_pandas(small_demo, "equity", columns=["ts", "equity"], start="2024-01-02", end="2024-01-03",
                           where="position <> 0 -- a comment cannot swallow the closing parenthesis")
    want = tape.sql("SELECT ts, equity FROM equity WHERE ts >= TIMESTAMP '2024-01-02' AND ts < TIMESTAMP '2024-01-03' "
                    "AND position <> 0", small_demo).to_pandas()
    assert len(got) == len(want) > 0
    assert (got["equity"].to_numpy() == want["equity"].to_numpy()).all()


def test_bad_where_is_a_query_error_with_its_place(small_demo):
    with pytest.raises(tape.TapeQueryError, match="nope"):
        tape.read_table(small_demo, "equity", where="nope > 1")
    with pytest.raises(tape.TapeQueryError, match="syntax"):
        tape.read_table(small_demo, "equity", where="equity >")
    with pytest.raises(tape.TapeValueError, match="empty"):
        tape.read_table(small_demo, "equity", where="  ")


def test_errors_point_into_the_callers_text_only(small_demo):
    # A place in `where` is shown in the where text itself, with a caret under it.
    with pytest.raises(tape.TapeQueryError) as e:
        tape.read_table(small_demo, "equity", where="equity > 0 AND nope > 1")
    assert str(e.value).startswith("where: error at offset 15: no column 'nope'")
    assert str(e.value).endswith("\n  equity > 0 AND nope > 1\n                 ^")
    # The query a scan makes up is never quoted: no offset into text the caller did not write.
    with pytest.raises(tape.TapeQueryError) as e:
        tape.read_table(small_demo, "nope")
    assert str(e.value).startswith("error: no table 'nope'") and "offset" not in str(e.value)
    with pytest.raises(tape.TapeQueryError) as e:
        tape.read_table(small_demo, "equity", columns=["equity", "zz"])
    assert "no column 'zz'" in str(e.value) and "offset" not in str(e.value)
    # tape.sql: the query's line with a caret, and no CLI usage text.
    with pytest.raises(tape.TapeQueryError) as e:
        tape.sql("SELECT equity FROM equity WHERE bogus(equity)", small_demo)
    lines = str(e.value).split("\n")
    assert len(lines) == 3 and "bogus" in lines[0] and lines[2].index("^") == lines[1].index("bogus")
    assert "USAGE" not in str(e.value) and "--help" not in str(e.value)


def test_dictionary_option_gives_arrow_dictionaries_and_categoricals(small_demo):
    t = tape.read_table(small_demo, "decisions", dictionary=True)
    plain = tape.read_table(small_demo, "decisions")
    for f in plain.schema:
        if pa.types.is_string(f.type):
            assert pa.types.is_dictionary(t.schema.field(f.name).type)
            assert t.column(f.name).cast(pa.string()).equals(plain.column(f.name))
    df = tape.read_pandas(small_demo, "trades", dictionary=["side"])
    assert isinstance(df["side"].dtype, pd.CategoricalDtype)
    with pytest.raises(tape.TapeValueError, match="no column 'zz'"):
        tape.read_table(small_demo, "trades", dictionary=["zz"])


def test_summary_is_a_typed_dataframe(tmp_path, run_cli, small_demo):
    d = tmp_path / "runs"
    d.mkdir()
    for i in range(3):
        shutil.copy(small_demo, d / ("r%d.tape" % i))
    s = tape.summary(str(d))
    assert list(s["run"]) == ["r0", "r1", "r2"]
    assert s["sharpe"].dtype == "float64" and s["trades"].dtype == "Int64"
    assert str(s["start"].dtype) == "datetime64[ns, UTC]"
    assert s["strategy"].iloc[0] == tape.info(small_demo)["metadata"]["strategy"]
    import json
    cli = json.loads(run_cli("summary", str(d), "--format", "json", "--columns", "run,sharpe,max_drawdown,trades"))
    assert [r["sharpe"] for r in cli] == list(s["sharpe"])
    assert [r["trades"] for r in cli] == list(s["trades"])
    assert len(tape.summary(str(d), where="run = 'r1'")) == 1
    with pytest.raises(tape.TapeQueryError):
        tape.summary(str(d), where="sharpe >")


def test_summary_of_a_damaged_run_raises_or_skips(tmp_path, small_demo):
    d = tmp_path / "runs"
    d.mkdir()
    shutil.copy(small_demo, d / "good.tape")
    data = open(small_demo, "rb").read()
    (d / "cut.tape").write_bytes(data[: len(data) // 2])
    with pytest.raises(tape.TapeCorruptError, match="cut.tape"):
        tape.summary(str(d))
    assert list(tape.summary(str(d), skip_unreadable=True)["run"]) == ["good"]


def test_error_classes(tmp_path, small_demo):
    with pytest.raises(tape.TapeFileError) as e:
        tape.read_table(str(tmp_path / "missing.tape"), "equity")
    assert isinstance(e.value, OSError) and "missing.tape" in str(e.value)
    with pytest.raises(tape.TapeValueError, match="no table 'nope'"):
        tape.read_table(small_demo, "nope")
    with pytest.raises(tape.TapeQueryError, match="syntax"):
        tape.sql("SELEC 1", small_demo)
    data = open(small_demo, "rb").read()
    cut = tmp_path / "cut.tape"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(tape.TapeCorruptError, match="cut.tape"):
        tape.read_table(str(cut), "equity")
    # Messages are Tape's own, without CLI usage text.
    try:
        tape.sql("SELEC 1", small_demo)
    except tape.TapeError as err:
        assert "Usage" not in err.message and "--help" not in err.message


def test_polars_reads_a_scan_and_a_table(small_demo):
    import polars as pl
    df = pl.from_arrow(tape.scan(small_demo, "equity", columns=["ts", "equity"]))
    assert df.height == 300_000 and df.schema["ts"] == pl.Datetime("ns", "UTC")
    t = tape.read_table(small_demo, "trades")
    assert pl.from_arrow(t).height == t.num_rows
    s = pl.from_arrow(tape.sql("SELECT side, sum(pnl) AS pnl FROM trades GROUP BY side ORDER BY side", small_demo))
    assert s.columns == ["side", "pnl"]


def test_duckdb_sql_over_a_scan_by_variable_name(small_demo):
    import duckdb
    rdr = tape.scan(small_demo, "trades")
    got = duckdb.sql("SELECT count(*) AS n, sum(pnl) AS p FROM rdr").fetchall()[0]
    want = tape.sql("SELECT count(*) AS n, sum(pnl) AS p FROM trades", small_demo).to_pylist()[0]
    assert got[0] == want["n"] and abs(got[1] - want["p"]) < 1e-6


def test_a_written_nullable_frame_reads_back_through_every_reader(tmp_path):
    import duckdb
    import polars as pl
    path = str(tmp_path / "n.tape")
    df = pd.DataFrame({"i": pd.array([1, None], dtype="Int64"), "b": pd.array([None, True], dtype="boolean")})
    with tape.Writer(path) as w:
        w.write_batch("t", df)
    assert tape.read_pandas(path, "t").equals(df)
    assert pl.from_arrow(tape.read_table(path, "t"))["i"].to_list() == [1, None]
    rdr = tape.scan(path, "t")
    assert duckdb.sql("SELECT count(i), count(b) FROM rdr").fetchall()[0] == (1, 1)
