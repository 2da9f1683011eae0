#!/usr/bin/env python3
"""Writes N small runs for `tape summary` at scale, fast, with only the `tape` binary:

    python3 benchmarks/many_runs_gen.py DIR --runs 1000000 --dirs 1000 [--templates 150] [--tape PATH]

`--templates` distinct 30-bar runs (daily equity, 4 trades, metadata strategy/symbol/fast/slow/
seed, metrics stored at close, zstd) are written through `tape ingest`, then each of the N files
DIR/dNNN/runNNNNNNN.tape is a byte copy of template i % templates (one create + write each, no
fsync): writing a million through the writer would take minutes; copies take well under one.
Runs share content in groups (run ids come from file names), which changes nothing for summary's
cost per file. Nothing here is part of `make test`.
"""
import argparse
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def template(tape, path, i):
    rng = random.Random(i)
    lines = [json.dumps({"$schema": "equity", "ts": "timestamp!", "equity": "float64"}),
             json.dumps({"$schema": "trades", "ts": "timestamp!", "pnl": "float64"})]
    e = 10_000.0
    for b in range(30):
        e *= 1 + (rng.random() - 0.49) * 0.02
        lines.append(json.dumps({"$table": "equity", "ts": f"2024-01-{b + 1:02d}T00:00:00Z", "equity": e}))
    for t in range(4):
        lines.append(json.dumps({"$table": "trades", "ts": f"2024-01-{t * 7 + 2:02d}T00:00:00Z", "pnl": (rng.random() - 0.45) * 200}))
    lines.append(json.dumps({"$close": True}))
    meta = {"strategy": ["sma", "breakout", "meanrev"][i % 3], "symbol": ["SPY", "QQQ", "IWM", "TLT"][i % 4],
            "fast": 5 + i % 20, "slow": 20 + (i // 20) % 50, "seed": i}
    args = [tape, "ingest", path] + [a for k, v in meta.items() for a in ("--metadata", f"{k}={v}")]
    subprocess.run(args, input="\n".join(lines) + "\n", text=True, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--dirs", type=int, default=1000)
    ap.add_argument("--templates", type=int, default=150)
    ap.add_argument("--tape", default=os.path.join(ROOT, ".build", "release", "tape"))
    a = ap.parse_args()
    tdir = os.path.join(a.dir, "templates")
    os.makedirs(tdir, exist_ok=True)
    blobs = []
    for i in range(min(a.templates, a.runs)):
        p = os.path.join(tdir, f"t{i:05d}.tape.tmpl")
        if not os.path.exists(p):
            template(a.tape, p + ".part", i)
            os.rename(p + ".part", p)
        with open(p, "rb") as f:
            blobs.append(f.read())
    for d in range(a.dirs):
        os.makedirs(os.path.join(a.dir, f"d{d:03d}"), exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for i in range(a.runs):
        fd = os.open(os.path.join(a.dir, f"d{i % a.dirs:03d}", f"run{i:07d}.tape"), flags, 0o644)
        os.write(fd, blobs[i % len(blobs)])
        os.close(fd)
        if i % 100_000 == 0:
            print(f"{i:,} runs", file=sys.stderr)
    print(f"{a.runs:,} runs in {a.dirs} directories under {a.dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
