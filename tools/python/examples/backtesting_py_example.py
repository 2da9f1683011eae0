#!/usr/bin/env python3
"""A real backtesting.py strategy streamed into a .tape file, then queried with the tape CLI.

    pip install backtesting
    python tools/python/examples/backtesting_py_example.py [--out sma_cross.tape] [--tape PATH/TO/tape]

Runs the SmaCross strategy on the GOOG daily bars that backtesting.py ships, writes its equity
curve (`stats._equity_curve`) and trades (`stats._trades`) into one .tape run through
tools/python/tape_writer.py, prints the summary an orchestrator would get back instead of the data,
then reads the run with `tape info`, `tape cat` and `tape sql`.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tape_writer import TapeWriter  # noqa: E402


def run_backtest():
    """The backtest: SMA(10) / SMA(20) crossover on GOOG, 10,000 cash, 0.2% commission."""
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover
    from backtesting.test import GOOG, SMA

    class SmaCross(Strategy):
        n1, n2 = 10, 20

        def init(self):
            self.ma1 = self.I(SMA, self.data.Close, self.n1)
            self.ma2 = self.I(SMA, self.data.Close, self.n2)

        def next(self):
            if crossover(self.ma1, self.ma2):
                self.position.close()
                self.buy()
            elif crossover(self.ma2, self.ma1):
                self.position.close()
                self.sell()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Backtest(GOOG, SmaCross, cash=10_000, commission=0.002).run()


def equity_frame(stats):
    """The equity curve with its time index as a `ts` column."""
    return stats._equity_curve.rename_axis("ts").reset_index()


def stream_to_tape(stats, path, tape_bin=None):
    """Writes the run and returns tape's summary dict."""
    equity = equity_frame(stats)
    metadata = {"strategy": "SmaCross", "symbol": "GOOG", "n1": 10, "n2": 20, "library": "backtesting.py"}
    with TapeWriter(path, metadata=metadata, expect_bars=len(equity), tape_bin=tape_bin, overwrite=True) as w:
        w.write_many("equity", equity)
        w.write_many("trades", stats._trades)
        w.set_metadata(return_pct=float(stats["Return [%]"]), trades=int(stats["# Trades"]))
    return w.summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="sma_cross.tape")
    ap.add_argument("--tape", help="the tape executable (default: TAPE_BIN or PATH)")
    args = ap.parse_args()
    tape = args.tape or os.environ.get("TAPE_BIN") or "tape"

    stats = run_backtest()
    summary = stream_to_tape(stats, args.out, tape_bin=tape)
    print("summary an orchestrator gets back instead of the data:")
    print(json.dumps(summary, indent=2, sort_keys=True))
    for command in (["info", args.out],
                    ["cat", args.out, "trades", "--columns", "EntryTime,ExitTime,Size,PnL", "--limit", "5"],
                    ["cat", args.out, "equity", "--from", "2013-01-01", "--to", "2013-01-08", "--format", "csv"],
                    ["sql", "SELECT date_trunc('year', ts) AS year, arg_max(Equity, ts) AS equity, "
                            "min(DrawdownPct) AS best_dd, max(DrawdownPct) AS worst_dd FROM equity GROUP BY 1 ORDER BY 1", args.out],
                    ["sql", "SELECT Size > 0 AS long, count(*) AS trades, sum(PnL) AS pnl, avg(ReturnPct) AS avg_return "
                            "FROM trades GROUP BY 1 ORDER BY 1", args.out]):
        print(f"\n$ tape {shlex.join(command)}", flush=True)
        subprocess.run([tape] + command, check=True)


if __name__ == "__main__":
    main()
