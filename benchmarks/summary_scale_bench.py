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
  2. measure, each with `/usr/bin/time -f "%e %M"` (wall seconds, peak RSS KB), output to /dev/null:
       first:  caches removed, `tape summary DIR --format csv` (reads every footer, writes the caches)
       next:   the same again (--repeat times; served from the caches)
       top:    `tape summary DIR --sort -sharpe --top 20` with the caches
       nocache: `--cache off` (every footer read, nothing written)
  Prints a Markdown table row per measurement; paste into benchmarks/RESULTS.md.
Nothing here is part of `make test` / `swift test`.
"""
import argparse
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr[-2000:]}")
    wall, kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kb) // 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(ROOT, "benchmarks", "data", "summary-scale"))
    ap.add_argument("--tape", default=os.path.join(ROOT, ".build", "release", "tape"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "benchmarks", "swift", ".build", "release", "tape-bench"))
    ap.add_argument("--generator", choices=["tape-bench", "copies"], default="tape-bench")
    a = ap.parse_args()
    data = os.path.join(a.data, f"runs-{a.runs}")
    if not os.path.exists(os.path.join(a.data, f"done-{a.runs}")):
        if a.generator == "copies":
            subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "many_runs_gen.py"), data, "--runs", str(a.runs),
                            "--dirs", str(a.dirs), "--templates", "150", "--tape", a.tape], check=True)
        else:
            subprocess.run([a.bench, "runs", data, "--count", str(a.runs), "--dirs", str(a.dirs)], check=True)
        open(os.path.join(a.data, f"done-{a.runs}"), "w").close()
    base = [a.tape, "summary", data, "--format", "csv", "-o", os.devnull]
    subprocess.run(base + ["--cache", "off"], stdout=subprocess.DEVNULL, check=True)  # page cache warm
    for c in glob.glob(os.path.join(data, "*", ".tape-summary.cache")):
        os.remove(c)
    rows = [("first run (no cache: every footer read, caches written)", timed(base))]
    for i in range(a.repeat):
        rows.append((f"next run {i + 1} (from the caches)", timed(base)))
    rows.append(("`--sort -sharpe --top 20`, from the caches", timed([a.tape, "summary", data, "--sort", "-sharpe", "--top", "20"])))
    rows.append(("`--cache off` (every footer read)", timed(base + ["--cache", "off"])))
    for name, (wall, mb) in rows:
        print(f"| {a.runs:,} runs | {name} | {wall:.2f} s | {mb} MB |")


if __name__ == "__main__":
    main()
