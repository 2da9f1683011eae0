#!/usr/bin/env python3
"""`tape report`: size, time and peak RSS of the three kinds of report.

    python3 benchmarks/report_bench.py [--bars 5000000] [--runs 10000] [--repeat 3] [--skip-build] [--no-write]

Steps:
  1. build: `swift build -c release --product tape` (skip with --skip-build).
  2. data (under benchmarks/data/report/, reused while its .done markers exist):
     - one run: `tape demo --bars N` (5,000,000 1-minute bars ≈ 9.5 years: equity with positions,
       decisions, trades);
     - a sweep: 100 distinct `tape demo --bars 2000 --fast F --slow S` runs (F in 2..20 step 2,
       S in 30..300 step 30), copied to --runs files in 100 sub-directories.
  3. measure, --repeat times each (page cache warm after an untimed first run), wall time and peak
     RSS (`/usr/bin/time -f %M`): `tape report RUN --out one.html`, `tape report` of 5 runs of the
     sweep (comparison), `tape report DIR --heatmap fast,slow --metric sharpe`. The median goes into
     benchmarks/RESULTS.md between `<!-- BEGIN report -->` and `<!-- END report -->`.
Targets (issue 12): one 5M-bar run ≤ 2 MB of HTML with peak RSS ≤ 64 MB; 10,000-run sweep ≤ 5 s.
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
OUT = os.path.join(ROOT, "benchmarks", "data", "report")   # ignored by git


def tape_binary(skip_build):
    if not skip_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "tape"], cwd=ROOT, check=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_dir, "tape")


def one_run(tape, bars):
    d = os.path.join(OUT, f"one-{bars}")
    if not os.path.exists(d + ".done"):
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([tape, "demo", d, "--bars", str(bars)], check=True, stdout=subprocess.DEVNULL)
        open(d + ".done", "w").close()
    return os.path.join(d, "demo.tape")


def sweep(tape, runs):
    d = os.path.join(OUT, f"sweep-{runs}")
    if os.path.exists(d + ".done"):
        return d
    shutil.rmtree(d, ignore_errors=True)
    seeds = os.path.join(OUT, "sweep-seeds")
    if not os.path.exists(seeds + ".done"):
        shutil.rmtree(seeds, ignore_errors=True)
        for fast in range(2, 21, 2):
            for slow in range(30, 301, 30):
                subprocess.run([tape, "demo", os.path.join(seeds, f"f{fast}-s{slow}"), "--bars", "2000", "--fast", str(fast),
                                "--slow", str(slow)], check=True, stdout=subprocess.DEVNULL)
        open(seeds + ".done", "w").close()
    sources = sorted(os.path.join(seeds, x, "demo.tape") for x in os.listdir(seeds))
    for i in range(runs):
        sub = os.path.join(d, f"{i % 100:02d}")
        os.makedirs(sub, exist_ok=True)
        shutil.copyfile(sources[i % len(sources)], os.path.join(sub, f"run{i:05d}.tape"))
    open(d + ".done", "w").close()
    return d


def measure(cmd, repeat):
    """Median and max wall seconds, and the largest peak RSS (KB), of `cmd` run `repeat` times."""
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    times, peaks = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "PEAK_KB=%M"] + cmd, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        peaks.append(int([l for l in p.stderr.splitlines() if l.startswith("PEAK_KB=")][-1].split("=")[1]))
    return statistics.median(times), max(times), max(peaks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    a = ap.parse_args()
    tape = tape_binary(a.skip_build)
    run = one_run(tape, a.bars)
    sweep_dir = sweep(tape, a.runs)
    html = os.path.join(OUT, "out")
    os.makedirs(html, exist_ok=True)
    five = [os.path.join(sweep_dir, "00", f"run{i:05d}.tape") for i in (0, 100, 200, 300, 400)]
    cases = [
        (f"one run, {a.bars:,} 1-minute bars ({os.path.getsize(run) / 1e6:.0f} MB .tape)", [tape, "report", run, "--out", os.path.join(html, "one.html")], "one.html"),
        ("5 runs compared (2,000 bars each)", [tape, "report", *five, "--out", os.path.join(html, "five.html")], "five.html"),
        (f"sweep of {a.runs:,} runs, --heatmap fast,slow (footers only)",
         [tape, "report", sweep_dir, "--heatmap", "fast,slow", "--out", os.path.join(html, "sweep.html")], "sweep.html"),
    ]
    rows = []
    for label, cmd, out in cases:
        med, worst, peak = measure(cmd, a.repeat)
        size = os.path.getsize(os.path.join(html, out))
        rows.append(f"| {label} | {size / 1e6:.2f} MB | {med:.2f} s | {worst:.2f} s | {peak / 1024:.1f} MB |")
        print(rows[-1])
    if a.no_write:
        return
    section = "\n".join([
        "<!-- BEGIN report -->",
        "## `tape report`",
        "",
        f"`python3 benchmarks/report_bench.py` ({time.strftime('%Y-%m-%d')}, release build, {os.cpu_count()} cores, page cache "
        f"warm, {a.repeat} timed runs; peak RSS by `/usr/bin/time -f %M`). Targets: a 5M-bar run gives ≤ 2 MB of HTML with "
        "peak RSS ≤ 64 MB; a 10,000-run sweep takes ≤ 5 s.",
        "",
        "| report | HTML size | median | max | peak RSS |",
        "|---|---|---|---|---|",
        *rows,
        "<!-- END report -->",
    ])
    path = os.path.join(ROOT, "benchmarks", "RESULTS.md")
    text = open(path).read()
    if "<!-- BEGIN report -->" in text:
        a0 = text.index("<!-- BEGIN report -->")
        b0 = text.index("<!-- END report -->") + len("<!-- END report -->")
        text = text[:a0] + section + text[b0:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)
    print(f"updated {path}")


if __name__ == "__main__":
    sys.exit(main())
