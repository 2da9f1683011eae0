"""Save a vectorbt Portfolio as Tape runs: one run per portfolio column.

    pf = vbt.Portfolio.from_signals(close, entries, exits, init_cash=10_000, freq="1D")
    tape.vectorbt.save(pf, "sma.tape", metadata={"strategy": "sma"})
    tape.vectorbt.save_sweep(sweep_pf, "sweep/")        # a parameter grid: one run per column

Tables: `equity` (ts, equity: `pf.value()`), `trades` (`pf.trades.records_readable`: Exit Trade
Id, Size, Entry Timestamp, Avg Entry Price, Entry Fees, Exit Timestamp, Avg Exit Price, Exit
Fees, PnL, Return, Direction, Status, Position Id; open trades included, as vectorbt counts them)
and `orders` (`pf.orders.records_readable`: Order Id, Timestamp, Size, Price, Fees, Side). The
metric columns are named in metadata (tape.metrics.equity_column = equity, pnl_column = PnL,
entry_column = Entry Timestamp, exit_column = Exit Timestamp), so `tape summary`, `tape plot`
and `tape info` show the run's metrics. Metadata also gets library = vectorbt, init_cash,
vectorbt.column (the column's label, JSON) and vectorbt.stats (`pf.stats()`'s scalar entries,
JSON). Naive timestamps (vectorbt's usual index) are stored as UTC.

Nothing here imports vectorbt: the portfolio is read through its public methods only
(`value()`, `trades`, `orders`, `stats()`, `init_cash`, `wrapper.columns`, `pf[column]`), as in
vectorbt 1.2.0.
"""
import json
import os
import re

from ._adapter import arrow_frame, scalar_stats
from ._errors import TapeValueError
from ._writer import Writer

METRIC_COLUMNS = {
    "tape.metrics.time_column": "ts",
    "tape.metrics.equity_column": "equity",
    "tape.metrics.pnl_column": "PnL",
    "tape.metrics.entry_column": "Entry Timestamp",
    "tape.metrics.exit_column": "Exit Timestamp",
}


def _columns(pf):
    return list(pf.wrapper.columns)


def _label(column):
    """A column label (a scalar or a tuple of grid parameters) as JSON-ready data."""
    if isinstance(column, tuple):
        return [_label(c) for c in column]
    return column.item() if hasattr(column, "item") else column


def _single(pf, column):
    """`pf` narrowed to one column: `column`, or its only one."""
    columns = _columns(pf)
    if column is None:
        if len(columns) != 1:
            raise TapeValueError("vectorbt.save: the portfolio has %d columns (%s); pass column=... or use "
                                 "tape.vectorbt.save_sweep to save one run per column"
                                 % (len(columns), ", ".join(map(repr, columns[:5])) + (", ..." if len(columns) > 5 else "")))
        return pf, columns[0]
    if column not in columns:
        raise TapeValueError("vectorbt.save: no column %r in the portfolio (its columns: %s)"
                             % (column, ", ".join(map(repr, columns[:10]))))
    return (pf, column) if len(columns) == 1 else (pf[column], column)


def _records(records):
    """A records_readable frame without its Column (one run holds one column)."""
    return arrow_frame(records.drop(columns=["Column"], errors="ignore"))


def save(portfolio, path, metadata=None, column=None):
    """Writes one column of `portfolio` (a vectorbt Portfolio; `column` may be left out when it
    has only one) to the Tape run `path` and returns the run summary (dict: tables, metadata,
    metrics). `metadata` adds or overrides keys."""
    pf, label = _single(portfolio, column)
    value = pf.value()
    if getattr(value, "ndim", 1) != 1:
        raise TapeValueError("vectorbt.save: value() of column %r is not one series" % (label,))
    meta = {"library": "vectorbt", "vectorbt.column": json.dumps(_label(label), default=str)}
    init_cash = getattr(pf, "init_cash", None)
    if init_cash is not None and not hasattr(init_cash, "__len__"):
        meta["init_cash"] = float(init_cash)
    meta["vectorbt.stats"] = json.dumps(scalar_stats(pf.stats()), sort_keys=True)
    meta.update(METRIC_COLUMNS)
    meta.update(metadata or {})
    equity = value.rename("equity").rename_axis("ts").reset_index()
    with Writer(path, metadata=meta, expect_bars=len(equity)) as w:
        w.write_batch("equity", arrow_frame(equity))
        w.write_batch("trades", _records(pf.trades.records_readable))
        w.write_batch("orders", _records(pf.orders.records_readable))
    return w.summary


def _file_name(label):
    text = "_".join(map(str, label)) if isinstance(label, tuple) else str(label)
    return re.sub(r"[^A-Za-z0-9._=-]+", "-", text).strip("-.") or "column"


def save_sweep(portfolio, directory, metadata=None):
    """Writes every column of `portfolio` (a parameter grid) as its own run in `directory`
    (created if needed): `<label>.tape`, the label's parts joined by "_" (e.g. `10_30.tape`), with
    the column's grid parameters as metadata keys (their level names, e.g. fast_window = 10), so
    `tape summary directory --where "fast_window = 10"` selects among them. Returns the summaries in
    column order. Two columns whose labels give the same file name raise TapeValueError before
    anything is written."""
    columns = _columns(portfolio)
    names = [_file_name(c) for c in columns]
    seen = {}
    for c, n in zip(columns, names):
        if n in seen:
            raise TapeValueError("vectorbt.save_sweep: columns %r and %r both give the file name %r" % (seen[n], c, n + ".tape"))
        seen[n] = c
    levels = list(getattr(portfolio.wrapper.columns, "names", None) or [])
    os.makedirs(directory, exist_ok=True)
    out = []
    for c, n in zip(columns, names):
        parts = c if isinstance(c, tuple) else (c,)
        params = {str(k): _label(v) for k, v in zip(levels, parts) if k is not None}
        out.append(save(portfolio, os.path.join(directory, n + ".tape"), metadata={**params, **(metadata or {})}, column=c))
    return out
