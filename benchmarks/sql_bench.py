#!/usr/bin/env python3
"""SQL benchmark: Tape's query engine (TapeQuery, `tape sql`) against DuckDB over Parquet, same data.

    python3 benchmarks/sql_bench.py [--rows 1000000,10000000] [--repeat 5] [--skip-build]

Steps (all from this one command; reuses run.py's venv, build and data steps):
  1. venv: benchmarks/.venv (pyarrow, numpy, duckdb), as run.py; re-runs itself inside it.
  2. build: `tape-bench` (benchmarks/swift, release) and the `tape` CLI (`swift build -c release
     --product tape` in the repository root); --skip-build uses the binaries already built.
  3. data: gen.py data sets, and for each the files the write benchmark makes in out/<rows>/
     (`tape-batch.tape` via `tape-bench write`, `<table>.default|tuned.parquet` via pq_bench.py),
     made here only when missing. The 100-run set for query 6: data/<rows0>/ (the smallest row
     count) split into 100 consecutive slices, each written as its own .tape run (`tape-bench
     write`, all three tables) and as a trades Parquet file (default and tuned) with a `run` column
     holding the same run id (the .tape file's name), in out/runs100/; for the join queries also
     decisions Parquet files per run (with `run`) and runs.parquet (run, strategy: what Tape's
     virtual `runs` table holds for these files).
  4. in-process: per query and data set, `tape-bench query` (Query(sql:paths:options:) + run with
     every batch consumed, --threads 1 and 2, warm-up run then --repeat timed runs) and DuckDB in
     this process (duckdb.connect(), `SET threads=1` and the default thread count, over default and
     tuned Parquet via read_parquet; con.sql(sql).to_arrow_table(), warm-up then --repeat runs).
     Extra rows: the slice on a .tape file with 8,192-row chunks (tape-8k-chunks.tape), daily last
     equity with DuckDB's SQL rewritten around its slow TIMESTAMPTZ_NS cast, and diagnostic queries
     on the largest data set (--no-probes skips them) that show where Tape's time goes.
  5. whole-process: `tape sql SQL FILES -f csv > /dev/null` against a one-shot `python -c` process
     that imports duckdb, runs the query over tuned Parquet and writes CSV (COPY … TO
     '/dev/stdout') to /dev/null (default threads in both), --repeat runs each.
  6. check: `tape sql -f csv` output against DuckDB's rows (row counts; numbers within 1e-9
     relative; strings and timestamps equal).
  7. report: RESULTS.md between `<!-- BEGIN sql -->` and `<!-- END sql -->`; every sample in
     out/sql-results.json.

Medians of --repeat runs; files are in the page cache (warm reads). Nothing here is part of
`make test` / `swift test`.
"""

import argparse
import csv
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as write_bench  # noqa: E402  (venv, build, data and report helpers of the write benchmark)

REPO = write_bench.REPO
OUT = write_bench.OUT
DATA = write_bench.DATA
TAPE_CLI = os.environ.get("TAPE_CLI") or os.path.join(REPO, ".build", "release", "tape")  # TAPE_CLI= overrides (result checks only)
RUNS100 = os.path.join(OUT, "runs100")
BEGIN, END = "<!-- BEGIN sql -->", "<!-- END sql -->"
T0 = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)  # gen.py's first bar
RUN_COUNT = 100
SMALL_CHUNK = 8192  # rows per chunk of the second .tape file, to show what the slice costs with smaller chunks
FULL_SCANS = {"agg4", "groupby_action", "daily_last", "daily_last_int"}


def log(msg):
    print(f"[sql-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- queries


def middle_day(rows):
    """The UTC day of the middle bar, and the day after, as 'YYYY-MM-DD'."""
    day = (T0 + datetime.timedelta(minutes=rows // 2)).date()
    return day.isoformat(), (day + datetime.timedelta(days=1)).isoformat()


def queries(rows):
    """(name, description, SQL template, how results are compared). {equity} etc. stand for the
    table: its name for Tape, read_parquet('…') for DuckDB. A template may be a pair (Tape's,
    DuckDB's) when DuckDB gets different SQL for the same result."""
    d0, d1 = middle_day(rows)
    return [
        ("slice", f"1-day time slice ({d0})",
         f"SELECT * FROM {{equity}} WHERE ts >= '{d0}' AND ts < '{d1}'", "sort"),
        ("agg4", "full scan, 4 aggregates",
         "SELECT count(*), sum(equity), min(equity), max(equity) FROM {equity}", "ordered"),
        ("groupby_action", "GROUP BY action",
         "SELECT action, count(*) FROM {decisions} GROUP BY action", "sort"),
        ("daily_last", "daily last equity (date_trunc + arg_max)",
         "SELECT date_trunc('day', {ts}) AS d, arg_max(equity, ts) FROM {equity} GROUP BY 1 ORDER BY 1", "ordered"),
        # The same result with DuckDB's SQL rewritten by hand around its slow TIMESTAMPTZ_NS cast:
        # group on an integer day number, turn it into a timestamp after aggregating.
        ("daily_last_int", "daily last equity, DuckDB SQL hand-rewritten (integer day key)",
         ("SELECT date_trunc('day', ts) AS d, arg_max(equity, ts) FROM {equity} GROUP BY 1 ORDER BY 1",
          "SELECT to_timestamp(k * 86400) AS d, a FROM (SELECT epoch_ns(ts) // 86400000000000 AS k, "
          "arg_max(equity, ts) AS a FROM {equity} GROUP BY 1) ORDER BY 1"), "ordered"),
        ("losing_trades", "losing trades, top-20",
         "SELECT * FROM {trades} WHERE pnl < 0 ORDER BY pnl LIMIT 20", "column:pnl"),
    ] + window_queries()


def window_queries():
    """The analyst's window queries (issue 10): drawdown curve, 1-day rolling mean of 1-minute
    returns, monthly returns."""
    return [
        ("win_drawdown", "drawdown curve: equity / max(equity) OVER (ORDER BY ts) - 1",
         "SELECT ts, equity / max(equity) OVER (ORDER BY ts) - 1 AS dd FROM {equity}", "sort"),
        ("win_rolling", "1-day rolling mean of 1-minute returns (lag, then ROWS 1439 PRECEDING)",
         "SELECT ts, avg(r) OVER (ORDER BY ts ROWS BETWEEN 1439 PRECEDING AND CURRENT ROW) AS m "
         "FROM (SELECT ts, equity / lag(equity) OVER (ORDER BY ts) - 1 AS r FROM {equity})", "sort"),
        ("win_monthly", "monthly returns via lag over month-end equity",
         "SELECT m, close / lag(close) OVER (ORDER BY m) - 1 AS ret FROM "
         "(SELECT date_trunc('month', {ts}) AS m, arg_max(equity, ts) AS close FROM {equity} GROUP BY 1) ORDER BY m", "ordered"),
    ]


# Diagnostic queries, run on the largest data set to show where Tape's time goes (not targets).
def probes(rows):
    d0, d1 = middle_day(rows)
    return [
        ("p_count", "count(*) only (footer, no data read)", "SELECT count(*) FROM {equity}", "ordered"),
        ("p_max_ts", "max(ts): decode the ts column", "SELECT max(ts) FROM {equity}", "ordered"),
        ("p_sum", "sum(equity): decode one float column", "SELECT sum(equity) FROM {equity}", "ordered"),
        ("p_slice_ts", "1-day slice, ts column only", f"SELECT ts FROM {{equity}} WHERE ts >= '{d0}' AND ts < '{d1}'", "sort"),
        ("p_slice_ts_eq", "1-day slice, ts and equity",
         f"SELECT ts, equity FROM {{equity}} WHERE ts >= '{d0}' AND ts < '{d1}'", "sort"),
        ("p_filter_action", "string filter: action = 'buy'",
         "SELECT count(*) FROM {decisions} WHERE action = 'buy'", "ordered"),
        ("p_filter_symbol", "string filter: symbol = 'SPY'",
         "SELECT count(*) FROM {decisions} WHERE symbol = 'SPY'", "ordered"),
        ("p_group_bool", "GROUP BY a BOOLEAN (blocked)",
         "SELECT blocked, count(*) FROM {decisions} GROUP BY blocked", "sort"),
        ("p_group_int", "GROUP BY a BIGINT (position)",
         "SELECT position, count(*) FROM {equity} GROUP BY position", "sort"),
        ("p_pnl_count", "trades: count(*) WHERE pnl < 0", "SELECT count(*) FROM {trades} WHERE pnl < 0", "ordered"),
        ("p_pnl_topn", "trades: top-20 of pnl alone",
         "SELECT pnl FROM {trades} WHERE pnl < 0 ORDER BY pnl LIMIT 20", "ordered"),
        ("p_trades_all", "trades: every row and column", "SELECT * FROM {trades}", "column:pnl"),
    ]


RUNS_QUERY = ("runs100", "GROUP BY run over 100 run files",
              "SELECT run, sum(pnl), count(*) FROM {trades} GROUP BY run", "sort")

# Relational queries over the same 100 runs (trades, decisions and the runs table). For DuckDB,
# `runs` is a Parquet file with one row per run (run, strategy), as Tape's virtual table has.
JOIN_QUERIES = [
    ("asof100", "ASOF JOIN trades→decisions over 100 runs",
     "SELECT t.run, count(*), sum(d.signal), max(d.ts) FROM {trades} t ASOF JOIN {decisions} d "
     "ON t.run = d.run AND t.entry_ts >= d.ts GROUP BY t.run", "sort"),
    ("hashjoin100", "hash join trades→runs over 100 runs",
     "SELECT t.run, r.strategy, count(*), sum(t.pnl) FROM {trades} t JOIN {runs} r USING (run) GROUP BY ALL", "sort"),
]


# "Best run per strategy" over many small runs (issue 10): a CTE aggregating each run's return
# from its equity curve, joined with the runs table, then row_number() per strategy. The runs are
# `tape-bench runs` output (RUNS1000_BARS daily bars each, metadata strategy ∈ sma/breakout/
# meanrev); for DuckDB the same equity exported by `tape export --format parquet` into one Parquet
# file per variant with a `run` column, and runs.parquet (run, strategy).
RUNS1000 = os.path.join(OUT, "runs1000")
RUNS1000_COUNT, RUNS1000_BARS = 1000, 1440
BEST_RUN_QUERY = (
    "best_run1000", "CTE + window: best run per strategy over 1,000 runs",
    "WITH perf AS (SELECT e.run, r.strategy, arg_max(e.equity, e.ts) / arg_min(e.equity, e.ts) - 1 AS ret "
    "FROM {equity} e JOIN {runs} r USING (run) GROUP BY ALL) "
    "SELECT strategy, run, ret FROM (SELECT strategy, run, ret, row_number() OVER (PARTITION BY strategy ORDER BY ret DESC, run) AS rn "
    "FROM perf) WHERE rn = 1 ORDER BY strategy", "ordered")


def ensure_runs1000(args):
    """RUNS1000_COUNT .tape runs (tape-bench runs) and, per Parquet variant, one equity file with
    a `run` column plus runs.parquet. Made when missing."""
    import glob
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq
    import pq_bench

    tape_dir = os.path.join(RUNS1000, "tape")
    tapes = sorted(glob.glob(os.path.join(tape_dir, "d000", "*.tape")))
    if len(tapes) != RUNS1000_COUNT:
        log(f"writing {RUNS1000_COUNT} runs of {RUNS1000_BARS} bars")
        subprocess.run([args.tape_bench, "runs", tape_dir, "--count", str(RUNS1000_COUNT), "--dirs", "1",
                        "--bars", str(RUNS1000_BARS)], check=True)
        tapes = sorted(glob.glob(os.path.join(tape_dir, "d000", "*.tape")))
    paths = {v: os.path.join(RUNS1000, f"equity.{v}.parquet") for v in ("default", "tuned")}
    runs_path = os.path.join(RUNS1000, "runs.parquet")
    if not all(os.path.exists(p) for p in [*paths.values(), runs_path]):
        export = os.path.join(RUNS1000, "export")
        subprocess.run([TAPE_CLI, "export", tape_dir, "--format", "parquet", "-o", export, "--table", "equity",
                        "--partitioned", "--timestamp-unit", "nanos"], check=True, capture_output=True)
        table = ds.dataset(os.path.join(export, "table=equity"), format="parquet", partitioning="hive").to_table()
        table = table.set_column(table.schema.get_field_index("run"), "run", table.column("run").cast(pa.string()))
        table = table.select(["run", "ts", "equity"])
        schema = {"columns": [{"name": "run", "type": "string"}, {"name": "ts", "type": "timestamp"},
                              {"name": "equity", "type": "float64"}]}
        for v, p in paths.items():
            pq.write_table(table, p, **pq_bench.write_options(v, schema))
        names = [os.path.basename(t)[:-len(".tape")] for t in tapes]
        pq.write_table(pa.table({"run": names, "strategy": [["sma", "breakout", "meanrev"][int(n[3:]) % 3] for n in names]}),
                       runs_path)
    return tapes, {v: {"equity": p, "runs": runs_path} for v, p in paths.items()}


def tape_sql(template):
    return template.format(equity="equity", decisions="decisions", trades="trades", runs="runs", ts="ts")


# DuckDB reads the Parquet files' timestamp[ns, UTC] as TIMESTAMPTZ_NS, for which it has no
# date_trunc; of the casts that make one (::TIMESTAMPTZ, ::TIMESTAMPTZ::TIMESTAMP, ::TIMESTAMP_NS)
# ::TIMESTAMP_NS was the fastest in DuckDB 2.0, and is exact for these UTC instants.
DUCK_TS = "ts::TIMESTAMP_NS"


def duck_sql(template, parquet):
    """parquet: table -> path or glob."""
    return template.format(ts=DUCK_TS, **{t: f"read_parquet('{p}')" for t, p in parquet.items()})


# ---------------------------------------------------------------- build and data


CLI_BUILT_FROM = os.path.join(REPO, ".build", "release", "tape-built-from.txt")


def build(args):
    if args.skip_build:
        return
    write_bench.build_tape_bench()
    log("building tape CLI (swift build -c release --product tape)")
    state = source_state()  # before building: the sources may change while it compiles
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "tape", "--package-path", REPO])
    with open(CLI_BUILT_FROM, "w") as f:
        f.write(state + "\n")


def cli_built_from():
    if os.path.exists(CLI_BUILT_FROM):
        with open(CLI_BUILT_FROM) as f:
            return f.read().strip()
    return f"unknown (not built by this script); sources now at {source_state()}"


def ensure_files(n, py, args):
    """The .tape and Parquet files of data set n (made as the write benchmark makes them if missing)."""
    subprocess.check_call([py, os.path.join(HERE, "gen.py"), str(n), "--data", DATA])
    data_dir, out_dir = os.path.join(DATA, str(n)), os.path.join(OUT, str(n))
    os.makedirs(out_dir, exist_ok=True)
    tape = os.path.join(out_dir, "tape-batch.tape")
    if not os.path.exists(tape):
        log(f"{n}: writing {tape}")
        write_bench.measure("tape-batch", data_dir, out_dir, py, argparse.Namespace(tape_bench=args.tape_bench, level=3))
    small = os.path.join(out_dir, "tape-8k-chunks.tape")
    if not os.path.exists(small):
        log(f"{n}: writing {small}")
        subprocess.run([args.tape_bench, "write", "--data", data_dir, "--out", small, "--codec", "zstd", "--level", "3",
                        "--durability", "none", "--rows-per-chunk", str(SMALL_CHUNK)], check=True, capture_output=True)
    for variant in ("default", "tuned"):
        if not all(os.path.exists(os.path.join(out_dir, f"{t}.{variant}.parquet")) for t in ("equity", "decisions", "trades")):
            log(f"{n}: writing {variant} Parquet")
            write_bench.measure(f"parquet-{variant}", data_dir, out_dir, py, args)
    return tape, small, {v: {t: os.path.join(out_dir, f"{t}.{v}.parquet") for t in ("equity", "decisions", "trades")}
                  for v in ("default", "tuned")}


WIDTHS = {".i64": 8, ".f64": 8, ".u8": 1, ".valid": 1}


def split_dataset(src, dst, parts):
    """Writes parts consecutive slices of gen.py data set src as data sets dst/run000… (same raw format)."""
    with open(os.path.join(src, "manifest.json")) as f:
        manifest = json.load(f)
    for k in range(parts):
        run_dir = os.path.join(dst, f"run{k:03d}")
        tables_rows = {}
        for table in manifest["tables"]:
            with open(os.path.join(src, table, "schema.json")) as f:
                schema = json.load(f)
            rows = schema["rows"]
            lo, hi = k * rows // parts, (k + 1) * rows // parts
            os.makedirs(os.path.join(run_dir, table), exist_ok=True)
            for col in schema["columns"]:
                for name in [col["file"]] + ([col["valid"]] if col.get("valid") else []):
                    with open(os.path.join(src, table, name), "rb") as f:
                        raw = f.read()
                    ext = os.path.splitext(name)[1]
                    if ext == ".txt":
                        piece = b"".join(line + b"\n" for line in raw.split(b"\n")[lo:hi])
                    else:
                        w = WIDTHS[ext]
                        piece = raw[lo * w:hi * w]
                    with open(os.path.join(run_dir, table, name), "wb") as f:
                        f.write(piece)
            schema = dict(schema, rows=hi - lo)
            with open(os.path.join(run_dir, table, "schema.json"), "w") as f:
                json.dump(schema, f, indent=1)
            tables_rows[table] = hi - lo
        with open(os.path.join(run_dir, "manifest.json"), "w") as f:
            json.dump(dict(manifest, rows=max(tables_rows.values())), f, indent=1)


def ensure_runs100(n, args):
    """RUN_COUNT .tape runs and trades Parquet files (default, tuned) with a `run` column, from data set n."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pq_bench

    tape_dir = os.path.join(RUNS100, "tape")
    pq_dirs = {v: os.path.join(RUNS100, f"parquet-{v}") for v in ("default", "tuned")}
    names = [f"run{k:03d}" for k in range(RUN_COUNT)]
    tapes = [os.path.join(tape_dir, f"{r}.tape") for r in names]
    stamp = os.path.join(RUNS100, "made-from.json")
    want = {"rows": n, "runs": RUN_COUNT}
    if os.path.exists(stamp):
        with open(stamp) as f:
            if json.load(f) == want and all(os.path.exists(p) for p in tapes):
                return tapes, {v: {"trades": os.path.join(d, "*.parquet")} for v, d in pq_dirs.items()}
    log(f"making {RUN_COUNT} runs from data set {n}")
    split_root = os.path.join(DATA, f"runs100-of-{n}")
    split_dataset(os.path.join(DATA, str(n)), split_root, RUN_COUNT)
    os.makedirs(tape_dir, exist_ok=True)
    for r, path in zip(names, tapes):
        subprocess.run([args.tape_bench, "write", "--data", os.path.join(split_root, r), "--out", path,
                        "--codec", "zstd", "--level", "3", "--durability", "none"], check=True, capture_output=True)
    table, schema = pq_bench.load_table(os.path.join(DATA, str(n), "trades"))
    write_run_parquet(table, schema, names, pq_dirs)
    with open(stamp, "w") as f:
        json.dump(want, f)
    return tapes, {v: {"trades": os.path.join(d, "*.parquet")} for v, d in pq_dirs.items()}


def write_run_parquet(table, schema, names, dirs):
    """Splits `table` into len(names) consecutive runs, each with a `run` column, written as
    DIR/RUN.parquet for every Parquet variant in `dirs` (variant -> directory); the tuned variant
    dictionary-encodes `run` too."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pq_bench

    rows = table.num_rows
    for v, d in dirs.items():
        os.makedirs(d, exist_ok=True)
        opts = pq_bench.write_options(v, schema)
        if v == "tuned":
            opts = dict(opts, use_dictionary=opts["use_dictionary"] + ["run"])
        for k, r in enumerate(names):
            lo, hi = k * rows // len(names), (k + 1) * rows // len(names)
            part = table.slice(lo, hi - lo)
            part = part.append_column("run", pa.array([r] * part.num_rows, type=pa.string()))
            pq.write_table(part, os.path.join(d, f"{r}.parquet"), **opts)


def ensure_runs100_relational(n, args):
    """For the join queries: per run, decisions Parquet files (default, tuned) with a `run` column,
    and runs.parquet (run, strategy — the metadata tape-bench writes). Made when missing."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pq_bench

    names = [f"run{k:03d}" for k in range(RUN_COUNT)]
    dirs = {v: os.path.join(RUNS100, f"decisions-{v}") for v in ("default", "tuned")}
    runs_path = os.path.join(RUNS100, "runs.parquet")
    # Made from the same data set as the runs (ensure_runs100): a stamp of their own, or DuckDB
    # would join the trades of one data set's runs with the decisions of another's.
    stamp = os.path.join(RUNS100, "decisions-made-from.json")
    want = {"rows": n, "runs": RUN_COUNT}
    fresh = False
    if os.path.exists(stamp):
        with open(stamp) as f:
            fresh = json.load(f) == want
    if not fresh or not all(os.path.exists(os.path.join(d, f"{names[-1]}.parquet")) for d in dirs.values()):
        log(f"writing decisions Parquet for {RUN_COUNT} runs from data set {n}")
        table, schema = pq_bench.load_table(os.path.join(DATA, str(n), "decisions"))
        write_run_parquet(table, schema, names, dirs)
        with open(stamp, "w") as f:
            json.dump(want, f)
    if not os.path.exists(runs_path):
        pq.write_table(pa.table({"run": names, "strategy": ["bench"] * RUN_COUNT}), runs_path)
    return {v: {"decisions": os.path.join(d, "*.parquet"), "runs": runs_path} for v, d in dirs.items()}


# ---------------------------------------------------------------- measurements


def tape_inprocess(args, sql, files, threads):
    out = subprocess.run([args.tape_bench, "query", "--sql", sql, "--threads", str(threads), "--repeat",
                          str(args.repeat), "--warmup", "1", *files], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"tape-bench query failed ({out.returncode}) for {sql}:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def duck_connect(threads):
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    if threads:
        con.execute(f"SET threads = {threads}").fetchall()
    return con


def duck_inprocess(args, sql, threads):
    """threads None = DuckDB's default. One connection; warm-up run, then --repeat timed runs of
    con.sql(sql).to_arrow_table()."""
    con = duck_connect(threads)
    used = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.sql(sql).to_arrow_table()
    samples, rows = [], 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        rows = con.sql(sql).to_arrow_table().num_rows
        samples.append(time.perf_counter() - t)
    con.close()
    return {"seconds": samples, "median_s": statistics.median(samples), "rows": rows, "threads": used}


DUCK_ONESHOT = (
    "import sys, duckdb\n"
    "con = duckdb.connect()\n"
    "con.execute(\"SET TimeZone = 'UTC'\").fetchall()\n"
    "con.execute(f\"COPY ({sys.argv[1]}) TO '/dev/stdout' (FORMAT csv)\").fetchall()\n"
)


def wall(cmd, repeat):
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t)
    return {"seconds": samples, "median_s": statistics.median(samples)}


def cli_tape_cmd(sql, files):
    return [TAPE_CLI, "sql", sql, *files, "-f", "csv"]


def cli_duck_cmd(py, sql):
    return [py, "-c", DUCK_ONESHOT, sql]


# ---------------------------------------------------------------- result check


def parse_ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def same_value(tape_cell, duck):
    """Tape's CSV cell against DuckDB's Python value."""
    if duck is None:
        return tape_cell == ""
    if isinstance(duck, bool):
        return tape_cell == ("true" if duck else "false")
    if isinstance(duck, (int, float)):
        try:
            t = float(tape_cell)
        except ValueError:
            return False
        d = float(duck)
        return t == d or abs(t - d) <= 1e-9 * max(abs(t), abs(d))
    if isinstance(duck, datetime.datetime):
        try:
            return parse_ts(tape_cell) == (duck if duck.tzinfo else duck.replace(tzinfo=datetime.timezone.utc))
        except ValueError:
            return False
    return tape_cell == str(duck)


def tape_sort_key(cell):
    """Numbers sort by value (as DuckDB's do); text (strings, ISO timestamps, booleans) as text."""
    try:
        return (0, float(cell), "")
    except ValueError:
        return (1, 0.0, cell)


def check(sql_tape, files, sql_duck, how):
    """Compares `tape sql -f csv` output with DuckDB's rows. Returns (ok, message)."""
    out = subprocess.run(cli_tape_cmd(sql_tape, files), capture_output=True, text=True)
    if out.returncode != 0:
        return False, f"tape sql failed: {out.stderr.strip()}"
    reader = list(csv.reader(io.StringIO(out.stdout)))
    header, tape_rows = reader[0], reader[1:]
    con = duck_connect(None)
    table = con.sql(sql_duck).to_arrow_table()  # (fetchall of TIMESTAMPTZ values needs pytz)
    duck_cols = table.column_names
    duck_rows = [tuple(r[c] for c in duck_cols) for r in table.to_pylist()]
    con.close()
    if len(tape_rows) != len(duck_rows):
        return False, f"{len(tape_rows)} rows from Tape, {len(duck_rows)} from DuckDB"
    if len(header) != len(duck_cols):
        return False, f"{len(header)} columns from Tape, {len(duck_cols)} from DuckDB"
    if how == "sort":
        # Sort both by the first column (unique in these queries: ts, action, run).
        tape_rows = sorted(tape_rows, key=lambda r: tape_sort_key(r[0]))
        duck_rows = sorted(duck_rows, key=lambda r: (0, float(r[0]), "") if isinstance(r[0], (int, float)) else (1, 0.0, r[0]))
    if how.startswith("column:"):
        # Ties may pick different rows: compare that column, in order.
        i = duck_cols.index(how.split(":", 1)[1])
        tape_rows = [[r[i]] for r in tape_rows]
        duck_rows = [[r[i]] for r in duck_rows]
    for k, (a, b) in enumerate(zip(tape_rows, duck_rows)):
        for c, (x, y) in enumerate(zip(a, b)):
            if not same_value(x, y):
                return False, f"row {k} column {c}: Tape {x!r}, DuckDB {y!r}"
    return True, f"{len(tape_rows)} rows, equal"


# ---------------------------------------------------------------- run one query everywhere


def measure_query(args, py, name, desc, template, how, tape_files, parquet, dataset):
    template, duck_template = template if isinstance(template, tuple) else (template, template)
    sql_t = tape_sql(template)
    res = {"name": name, "desc": desc, "dataset": dataset, "sql": sql_t, "tape": {}, "duck": {}, "cli": {}}
    for th in ((1,) if args.single_thread else (1, 2)):
        res["tape"][th] = tape_inprocess(args, sql_t, tape_files, th)
    for variant, tables in parquet.items():
        sql_d = duck_sql(duck_template, tables)
        for th in ((1,) if args.single_thread else (1, None)):
            res["duck"][f"{variant}/{th or 'default'}"] = duck_inprocess(args, sql_d, th)
    res["duck_sql_tuned"] = duck_sql(duck_template, parquet["tuned"])
    if not args.single_thread:
        res["cli"]["tape"] = wall(cli_tape_cmd(sql_t, tape_files), args.repeat)
        res["cli"]["duckdb"] = wall(cli_duck_cmd(py, res["duck_sql_tuned"]), args.repeat)
    ok, msg = check(sql_t, tape_files, res["duck_sql_tuned"], how)
    counts = {res["tape"][th]["rows"] for th in res["tape"]} | {d["rows"] for d in res["duck"].values()}
    if len(counts) != 1:
        ok, msg = False, msg + f"; in-process row counts differ: {sorted(counts)}"
    res["check"] = {"ok": ok, "message": msg}
    t1 = res["tape"][1]
    log(f"{dataset} {name}: Tape 1t {t1['median_s'] * 1e3:.2f} ms (chunks {t1['stats']['chunks_read']}/"
        f"{t1['stats']['chunks']})" + ("" if args.single_thread else f", 2t {res['tape'][2]['median_s'] * 1e3:.2f} ms") + "; DuckDB "
        + ", ".join(f"{k} {v['median_s'] * 1e3:.2f} ms" for k, v in res["duck"].items())
        + ("" if args.single_thread else
           f"; CLI tape {res['cli']['tape']['median_s'] * 1e3:.0f} ms, duckdb {res['cli']['duckdb']['median_s'] * 1e3:.0f} ms")
        + f"; check: {msg}")
    return res


# ---------------------------------------------------------------- report


def ms(s):
    return f"{s * 1e3:.2f}" if s < 0.1 else f"{s * 1e3:.0f}" if s < 10 else f"{s * 1e3:,.0f}"


def rx(duck, tape):
    return f"{duck / tape:.2f}×" if tape > 0 else "n/a"


def verdict(ok):
    return "**met**" if ok else "**MISSED**"


def main_results(results):
    return [(ds, rs) for ds, rs in results.items() if ds != "probes"]


def render(info, results, args):
    L = []
    L.append("## SQL benchmark: `tape sql` (TapeQuery) vs DuckDB on Parquet")
    L.append("")
    L.append(f"Generated by `python3 benchmarks/sql_bench.py --rows {args.rows} --repeat {args.repeat}` on "
             f"{info['date']}. Medians of {args.repeat} timed runs after one warm-up run; all files in the "
             "page cache (warm reads).")
    L.append("")
    L.append(f"- Machine: {info['nproc']} cores, {info['cpu']}, {info['mem_gb']} GB RAM, Linux {info['kernel']} — "
             "shared with other builds and tests while measuring, so single figures are noisy (every sample "
             f"is in `benchmarks/out/sql-results.json`); 1-minute load average {info['load'][0]} before the "
             f"measurements, {info['load'][1]} after; the 2-thread figures suffer most from other processes.")
    L.append(f"- Versions: {info['swift']}; Python {info['python']}, DuckDB {info['duckdb']}, pyarrow {info['pyarrow']}")
    L.append(f"- Tape built from: `tape` CLI {info['commit']}; `tape-bench` {info['tape_bench_from']} (as recorded "
             "when each was built)")
    L.append("- Files: the write benchmark's `tape-batch.tape` (zstd 3, 65,536-row chunks; all three tables in "
             "one file) and its default and tuned Parquet files (one per table, timestamps as "
             "`timestamp[ns, UTC]`). Query 6 uses 100 runs made by splitting the "
             f"{write_bench.fmt_rows(results['100 runs'][0]['rows0'])}-bar data set into 100 consecutive slices: "
             "100 `.tape` files written by `tape-bench write` (run id = file name) and, for DuckDB, 100 trades "
             "Parquet files per variant with a `run` column holding the same id, read with a glob.")
    L.append("- **Tape in-process**: `tape-bench query` — `Query(sql:paths:options:)` (parse, bind, open the "
             "footers) plus `run` consuming every result `RecordBatch`; *run* is the second part alone. "
             "**DuckDB in-process**: `duckdb.connect()` in Python, `SET threads = 1` or the default "
             "(= cores), `con.sql(sql).to_arrow_table()` over `read_parquet('…')`. "
             "The session TimeZone is UTC in DuckDB (the timestamp literals act on UTC days, as in Tape). DuckDB reads "
             f"the timestamps as TIMESTAMPTZ_NS, which its date_trunc does not take: query 4 uses `date_trunc('day', {DUCK_TS})` "
             "for DuckDB (the fastest of the casts tried), the same SQL otherwise.")
    L.append("- Ratios are DuckDB time / Tape time: **> 1 means Tape is faster**. 1-thread ratios compare Tape "
             "`threads: 1` with DuckDB `threads = 1`; N-thread ones Tape `threads: 2` with DuckDB's default.")
    L.append("")
    all_ok = all(r["check"]["ok"] for rs in results.values() for r in rs)
    L.append("Results: " + ("every query returned the same rows in Tape (`tape sql -f csv`) and DuckDB (tuned "
                            "Parquet) — equal row counts in every in-process configuration, numbers within 1e-9 "
                            "relative, strings and timestamps equal (unordered results compared sorted by their "
                            "first column; for the top-20 losing trades the `pnl` column in order, since ties may "
                            "pick other rows)." if all_ok else "**some results differ**, see the check column."))
    L.append("")

    L.append("### In-process times (ms)")
    L.append("")
    L.append("| data | query | Tape 1t | Tape 1t run | Tape 2t | chunks read / total | DuckDB 1t default | DuckDB 1t tuned "
             "| DuckDB Nt default | DuckDB Nt tuned | rows | check |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for ds, rs in main_results(results):
        for r in rs:
            t1, t2, d = r["tape"][1], r["tape"][2], r["duck"]
            st = t1["stats"]
            L.append(f"| {ds} | {r['desc']} | {ms(t1['median_s'])} | {ms(t1['median_run_s'])} | {ms(t2['median_s'])} | "
                     f"{st['chunks_read']} / {st['chunks']} | {ms(d['default/1']['median_s'])} | {ms(d['tuned/1']['median_s'])} | "
                     f"{ms(d['default/default']['median_s'])} | {ms(d['tuned/default']['median_s'])} | {t1['rows']:,} | "
                     f"{'ok' if r['check']['ok'] else 'DIFFERS: ' + r['check']['message']} |")
    L.append("")
    L.append("### Ratios (DuckDB / Tape; > 1 = Tape faster)")
    L.append("")
    L.append("| data | query | 1t vs default Parquet | 1t vs tuned Parquet | Nt vs default Parquet | Nt vs tuned Parquet "
             "| whole process (CLI) |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    for ds, rs in main_results(results):
        for r in rs:
            t1, t2, d, c = r["tape"][1]["median_s"], r["tape"][2]["median_s"], r["duck"], r["cli"]
            L.append(f"| {ds} | {r['desc']} | {rx(d['default/1']['median_s'], t1)} | {rx(d['tuned/1']['median_s'], t1)} | "
                     f"{rx(d['default/default']['median_s'], t2)} | {rx(d['tuned/default']['median_s'], t2)} | "
                     f"{rx(c['duckdb']['median_s'], c['tape']['median_s'])} |")
    L.append("")
    L.append("### Whole process (CLI)")
    L.append("")
    L.append("`tape sql \"SQL\" FILES -f csv > /dev/null` (release build, default threads) against a one-shot "
             "`python -c` that imports duckdb, runs the same query over tuned Parquet and writes CSV with `COPY (…) TO '/dev/stdout'` to /dev/null "
             "(default threads). Both include process start; the DuckDB one includes the Python interpreter and "
             "`import duckdb` (about the first 100+ ms of every figure), so this compares what a user waits for, "
             "not the engines.")
    L.append("")
    L.append("| data | query | tape sql ms | python+duckdb ms | ratio |")
    L.append("|---|---|---:|---:|---:|")
    for ds, rs in main_results(results):
        for r in rs:
            c = r["cli"]
            L.append(f"| {ds} | {r['desc']} | {ms(c['tape']['median_s'])} | {ms(c['duckdb']['median_s'])} | "
                     f"{rx(c['duckdb']['median_s'], c['tape']['median_s'])} |")
    L.append("")

    if results.get("probes"):
        ds = results["probes"][0]["dataset"]
        L.append(f"### Where Tape's time goes ({ds}, diagnostic queries, not targets)")
        L.append("")
        L.append("Single-threaded; *open* is `Query(sql:paths:)` (parse, bind, footer), the rest is `run`. "
                 "Results checked against DuckDB like the queries above.")
        L.append("")
        L.append("| query | SQL | Tape 1t ms | open ms | bytes read | DuckDB 1t default | DuckDB 1t tuned | ratio (faster DuckDB / Tape) | check |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
        for r in results["probes"]:
            t1, d = r["tape"][1], r["duck"]
            best = min(d["default/1"]["median_s"], d["tuned/1"]["median_s"])
            L.append(f"| {r['desc']} | `{r['sql']}` | {ms(t1['median_s'])} | {ms(t1['median_open_s'])} | "
                     f"{t1['stats']['bytes_read']:,} | {ms(d['default/1']['median_s'])} | {ms(d['tuned/1']['median_s'])} | "
                     f"{rx(best, t1['median_s'])} | {'ok' if r['check']['ok'] else 'DIFFERS: ' + r['check']['message']} |")
        L.append("")
    L.append("### Targets")
    L.append("")
    for ds, rs in main_results(results):
        for r in rs:
            t1 = r["tape"][1]
            best1 = min(r["duck"]["default/1"]["median_s"], r["duck"]["tuned/1"]["median_s"])
            ratio = best1 / t1["median_s"]
            if r["name"] in ("slice", "slice_small"):
                st = t1["stats"]
                L.append(f"- {ds} {r['desc']} ≤ 1 ms in-process: {t1['median_s'] * 1e3:.3f} ms (open {t1['median_open_s'] * 1e3:.3f} + "
                         f"run {t1['median_run_s'] * 1e3:.3f}) → {verdict(t1['median_s'] <= 0.001)}; ≤ 2 chunks per column: "
                         f"{st['chunks_read']} of {st['chunks']} chunks read ({st['bytes_read']:,} bytes) → "
                         f"{verdict(st['chunks_read'] <= 2)}; vs DuckDB 1t (faster Parquet variant): {ratio:.3f}×")
                continue
            goal = ""
            if r["name"] in FULL_SCANS:
                goal = f" (full-scan goal 1.5×: {'met' if ratio >= 1.5 else 'not reached'})"
            L.append(f"- {ds} {r['desc']} ≥ 1× DuckDB single-threaded (the faster Parquet variant): {ratio:.3f}× → "
                     f"{verdict(ratio >= 1)}{goal}")
    L.append("")
    return "\n".join(L)


def update_results_md(section):
    with open(write_bench.RESULTS_MD) as f:
        text = f.read()
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(write_bench.RESULTS_MD, "w") as f:
        f.write(text)


def source_state():
    """HEAD of the repository, flagged when the sources of the library or the tape CLI differ from it."""
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "Package.swift", "Sources"],
                           capture_output=True, text=True).stdout.strip()
    return commit + (" + uncommitted changes under Sources/" if dirty else "")


# ---------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Tape SQL vs DuckDB benchmark (see benchmarks/README.md)")
    ap.add_argument("--rows", default="1000000,10000000", help="comma-separated data sets (bars)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (medians reported)")
    ap.add_argument("--skip-build", action="store_true", help="use the tape-bench and tape binaries already built")
    ap.add_argument("--only", help="comma-separated query names (slice,agg4,groupby_action,daily_last,daily_last_int,losing_trades,win_drawdown,win_rolling,win_monthly,"
                    "runs100,asof100,hashjoin100,best_run1000,probes)")
    ap.add_argument("--tape-bench", default=write_bench.TAPE_BENCH, help="tape-bench binary")
    ap.add_argument("--venv", default=write_bench.VENV, help="virtualenv to create/use (default benchmarks/.venv)")
    ap.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    ap.add_argument("--no-probes", action="store_true", help="skip the diagnostic queries")
    ap.add_argument("--single-thread", action="store_true",
                    help="measure only Tape --threads 1 and DuckDB threads=1 (the issue's comparison), no CLI timings; "
                    "implies --no-report")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite RESULTS.md from out/sql-results.json without measuring")
    return ap.parse_args(argv)


def main():
    args = parse_args(sys.argv[1:])
    if not write_bench.in_venv(args.venv):
        py = write_bench.ensure_venv(args.venv)
        os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])
    py = sys.executable
    if args.report_only:
        with open(os.path.join(OUT, "sql-results.json")) as f:
            saved = json.load(f)
        for rs in saved["results"].values():
            for r in rs:
                r["tape"] = {int(k): v for k, v in r["tape"].items()}
        update_results_md(render(saved["info"], saved["results"], argparse.Namespace(**saved["args"])))
        log(f"wrote {write_bench.RESULTS_MD} from the saved results")
        return
    only = set(args.only.split(",")) if args.only else None
    build(args)
    load_before = os.getloadavg()
    rows_list = [int(x) for x in args.rows.split(",") if x]
    results = {}
    for n in rows_list:
        tape, small, parquet = ensure_files(n, py, args)
        ds = write_bench.fmt_rows(n)
        results[ds] = []
        for name, desc, template, how in queries(n):
            if only and name not in only:
                continue
            results[ds].append(measure_query(args, py, name, desc, template, how, [tape], parquet, ds))
            if name == "slice":
                results[ds].append(measure_query(args, py, "slice_small", desc + f", Tape file with {SMALL_CHUNK:,}-row chunks",
                                                 template, how, [small], parquet, ds))
    if not args.no_probes and (not only or "probes" in only):
        n = rows_list[-1]
        tape, _, parquet = ensure_files(n, py, args)
        results["probes"] = [measure_query(args, py, name, desc, template, how, [tape], parquet, write_bench.fmt_rows(n))
                             for name, desc, template, how in probes(n)]
    if not only or "runs100" in only:
        n0 = rows_list[0]
        tapes, parquet = ensure_runs100(n0, args)
        name, desc, template, how = RUNS_QUERY
        r = measure_query(args, py, name, desc, template, how, tapes, parquet, "100 runs")
        r["rows0"] = n0
        results["100 runs"] = [r]
    if not only or only & {q[0] for q in JOIN_QUERIES}:
        n0 = rows_list[0]
        tapes, parquet = ensure_runs100(n0, args)
        extra = ensure_runs100_relational(n0, args)
        for v in parquet:
            parquet[v].update(extra[v])
        for name, desc, template, how in JOIN_QUERIES:
            if only and name not in only:
                continue
            r = measure_query(args, py, name, desc, template, how, tapes, parquet, "100 runs")
            r["rows0"] = n0
            results.setdefault("100 runs", []).append(r)

    if not only or BEST_RUN_QUERY[0] in only:
        tapes, parquet = ensure_runs1000(args)
        name, desc, template, how = BEST_RUN_QUERY
        results.setdefault("1,000 runs", []).append(measure_query(args, py, name, desc, template, how, tapes, parquet, "1,000 runs"))

    import duckdb
    import pyarrow
    info = write_bench.machine_info(py, args.tape_bench)
    info["duckdb"] = duckdb.__version__
    info["pyarrow"] = pyarrow.__version__
    info["tape_bench_from"] = write_bench.built_from(args.tape_bench)
    info["commit"] = cli_built_from()
    info["load"] = [round(x, 2) for x in (load_before[0], os.getloadavg()[0])]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "sql-results.json"), "w") as f:
        json.dump({"info": info, "args": vars(args), "results": results}, f, indent=1, default=str)
    if args.no_report or only or args.single_thread:
        log("RESULTS.md not updated" + (" (--only given)" if only else ""))
        return
    update_results_md(render(info, results, args))
    log(f"wrote {write_bench.RESULTS_MD}")


if __name__ == "__main__":
    main()
