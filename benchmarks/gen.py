"""Deterministic generator of the benchmark data: one backtest run of 1-minute bars.

Writes raw column files that both writers under test read, so Tape and Parquet get the same values:

    data/<rows>/manifest.json             generator version, seed, rows, table order
    data/<rows>/<table>/schema.json       columns: name, type, nullable, file
    data/<rows>/<table>/<column>.i64      int64 / timestamp (ns since epoch, UTC): little-endian 8 bytes
    data/<rows>/<table>/<column>.f64      float64: little-endian IEEE-754
    data/<rows>/<table>/<column>.u8       bool: 1 byte per row (0 / 1)
    data/<rows>/<table>/<column>.txt      string: UTF-8, one value per line ("\\n" after every value,
                                          values never contain a newline; a null row is an empty line)
    data/<rows>/<table>/<column>.valid    nullable columns only: 1 byte per row, 1 = present

The run: `rows` bars from 2020-01-01T00:00:00Z, one a minute without gaps.
  equity     one row per bar: ts, equity, cash, position, price. price is a random walk rounded to
             cents starting near 100.00; position (shares) changes only when a trade opens or closes;
             cash and equity = cash + position * price are exact cents.
  decisions  one row per bar: ts, symbol (5 symbols), action (hold / buy / sell, ~99% hold),
             confidence (full-precision float in [0, 1]), signal (an indicator z-score, full
             precision), blocked (true for ~0.2% of bars, which then do not trade), reason (a
             low-cardinality string, null when the action is hold).
  trades     about one per 200 bars: entry_ts, exit_ts, symbol, side (long / short), qty, entry_price,
             exit_price, pnl, fees (all money in exact cents).

Everything derives from one fixed seed, so a given `rows` always yields identical bytes.
Usage: python gen.py ROWS [--data DIR] [--force]   (needs numpy)
"""

import argparse
import json
import os
import shutil
import sys
import time

import numpy as np

GENERATOR_VERSION = 1
SEED = 20200101
T0_NS = 1_577_836_800 * 1_000_000_000  # 2020-01-01T00:00:00Z
BAR_NS = 60 * 1_000_000_000
START_CASH_CENTS = 100_000_00
SYMBOLS = ["AAPL", "MSFT", "NVDA", "SPY", "QQQ"]
ACTIONS = ["hold", "buy", "sell"]
ENTRY_REASONS = ["sma_cross_up", "sma_cross_down"]  # long, short
EXIT_REASONS = ["take_profit", "stop_loss", "signal_reversal", "time_exit"]
BLOCK_REASONS = ["risk_limit", "cooldown", "max_exposure"]

TABLES = {
    "equity": [
        ("ts", "timestamp", False),
        ("equity", "float64", False),
        ("cash", "float64", False),
        ("position", "int64", False),
        ("price", "float64", False),
    ],
    "decisions": [
        ("ts", "timestamp", False),
        ("symbol", "string", False),
        ("action", "string", False),
        ("confidence", "float64", False),
        ("signal", "float64", False),
        ("blocked", "bool", False),
        ("reason", "string", True),
    ],
    "trades": [
        ("entry_ts", "timestamp", False),
        ("exit_ts", "timestamp", False),
        ("symbol", "string", False),
        ("side", "string", False),
        ("qty", "int64", False),
        ("entry_price", "float64", False),
        ("exit_price", "float64", False),
        ("pnl", "float64", False),
        ("fees", "float64", False),
    ],
}

EXTENSION = {"int64": "i64", "timestamp": "i64", "float64": "f64", "bool": "u8", "string": "txt"}


def manifest_for(rows):
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "rows": rows,
        "tables": list(TABLES),
    }


def simulate(rows):
    """Returns {table: {column: (values, valid_or_None)}}; string columns as (labels, codes)."""
    rng = np.random.default_rng(SEED)
    n = rows
    ts = T0_NS + np.arange(n, dtype=np.int64) * BAR_NS

    # Price: geometric random walk, ~0.03% per minute, rounded to cents.
    log_ret = rng.normal(0.0, 0.0003, n)
    log_ret[0] = 0.0
    price_c = np.rint(10_000.0 * np.exp(np.cumsum(log_ret))).astype(np.int64)
    np.maximum(price_c, 1, out=price_c)

    # Trades: 2 events per trade on distinct bars (never bar 0), entry then exit.
    n_trades = n // 200
    events = np.sort(rng.choice(np.arange(1, n, dtype=np.int64), size=2 * n_trades, replace=False))
    entry, exit_ = events[0::2], events[1::2]
    entry_c, exit_c = price_c[entry], price_c[exit_]
    # A strategy with a small edge: it picks the side the price will move to 55% of the time.
    move = np.where(exit_c >= entry_c, 1, -1).astype(np.int64)
    side = np.where(rng.random(n_trades) < 0.55, move, -move)
    qty = rng.integers(1, 51, n_trades, dtype=np.int64) * 10
    # Commission: half a cent per share, at least 1.00, on entry and on exit.
    fee_in = np.maximum(100, np.rint(qty * 0.5).astype(np.int64))
    fee_out = fee_in
    fees_c = fee_in + fee_out
    pnl_c = side * qty * (exit_c - entry_c) - fees_c

    pos_delta = np.zeros(n, dtype=np.int64)
    pos_delta[entry] += side * qty
    pos_delta[exit_] -= side * qty
    position = np.cumsum(pos_delta)
    cash_delta = np.zeros(n, dtype=np.int64)
    cash_delta[entry] += -side * qty * entry_c - fee_in
    cash_delta[exit_] += side * qty * exit_c - fee_out
    cash_c = START_CASH_CENTS + np.cumsum(cash_delta)
    equity_c = cash_c + position * price_c

    # Decisions.
    symbol = rng.integers(0, len(SYMBOLS), n, dtype=np.int64)
    symbol[exit_] = symbol[entry]
    action = np.zeros(n, dtype=np.int64)  # hold
    action[entry] = np.where(side > 0, 1, 2)
    action[exit_] = np.where(side > 0, 2, 1)
    reason = np.full(n, -1, dtype=np.int64)  # -1 = null
    reason[entry] = np.where(side > 0, 0, 1)
    reason[exit_] = len(ENTRY_REASONS) + rng.integers(0, len(EXIT_REASONS), n_trades)
    blocked = np.zeros(n, dtype=np.uint8)
    cand = rng.choice(n, size=n // 500, replace=False)
    cand = cand[~np.isin(cand, events)]
    blocked[cand] = 1
    action[cand] = rng.integers(1, 3, cand.size)
    reason[cand] = len(ENTRY_REASONS) + len(EXIT_REASONS) + rng.integers(0, len(BLOCK_REASONS), cand.size)
    confidence = rng.beta(2.0, 2.0, n)
    # Signal: a 20-bar moving sum of noise, normalised (an indicator z-score), plus measurement noise.
    noise = rng.normal(0.0, 1.0, n + 20)
    cs = np.cumsum(noise)
    signal = (cs[20:] - cs[:-20]) / np.sqrt(20.0) + rng.normal(0.0, 0.05, n)

    reasons = ENTRY_REASONS + EXIT_REASONS + BLOCK_REASONS
    return {
        "equity": {
            "ts": (ts, None),
            "equity": (equity_c / 100.0, None),
            "cash": (cash_c / 100.0, None),
            "position": (position, None),
            "price": (price_c / 100.0, None),
        },
        "decisions": {
            "ts": (ts, None),
            "symbol": ((SYMBOLS, symbol), None),
            "action": ((ACTIONS, action), None),
            "confidence": (confidence, None),
            "signal": (signal, None),
            "blocked": (blocked, None),
            "reason": ((reasons, np.maximum(reason, 0)), (reason >= 0).astype(np.uint8)),
        },
        "trades": {
            "entry_ts": (ts[entry], None),
            "exit_ts": (ts[exit_], None),
            "symbol": ((SYMBOLS, symbol[entry]), None),
            "side": ((["long", "short"], np.where(side > 0, 0, 1)), None),
            "qty": (qty, None),
            "entry_price": (entry_c / 100.0, None),
            "exit_price": (exit_c / 100.0, None),
            "pnl": (pnl_c / 100.0, None),
            "fees": (fees_c / 100.0, None),
        },
    }


def write_column(path, kind, values, valid):
    if kind == "string":
        labels, codes = values
        encoded = np.array([s.encode() + b"\n" for s in labels] + [b"\n"], dtype=object)
        idx = codes if valid is None else np.where(valid == 1, codes, len(labels))
        with open(path, "wb") as f:
            step = 1 << 20
            for i in range(0, len(idx), step):
                f.write(b"".join(encoded[idx[i:i + step]].tolist()))
    elif kind == "bool":
        np.asarray(values, dtype=np.uint8).tofile(path)
    elif kind == "float64":
        np.asarray(values, dtype="<f8").tofile(path)
    else:
        np.asarray(values, dtype="<i8").tofile(path)


def generate(rows, data_root, force=False):
    """Creates data_root/<rows> unless it already holds a complete set with a matching manifest."""
    out = os.path.join(data_root, str(rows))
    manifest_path = os.path.join(out, "manifest.json")
    want = manifest_for(rows)
    if not force and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            have = json.load(f)
        if have == want:
            return out, False
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    tables = simulate(rows)
    for table, cols in TABLES.items():
        tdir = os.path.join(out, table)
        os.makedirs(tdir)
        schema = []
        n = None
        for name, kind, nullable in cols:
            values, valid = tables[table][name]
            fname = f"{name}.{EXTENSION[kind]}"
            write_column(os.path.join(tdir, fname), kind, values, valid)
            entry = {"name": name, "type": kind, "nullable": nullable, "file": fname}
            if nullable:
                entry["valid"] = f"{name}.valid"
                np.asarray(valid, dtype=np.uint8).tofile(os.path.join(tdir, entry["valid"]))
            schema.append(entry)
            n = len(values[1]) if kind == "string" else len(values)
        with open(os.path.join(tdir, "schema.json"), "w") as f:
            json.dump({"table": table, "rows": int(n), "columns": schema}, f, indent=1)
    # The manifest is written last: its presence marks a complete set.
    with open(manifest_path, "w") as f:
        json.dump(want, f, indent=1)
    return out, True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--force", action="store_true", help="regenerate even if a matching set exists")
    args = ap.parse_args()
    t = time.monotonic()
    out, made = generate(args.rows, args.data, args.force)
    print(f"{out}: {'generated' if made else 'up to date'} in {time.monotonic() - t:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
