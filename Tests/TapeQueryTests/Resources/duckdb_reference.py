# Reference answers for Tape's differential SQL tests: reads {"tables": {name: csv}, "queries": [...]}
# on stdin, loads each CSV into DuckDB with explicit types, runs every query single-threaded and
# prints [{"rows": [...]} | {"error": "..."}] as JSON. Timestamps (and dates, at midnight) become
# {"ts": epoch nanoseconds}; NaN, ±inf and -0.0 become the strings "nan", "inf", "-inf", "-0.0".
import datetime, decimal, json, math, sys
import duckdb

TYPES = {
    "equity": {"run": "VARCHAR", "strategy": "VARCHAR", "fast": "BIGINT", "ts": "TIMESTAMP", "equity": "DOUBLE", "position": "BIGINT"},
    "trades": {"run": "VARCHAR", "strategy": "VARCHAR", "fast": "BIGINT", "ts": "TIMESTAMP", "symbol": "VARCHAR", "side": "VARCHAR",
               "qty": "BIGINT", "price": "DOUBLE", "pnl": "DOUBLE", "note": "VARCHAR"},
    "runs": {"run": "VARCHAR", "strategy": "VARCHAR", "fast": "BIGINT"},
    "edge": {"id": "BIGINT", "g": "VARCHAR", "f": "DOUBLE", "i": "BIGINT", "ts": "TIMESTAMP", "s": "VARCHAR"},
    "sums": {"ts": "TIMESTAMP", "g": "VARCHAR", "v": "BIGINT"},
}
# The text of NULL per table (default: an empty field); `edge` holds empty strings, so it uses \N.
NULLSTR = {"edge": "\\N", "sums": "\\N"}
EPOCH = datetime.datetime(1970, 1, 1)

def norm(v):
    if v is None: return None
    if isinstance(v, bool): return v
    if isinstance(v, int): return v
    if isinstance(v, decimal.Decimal): v = float(v)
    if isinstance(v, float):
        if math.isnan(v): return "nan"
        if math.isinf(v): return "inf" if v > 0 else "-inf"
        if v == 0 and math.copysign(1, v) < 0: return "-0.0"   # JSON would lose the sign
        return v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None: v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        d = v - EPOCH
        return {"ts": (d.days * 86400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000}
    if isinstance(v, datetime.date):   # DATE: Tape holds it as the TIMESTAMP at midnight
        return norm(datetime.datetime(v.year, v.month, v.day))
    if isinstance(v, datetime.timedelta):
        # DuckDB's text for day-time intervals, which Tape prints the same way; a negative one is
        # "-N days -HH:MM:SS" (Python would normalise it to -1 day plus a positive clock).
        sign = "-" if v < datetime.timedelta(0) else ""
        v = abs(v)
        days, secs = v.days, v.seconds
        parts = [f"{sign}{days} day{'' if days == 1 else 's'}"] if days else []
        if secs or v.microseconds or not parts:
            clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            if v.microseconds: clock += ("." + f"{v.microseconds:06d}").rstrip("0")
            parts.append(sign + clock)
        return " ".join(parts)
    return str(v)

def main():
    req = json.load(sys.stdin)
    con = duckdb.connect()
    con.execute("SET threads = 1")
    for name, path in req["tables"].items():
        cols = ", ".join(f"'{c}': '{t}'" for c, t in TYPES[name].items())
        nullstr = NULLSTR.get(name, "")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, columns = {{{cols}}}, nullstr = '{nullstr}', quote = '\"', escape = '\"')")
    out = []
    for q in req["queries"]:
        try:
            rows = con.execute(q).fetchall()
            out.append({"rows": [[norm(v) for v in r] for r in rows]})
        except Exception as e:  # the Swift side reports it as a test-suite bug
            out.append({"error": str(e)})
    json.dump(out, sys.stdout)

main()
