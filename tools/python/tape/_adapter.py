"""What the backtester adapters (backtesting_py, vectorbt) share: frames made writable as a
table's first batch, and a statistics Series made JSON metadata."""
import math

import pyarrow as pa


def arrow_frame(df):
    """`df` as a pyarrow.Table whose all-null columns (e.g. an unused Tag) are strings, so that
    the table's first batch types every column."""
    t = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(t.schema):
        if pa.types.is_null(f.type):
            t = t.set_column(i, pa.field(f.name, pa.string()), t.column(i).cast(pa.string()))
    return t


def scalar_stats(stats):
    """The scalar entries of a statistics Series (backtesting.py's `stats`, vectorbt's
    `Portfolio.stats()`) as a JSON-ready dict: numbers (non-finite → None), times as ISO-8601,
    durations as seconds; names starting with "_" and values of other types are left out."""
    out = {}
    for k, v in stats.items():
        if str(k).startswith("_"):
            continue
        if hasattr(v, "isoformat"):
            out[str(k)] = v.isoformat()
        elif hasattr(v, "total_seconds"):
            out[str(k)] = v.total_seconds()
        elif isinstance(v, (int, float)) or type(v).__module__ == "numpy":
            try:
                f = float(v)
            except (TypeError, ValueError):
                continue
            out[str(k)] = f if math.isfinite(f) else None
    return out
