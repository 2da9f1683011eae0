"""A stand-in for vectorbt 1.2.0's Portfolio (vectorbt is too heavy for the test environment; see
README): `Portfolio.from_signals(close, entries, exits, init_cash)` simulates long-only trades
entered and exited at the close on signal days, all cash in, and hands out what tape.vectorbt
reads with vectorbt 1.2.0's names, columns, dtypes and index: `value()`, `trades` and `orders`
(`.records_readable`), `stats()`, `init_cash`, `wrapper.columns`, `pf[column]`. The frames'
columns were recorded from vectorbt 1.2.0 on this machine. `entries`/`exits` may be DataFrames
(a parameter grid: one portfolio column per frame column)."""
import sys
import types

import numpy as np
import pandas as pd


class _Records:
    def __init__(self, records):
        self.records_readable = records


class _Wrapper:
    def __init__(self, columns):
        self.columns = columns


def _simulate(close, entries, exits, init_cash, column):
    cash, size, entry, trades, orders, value = float(init_cash), 0.0, None, [], [], []
    for t, price, e, x in zip(close.index, close.to_numpy(), entries.to_numpy(), exits.to_numpy()):
        if size == 0 and e:
            size, entry = cash / price, (t, price)
            orders.append((t, size, price, "Buy"))
            cash = 0.0
        elif size > 0 and x:
            cash = size * price
            orders.append((t, size, price, "Sell"))
            trades.append((size, entry[0], entry[1], t, price, size * (price - entry[1]), price / entry[1] - 1, "Closed"))
            size = 0.0
        value.append(cash + size * price)
    if size > 0:                     # vectorbt reports the position still open at the last bar
        t, price = close.index[-1], close.iloc[-1]
        trades.append((size, entry[0], entry[1], t, price, size * (price - entry[1]), price / entry[1] - 1, "Open"))
    n, m = len(trades), len(orders)
    col = lambda rows, i: [r[i] for r in rows]
    ts_type = close.index.dtype
    trades = pd.DataFrame({
        "Exit Trade Id": np.arange(n, dtype="int64"),
        "Column": pd.Series([column] * n, dtype=object),
        "Size": pd.Series(col(trades, 0), dtype="float64"),
        "Entry Timestamp": pd.DatetimeIndex(col(trades, 1), dtype=ts_type),
        "Avg Entry Price": pd.Series(col(trades, 2), dtype="float64"),
        "Entry Fees": np.zeros(n),
        "Exit Timestamp": pd.DatetimeIndex(col(trades, 3), dtype=ts_type),
        "Avg Exit Price": pd.Series(col(trades, 4), dtype="float64"),
        "Exit Fees": np.zeros(n),
        "PnL": pd.Series(col(trades, 5), dtype="float64"),
        "Return": pd.Series(col(trades, 6), dtype="float64"),
        "Direction": pd.Series(["Long"] * n, dtype=object),
        "Status": pd.Series(col(trades, 7), dtype=object),
        "Position Id": np.arange(n, dtype="int64"),
    })
    orders = pd.DataFrame({
        "Order Id": np.arange(m, dtype="int64"),
        "Column": pd.Series([column] * m, dtype=object),
        "Timestamp": pd.DatetimeIndex(col(orders, 0), dtype=ts_type),
        "Size": pd.Series(col(orders, 1), dtype="float64"),
        "Price": pd.Series(col(orders, 2), dtype="float64"),
        "Fees": np.zeros(m),
        "Side": pd.Series(col(orders, 3), dtype=object),
    })
    return pd.Series(value, index=close.index, name=column), trades, orders


class Portfolio:
    def __init__(self, values, trades, orders, init_cash):
        self._values, self._trades, self._orders = values, trades, orders       # dicts by column
        self.init_cash = init_cash
        self.wrapper = _Wrapper(values.columns)

    @classmethod
    def from_signals(cls, close, entries, exits, init_cash=100.0, freq=None):
        if isinstance(entries, pd.Series):
            entries, exits = entries.to_frame(close.name), exits.to_frame(close.name)
        values, trades, orders = {}, [], []
        for c in entries.columns:
            v, t, o = _simulate(close, entries[c], exits[c], init_cash, c)
            values[c] = v
            trades.append(t)
            orders.append(o)
        frame = pd.DataFrame(values, index=close.index)
        frame.columns = entries.columns
        return cls(frame, pd.concat(trades, ignore_index=True), pd.concat(orders, ignore_index=True), init_cash)

    def __getitem__(self, column):
        keep = lambda df: df[df["Column"].map(lambda c: c == column)].reset_index(drop=True)
        frame = self._values[[column]]
        return Portfolio(frame, keep(self._trades), keep(self._orders), self.init_cash)

    def value(self):
        if len(self.wrapper.columns) == 1:
            return self._values.iloc[:, 0].rename(self.wrapper.columns[0])
        return self._values

    @property
    def trades(self):
        return _Records(self._trades)

    @property
    def orders(self):
        return _Records(self._orders)

    def stats(self):
        assert len(self.wrapper.columns) == 1, "the stand-in's stats() covers one column"
        v = self.value()
        return pd.Series({
            "Start": v.index[0], "End": v.index[-1], "Period": v.index[-1] - v.index[0],
            "Start Value": float(self.init_cash), "End Value": float(v.iloc[-1]),
            "Total Return [%]": (v.iloc[-1] / self.init_cash - 1) * 100,
            "Total Trades": len(self._trades), "Sharpe Ratio": np.float64(np.nan),
        }, dtype=object)


def install(monkeypatch):
    """Makes `import vectorbt` give this stand-in for the test."""
    module = types.ModuleType("vectorbt")
    module.Portfolio = Portfolio
    monkeypatch.setitem(sys.modules, "vectorbt", module)
    return module
