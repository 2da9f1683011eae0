"""tape.backtesting_py.save with the pinned backtesting 0.6.6 on its bundled GOOG data: metrics
agree with backtesting.py's own statistics, and `tape summary` / `tape plot` work on the run."""
import json
import os
import sys

import pytest

import tape
import tape.backtesting_py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import backtesting_py_example as example  # noqa: E402


@pytest.fixture(scope="module")
def stats():
    """SMA(10)/SMA(20) crossover on GOOG: the example's backtest, as the report test runs it."""
    return example.run_backtest()


def test_save_stores_equity_trades_and_metrics(tmp_path, stats):
    path = str(tmp_path / "sma.tape")
    summary = tape.backtesting_py.save(stats, path, metadata={"symbol": "GOOG"})
    m = summary["metrics"]
    assert "tape.metrics.error" not in summary["metadata"]
    assert summary["metadata"]["strategy"] == "SmaCross" and json.loads(summary["metadata"]["params"]) == {"n1": 10, "n2": 20}
    assert m["trades"] == stats["# Trades"]
    assert m["win_rate"] == pytest.approx(stats["Win Rate [%]"] / 100)
    assert m["total_return"] == pytest.approx(stats["Return [%]"] / 100)
    assert m["max_drawdown"] == pytest.approx(stats["Max. Drawdown [%]"] / 100)
    assert m["final_equity"] == pytest.approx(stats["Equity Final [$]"])
    eq = tape.read_pandas(path, "equity")
    assert len(eq) == len(stats._equity_curve)
    assert (eq["Equity"].to_numpy() == stats._equity_curve["Equity"].to_numpy()).all()
    tr = tape.read_pandas(path, "trades")
    assert len(tr) == len(stats._trades)
    assert (tr["PnL"].to_numpy() == stats._trades["PnL"].to_numpy()).all()
    assert (tr["EntryTime"].dt.tz_localize(None).to_numpy() == stats._trades["EntryTime"].to_numpy()).all()


def test_summary_and_plot_work_on_the_saved_run(tmp_path, stats, run_cli):
    path = str(tmp_path / "sma.tape")
    tape.backtesting_py.save(stats, path)
    rows = json.loads(run_cli("summary", path, "--format", "json"))
    assert rows[0]["sharpe"] is not None and rows[0]["trades"] == stats["# Trades"]
    assert tape.summary(path)["max_drawdown"].iloc[0] == pytest.approx(stats["Max. Drawdown [%]"] / 100)
    run_cli("plot", path, "--out", str(tmp_path / "p.svg"))
    assert (tmp_path / "p.svg").read_text().rstrip().endswith("</svg>")


def test_backtesting_column_names_resolve_without_any_mapping(tmp_path, stats):
    """Equity / PnL / EntryTime / ExitTime are found case-insensitively and by common names."""
    path = str(tmp_path / "plain.tape")
    with tape.Writer(path) as w:
        w.write_batch("equity", stats._equity_curve[["Equity"]])     # DatetimeIndex -> column "index"
        w.write_batch("trades", stats._trades[["PnL", "EntryTime", "ExitTime"]])
    m = w.summary["metrics"]
    assert m["trades"] == stats["# Trades"] and m["total_return"] == pytest.approx(stats["Return [%]"] / 100)
    assert 0 < m["exposure"] <= 1          # from EntryTime / ExitTime


def test_a_run_whose_metrics_cannot_be_computed_says_why(tmp_path, run_cli):
    import pandas as pd
    path = str(tmp_path / "why.tape")
    with tape.Writer(path) as w:
        w.write_batch("equity", pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=3, tz="UTC"), "cash": [1.0, 2.0, 3.0]}))
        w.write_batch("trades", pd.DataFrame({"gain": [1.0]}))
    why = w.summary["metadata"]["tape.metrics.error"]
    assert "table 'equity' has no numeric equity column (looked for equity, value" in why
    assert "tape.metrics.equity_column" in why and "table 'trades' has no numeric pnl column" in why
    assert "tape.metrics.error" in run_cli("info", path)
