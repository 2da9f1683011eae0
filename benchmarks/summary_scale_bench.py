#!/usr/bin/env python3
"""`tape summary` over 100,000 and 1,000,000 small runs (issue 12 target: ≤ 3 s whole process and
≤ 256 MB peak RSS for 1,000,000 runs, first run and next ones).

    python3 benchmarks/summary_scale_bench.py [--runs 100000] [--dirs 100] [--repeat 3] [--data DIR]

Steps:
  1. data: `tape-bench runs DIR --count N --dirs D` (benchmarks/swift; build it with
     `swift build -c release --package-path benchmarks/swift --scratch-path benchmarks/swift/.build`)
     writes N distinct 30-bar runs (metrics stored at close, metadata strategy/symbol/fast/slow/seed)
     over D directories, in parallel; reused while DIR/done-N exists. `--generator copies` uses
     benchmarks/many_runs_gen.py instead (only the `tape` binary: 150 distinct runs through
     `tape ingest`, byte-copied to N files; a million in about two minutes).
     (`--corpus DIR` measures an existing directory instead.)
  2. measure, each `--repeat` times (median printed) with `/usr/bin/time -f "%e %U %S %M"` (wall,
     user + sys CPU, peak RSS), output to /dev/null:
       first:  caches removed, `tape summary DIR --format csv` (reads every footer, writes the caches)
       next:   the same again (served from the caches)
       top:    `tape summary DIR --sort -sharpe --top 20` with the caches
       nocache: `--cache off` (every footer read, nothing written)
  Prints a Markdown table row per measurement, with the 1-minute load average before each run;
  paste into benchmarks/RESULTS.md.
Nothing here is part of `make test` / `swift test`.
"""
import argparse
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    """One run of `cmd` under /usr/bin/time: (wall s, user + sys CPU s, peak RSS MB)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr[-2000:]}")
    wall, user, sys_, kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(kb) // 1024


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def median_of(n, run):
    """Medians (each figure separately) of `n` runs of `run()`, and the load averages seen."""
    results, loads = [], []
    for _ in range(n):
        loads.append(load_average())
        results.append(run())
    return tuple(sorted(x[i] for x in results)[len(results) // 2] for i in range(3)), loads


def remove_caches(data):
    for root, _, files in os.walk(data):
        if ".tape-summary.cache" in files:
            os.remove(os.path.join(root, ".tape-summary.cache"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is printed)")
    ap.add_argument("--data", default=os.path.join(ROOT, "benchmarks", "data", "summary-scale"))
    ap.add_argument("--corpus", help="an existing directory of runs to measure (no generation)")
    ap.add_argument("--tape", default=os.path.join(ROOT, ".build", "release", "tape"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "benchmarks", "swift", ".build", "release", "tape-bench"))
    ap.add_argument("--generator", choices=["tape-bench", "copies"], default="tape-bench")
    ap.add_argument("--skip-nocache", action="store_true", help="skip the `--cache off` measurement")
    a = ap.parse_args()
    if a.corpus:
        data = a.corpus
    else:
        data = os.path.join(a.data, f"runs-{a.runs}")
        if not os.path.exists(os.path.join(a.data, f"done-{a.runs}")):
            if a.generator == "copies":
                subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "many_runs_gen.py"), data, "--runs", str(a.runs),
                                "--dirs", str(a.dirs), "--templates", "150", "--tape", a.tape], check=True)
            else:
                subprocess.run([a.bench, "runs", data, "--count", str(a.runs), "--dirs", str(a.dirs)], check=True)
            open(os.path.join(a.data, f"done-{a.runs}"), "w").close()
    base = [a.tape, "summary", data, "--format", "csv", "-o", os.devnull]
    top = [a.tape, "summary", data, "--sort", "-sharpe", "--top", "20", "-o", os.devnull]

    def first():
        remove_caches(data)
        return timed(base)

    rows = [("first run, all rows as CSV (no caches: every footer read, caches written)", median_of(a.repeat, first))]
    rows.append(("next run, all rows as CSV (from the caches)", median_of(a.repeat, lambda: timed(base))))
    rows.append(("next run, `--sort -sharpe --top 20` (from the caches)", median_of(a.repeat, lambda: timed(top))))
    if not a.skip_nocache:
        rows.append(("`--cache off`, all rows as CSV (every footer read, nothing written)", median_of(a.repeat, lambda: timed(base + ["--cache", "off"]))))
    for name, ((wall, cpu, mb), loads) in rows:
        print(f"| {a.runs:,} runs | {name} | {wall:.2f} s | {cpu:.2f} s | {mb} MB | {', '.join(loads)} |")


if __name__ == "__main__":
    main()
