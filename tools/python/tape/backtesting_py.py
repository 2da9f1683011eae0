"""Save a backtesting.py run (the `stats` Series `Backtest.run()` returns) as one Tape run.

    stats = Backtest(GOOG, SmaCross, cash=10_000, commission=0.002).run()
    tape.backtesting_py.save(stats, "sma_cross.tape", metadata={"symbol": "GOOG"})

Tables: `equity` (ts, Equity, DrawdownPct, DrawdownDuration as int64 ns) from
`stats._equity_curve`, and `trades` (backtesting.py's columns: Size, EntryBar, ExitBar,
EntryPrice, ExitPrice, PnL, ReturnPct, EntryTime, ExitTime, Duration, Tag, ...) from
`stats._trades`. The metric columns are named in metadata (tape.metrics.equity_column = Equity,
pnl_column = PnL, entry_column = EntryTime, exit_column = ExitTime), so `tape summary`,
`tape plot` and `tape info` show the run's metrics. Metadata also gets strategy (the Strategy
class name), params (its parameters, JSON) and backtesting.stats (the scalar statistics, JSON).
Naive timestamps (backtesting.py's usual data) are stored as UTC.
"""
import json

from ._adapter import arrow_frame as _arrow, scalar_stats as _scalar_stats
from ._writer import Writer

METRIC_COLUMNS = {
    "tape.metrics.time_column": "ts",
    "tape.metrics.equity_column": "Equity",
    "tape.metrics.pnl_column": "PnL",
    "tape.metrics.entry_column": "EntryTime",
    "tape.metrics.exit_column": "ExitTime",
}


def save(stats, path, metadata=None):
    """Writes `stats` (from `Backtest.run()`) to the Tape run `path` and returns the run summary
    (dict: tables, metadata, metrics). `metadata` adds or overrides keys."""
    strategy = stats.get("_strategy") if hasattr(stats, "get") else None
    meta = {"library": "backtesting.py"}
    if strategy is not None:
        meta["strategy"] = type(strategy).__name__
        # Parameters: the Strategy class's plain attributes, overridden by those passed to run().
        params = {k: v for k, v in vars(type(strategy)).items()
                  if not k.startswith("_") and isinstance(v, (bool, int, float, str))}
        params.update(getattr(strategy, "_params", None) or {})
        if params:
            meta["params"] = json.dumps(params, sort_keys=True, default=str)
    meta["backtesting.stats"] = json.dumps(_scalar_stats(stats), sort_keys=True)
    meta.update(METRIC_COLUMNS)
    meta.update(metadata or {})
    equity = stats["_equity_curve"].rename_axis("ts").reset_index()
    with Writer(path, metadata=meta, expect_bars=len(equity)) as w:
        w.write_batch("equity", _arrow(equity))
        w.write_batch("trades", _arrow(stats["_trades"]))
    return w.summary
