#!/usr/bin/env python3
"""`tape summary` over 10,000 small runs (target: at most 1 s).

    python3 benchmarks/summary_bench.py [--runs 10000] [--repeat 5] [--skip-build] [--no-write]

Steps:
  1. build: `swift build -c release --product tape` (skip with --skip-build).
  2. data: benchmarks/data/summary/runs/ gets --runs small runs: 20 distinct `tape demo --bars 2000
     --seed S` runs (equity, decisions, trades; metrics stored at close), copied to --runs files in
     100 sub-directories (reused while benchmarks/data/summary/runs-N.done exists).
  3. measure: `tape summary DIR --format csv -o /dev/null`, --repeat times each (page cache warm
     after the first, untimed, run); the median wall time goes into benchmarks/RESULTS.md between
     `<!-- BEGIN summary -->` and `<!-- END summary -->`.
Nothing here is part of `make test` / `swift test`.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "benchmarks", "data", "summary")   # ignored by git


def tape_binary(skip_build):
    if not skip_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "tape"], cwd=ROOT, check=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_dir, "tape")


def make_runs(tape, runs):
    runs_dir = os.path.join(OUT, "runs")
    marker = os.path.join(OUT, f"runs-{runs}.done")
    if os.path.exists(marker):
        return runs_dir
    shutil.rmtree(OUT, ignore_errors=True)
    seeds = os.path.join(OUT, "seeds")
    os.makedirs(seeds)
    for s in range(20):
        d = os.path.join(seeds, str(s))
        subprocess.run([tape, "demo", d, "--bars", "2000", "--seed", str(s + 1)], check=True, stdout=subprocess.DEVNULL)
    for i in range(runs):
        d = os.path.join(runs_dir, f"{i % 100:02d}")
        os.makedirs(d, exist_ok=True)
        shutil.copyfile(os.path.join(seeds, str(i % 20), "demo.tape"), os.path.join(d, f"run{i:05d}.tape"))
    open(marker, "w").close()
    return runs_dir


def time_summary(tape, directory, repeat):
    cmd = [tape, "summary", directory, "--format", "csv", "-o", os.devnull]
    subprocess.run(cmd, check=True)  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    a = ap.parse_args()
    tape = tape_binary(a.skip_build)
    runs_dir = make_runs(tape, a.runs)
    times = time_summary(tape, runs_dir, a.repeat)
    med = statistics.median(times)
    line = (f"| {a.runs:,} runs (2,000-bar demo runs, ~{os.path.getsize(os.path.join(runs_dir, '00', 'run00000.tape')) // 1024} KB each), "
            f"metrics stored | {med:.3f} s | {min(times):.3f} s | {max(times):.3f} s |")
    print(line)
    if a.no_write:
        return
    section = "\n".join([
        "<!-- BEGIN summary -->",
        "## `tape summary` over many runs",
        "",
        f"`python3 benchmarks/summary_bench.py` ({time.strftime('%Y-%m-%d')}, release build, {os.cpu_count()} cores, "
        f"page cache warm, {a.repeat} timed runs): `tape summary DIR --format csv` reads each run's trailer and "
        "footer only, two files at a time. Target: at most 1 s for 10,000 runs.",
        "",
        "| data | median | min | max |",
        "|---|---|---|---|",
        line,
        "<!-- END summary -->",
    ])
    path = os.path.join(ROOT, "benchmarks", "RESULTS.md")
    text = open(path).read()
    if "<!-- BEGIN summary -->" in text:
        a0 = text.index("<!-- BEGIN summary -->")
        b0 = text.index("<!-- END summary -->") + len("<!-- END summary -->")
        text = text[:a0] + section + text[b0:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)
    print(f"updated {path}")


if __name__ == "__main__":
    sys.exit(main())
