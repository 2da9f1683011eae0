"""tape.vectorbt.save / save_sweep and README's vectorbt example, run as written. vectorbt itself
is too heavy for the test environment (see README), so `import vectorbt` gets the stand-in of
vectorbt_stand_in.py, whose frames have vectorbt 1.2.0's exact columns, dtypes and index; the
adapter's code path (Writer.write_batch of those frames, metric columns named in metadata,
summary/info/plot over the result) is real."""
import json
import os
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

import tape
import tape.vectorbt
import vectorbt_stand_in
from conftest import ROOT


def _example():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    blocks = [b for b in re.findall(r"```py\n(.*?)```", text, re.S) if "vbt.Portfolio" in b]
    assert len(blocks) == 1, "README has one vectorbt example"
    return blocks[0]


def _close(n=300, tz="UTC"):
    idx = pd.date_range("2024-01-01", periods=n, freq="D", tz=tz).as_unit("us")    # vectorbt's index
    return pd.Series(100 + np.cumsum(np.random.default_rng(1).normal(0, 1, n)), index=idx, name="close")


def _grid(close, fasts=(5, 10), slows=(20, 30)):
    cols = pd.MultiIndex.from_tuples([(f, s) for f in fasts for s in slows], names=["fast", "slow"])
    fast = pd.DataFrame({c: close.rolling(c[0]).mean() for c in cols}, index=close.index)
    slow = pd.DataFrame({c: close.rolling(c[1]).mean() for c in cols}, index=close.index)
    fast.columns = slow.columns = cols
    return fast > slow, fast < slow


def test_readme_vectorbt_example(tmp_path, monkeypatch, capsys, cli):
    vectorbt_stand_in.install(monkeypatch)
    monkeypatch.chdir(tmp_path)
    close = _close()
    fast, slow = close.rolling(10).mean(), close.rolling(30).mean()
    entries_grid, exits_grid = _grid(close)
    env = {"close": close, "entries": fast > slow, "exits": fast < slow,
           "entries_grid": entries_grid, "exits_grid": exits_grid}
    exec(compile(_example(), "README.md (vectorbt example)", "exec"), env)

    pf = env["pf"]
    equity = tape.read_pandas("vbt.tape", "equity")
    assert list(equity.columns) == ["ts", "equity"] and len(equity) == 300
    np.testing.assert_allclose(equity["equity"].to_numpy(), pf.value().to_numpy())
    trades = tape.read_pandas("vbt.tape", "trades")
    want = pf.trades.records_readable
    assert len(trades) == len(want) > 3 and "Column" not in trades.columns
    np.testing.assert_allclose(trades["PnL"].to_numpy(), want["PnL"].to_numpy())
    assert (trades["Entry Timestamp"] == want["Entry Timestamp"].dt.as_unit("ns")).all()
    orders = tape.read_pandas("vbt.tape", "orders")
    assert list(orders["Side"]) == list(pf.orders.records_readable["Side"])
    info = tape.info("vbt.tape")
    m = info["metrics"]
    # Metrics from the mapped columns: equity total return and the trade statistics.
    assert abs(m["total_return"] - (pf.value().iloc[-1] / 10_000 - 1)) < 1e-9
    assert m["trades"] == len(trades)
    assert abs(m["win_rate"] - (trades["PnL"] > 0).mean()) < 1e-12
    meta = info["metadata"]
    assert meta["library"] == "vectorbt" and meta["strategy"] == "sma" and meta["init_cash"] == "10000.0"
    assert json.loads(meta["vectorbt.stats"])["Total Trades"] == len(trades)
    assert "%s %s" % (m["total_return"], m["trades"]) in capsys.readouterr().out
    # tape plot draws the run (it refuses runs whose equity it cannot find).
    p = subprocess.run([cli, "plot", "vbt.tape", "--output", "vbt.svg"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr

    # The sweep: one run per grid column, the grid's levels as metadata.
    runs = tape.summary("sweep/").sort_values("run")
    assert list(runs["run"]) == ["10_20", "10_30", "5_20", "5_30"]
    assert list(runs["fast"]) == [10, 10, 5, 5] and list(runs["slow"]) == [20, 30, 20, 30]   # typed by summary
    grid = env["grid"]
    for run, col in zip(runs["run"], [(10, 20), (10, 30), (5, 20), (5, 30)]):
        v = tape.read_pandas("sweep/%s.tape" % run, "equity")["equity"].to_numpy()
        np.testing.assert_allclose(v, grid.value()[col].to_numpy())
    assert runs["total_return"].notna().all()
    assert len(tape.summary("sweep/", where="fast = 5 AND trades > 0")) >= 1


def test_naive_index_is_stored_as_utc(tmp_path, monkeypatch):
    vbt = vectorbt_stand_in.install(monkeypatch)
    close = _close(60, tz=None)
    pf = vbt.Portfolio.from_signals(close, close.diff() > 0, close.diff() < 0, init_cash=1000)
    summary = tape.vectorbt.save(pf, tmp_path / "n.tape")
    assert summary["metrics"]["trades"] == len(pf.trades.records_readable)
    ts = tape.read_table(str(tmp_path / "n.tape"), "equity").column("ts")
    assert str(ts.type) == "timestamp[ns, tz=UTC]"
    assert ts[0].as_py().isoformat() == "2024-01-01T00:00:00+00:00"


def test_one_column_of_a_grid(tmp_path, monkeypatch):
    vbt = vectorbt_stand_in.install(monkeypatch)
    close = _close(120)
    grid = vbt.Portfolio.from_signals(close, *_grid(close), init_cash=1000)
    tape.vectorbt.save(grid, tmp_path / "one.tape", column=(5, 30))
    np.testing.assert_allclose(tape.read_pandas(str(tmp_path / "one.tape"), "equity")["equity"].to_numpy(),
                               grid.value()[(5, 30)].to_numpy())
    assert tape.info(str(tmp_path / "one.tape"))["metadata"]["vectorbt.column"] == "[5, 30]"


def test_a_grid_without_a_column_is_refused_before_writing(tmp_path, monkeypatch):
    vbt = vectorbt_stand_in.install(monkeypatch)
    close = _close(60)
    grid = vbt.Portfolio.from_signals(close, *_grid(close), init_cash=1000)
    with pytest.raises(tape.TapeValueError, match=r"4 columns.*save_sweep"):
        tape.vectorbt.save(grid, tmp_path / "g.tape")
    with pytest.raises(tape.TapeValueError, match=r"no column \(7, 7\)"):
        tape.vectorbt.save(grid, tmp_path / "g.tape", column=(7, 7))
    assert not os.path.exists(tmp_path / "g.tape")


def test_sweep_labels_that_collide_are_refused_before_writing(tmp_path, monkeypatch):
    vbt = vectorbt_stand_in.install(monkeypatch)
    close = _close(60)
    entries = pd.DataFrame({"a/b": close.diff() > 0, "a b": close.diff() > 0}, index=close.index)
    grid = vbt.Portfolio.from_signals(close, entries, ~entries, init_cash=1000)
    with pytest.raises(tape.TapeValueError, match=r"both give the file name 'a-b.tape'"):
        tape.vectorbt.save_sweep(grid, tmp_path / "s")
    assert not os.path.exists(tmp_path / "s")
