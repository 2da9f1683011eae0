# Reference answers for Tape's differential SQL tests: reads {"tables": {name: csv}, "queries": [...]}
# on stdin, loads each CSV into DuckDB with explicit types, runs every query single-threaded and
# prints [{"rows": [...]} | {"error": "..."}] as JSON. Timestamps become {"ts": epoch nanoseconds}.
import datetime, decimal, json, math, sys
import duckdb

TYPES = {
    "equity": {"run": "VARCHAR", "strategy": "VARCHAR", "fast": "BIGINT", "ts": "TIMESTAMP", "equity": "DOUBLE", "position": "BIGINT"},
    "trades": {"run": "VARCHAR", "strategy": "VARCHAR", "fast": "BIGINT", "ts": "TIMESTAMP", "symbol": "VARCHAR", "side": "VARCHAR",
               "qty": "BIGINT", "price": "DOUBLE", "pnl": "DOUBLE", "note": "VARCHAR"},
}
EPOCH = datetime.datetime(1970, 1, 1)

def norm(v):
    if v is None: return None
    if isinstance(v, bool): return v
    if isinstance(v, int): return v
    if isinstance(v, decimal.Decimal): v = float(v)
    if isinstance(v, float):
        if math.isnan(v): return "nan"
        if math.isinf(v): return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None: v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        d = v - EPOCH
        return {"ts": (d.days * 86400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000}
    if isinstance(v, datetime.timedelta):
        # DuckDB's text for day-time intervals, which Tape prints the same way.
        days, secs = v.days, v.seconds
        parts = [f"{days} day{'' if abs(days) == 1 else 's'}"] if days else []
        if secs or v.microseconds or not parts:
            clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            if v.microseconds: clock += ("." + f"{v.microseconds:06d}").rstrip("0")
            parts.append(clock)
        return " ".join(parts)
    return str(v)

def main():
    req = json.load(sys.stdin)
    con = duckdb.connect()
    con.execute("SET threads = 1")
    for name, path in req["tables"].items():
        cols = ", ".join(f"'{c}': '{t}'" for c, t in TYPES[name].items())
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, columns = {{{cols}}}, nullstr = '', quote = '\"', escape = '\"')")
    out = []
    for q in req["queries"]:
        try:
            rows = con.execute(q).fetchall()
            out.append({"rows": [[norm(v) for v in r] for r in rows]})
        except Exception as e:  # the Swift side reports it as a test-suite bug
            out.append({"error": str(e)})
    json.dump(out, sys.stdout)

main()
