"""One Parquet write measurement, run by run.py in its own process (so its peak RSS is its own).

    python pq_bench.py --data data/<rows> --out DIR --variant load|default|tuned

Loads the raw columns written by gen.py into pyarrow Tables (not timed), then times
`pq.write_table` of each table into DIR/<table>.<variant>.parquet and prints one JSON line:

    {"variant", "pyarrow", "seconds", "rows", "rows_per_s", "bytes_total", "vmhwm_kb", ...,
     "tables": {table: {"rows", "bytes", "seconds", "rows_per_s", "columns": {column: bytes}}}}

`seconds` is the sum of the write_table calls only (wall clock; `cpu_seconds`: CPU time of all
threads of the process during them). Variant `load` loads the data and writes
nothing: its peak RSS is the baseline the writers' peaks include. Memory, in KiB from
/proc/self/status: `load_peak_kb` (peak while loading), `rss_after_load_kb` (the Tables in memory),
`write_peak_kb` (peak during the writes: VmHWM is reset after loading) and `writer_own_kb`
(write_peak_kb - rss_after_load_kb: what the writer itself added).
Column bytes are the compressed sizes of the column chunks summed over row groups (pages and
dictionary pages, without the file footer).
"""

import argparse
import gc
import json
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ARROW_TYPES = {
    "int64": pa.int64(),
    "float64": pa.float64(),
    "timestamp": pa.timestamp("ns", tz="UTC"),
    "bool": pa.bool_(),
}
NUMPY_TYPES = {"int64": "<i8", "timestamp": "<i8", "float64": "<f8", "bool": np.uint8}


def load_column(tdir, col, rows):
    kind = col["type"]
    valid = None
    if col.get("valid"):
        valid = np.fromfile(os.path.join(tdir, col["valid"]), dtype=np.uint8).astype(bool)
    mask = None if valid is None else ~valid
    path = os.path.join(tdir, col["file"])
    if kind == "string":
        raw = np.fromfile(path, dtype=np.uint8)
        newlines = np.flatnonzero(raw == 10)
        assert newlines.size == rows, f"{path}: {newlines.size} lines, expected {rows}"
        ends = newlines - np.arange(rows)  # end offsets once the newlines are removed
        offsets = np.concatenate([[0], ends]).astype(np.int32)
        data = raw[raw != 10]
        bitmap = None
        if valid is not None:
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data), bitmap)
    values = np.fromfile(path, dtype=NUMPY_TYPES[kind])
    assert values.size == rows, f"{path}: {values.size} values, expected {rows}"
    if kind == "bool":
        values = values.astype(bool)
    return pa.array(values, type=ARROW_TYPES[kind], mask=mask)


def load_table(tdir):
    with open(os.path.join(tdir, "schema.json")) as f:
        schema = json.load(f)
    rows = schema["rows"]
    fields, arrays = [], []
    for col in schema["columns"]:
        arr = load_column(tdir, col, rows)
        fields.append(pa.field(col["name"], arr.type, nullable=col["nullable"]))
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)), schema


def write_options(variant, schema):
    """Keyword arguments of pq.write_table for a variant."""
    if variant == "default":
        return {"compression": "zstd"}
    assert variant == "tuned"
    strings, encodings = [], {}
    for col in schema["columns"]:
        kind = col["type"]
        if kind == "string":
            strings.append(col["name"])
        elif kind in ("int64", "timestamp"):
            encodings[col["name"]] = "DELTA_BINARY_PACKED"
        elif kind == "float64":
            encodings[col["name"]] = "BYTE_STREAM_SPLIT"
    # Dictionary columns must not appear in column_encoding (pyarrow rejects it).
    return {
        "compression": "zstd",
        "row_group_size": 65536,
        "write_page_index": True,
        "use_dictionary": strings,
        "column_encoding": encodings,
    }


def column_bytes(path):
    md = pq.ParquetFile(path).metadata
    out = {}
    for rg in range(md.num_row_groups):
        g = md.row_group(rg)
        for c in range(g.num_columns):
            cc = g.column(c)
            out[cc.path_in_schema] = out.get(cc.path_in_schema, 0) + cc.total_compressed_size
    return out


def status_kb(field):
    """A `VmHWM`/`VmRSS` field of /proc/self/status, in KiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0); False if not permitted."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--variant", choices=["load", "default", "tuned"], required=True)
    args = ap.parse_args()
    with open(os.path.join(args.data, "manifest.json")) as f:
        manifest = json.load(f)
    loaded = [(name, *load_table(os.path.join(args.data, name))) for name in manifest["tables"]]
    gc.collect()
    # Peak while loading (transient copies included), then the steady RSS with the Tables in memory;
    # VmHWM is reset so that after writing it holds the peak *during* the writes.
    load_peak = status_kb("VmHWM")
    after_load = status_kb("VmRSS")
    was_reset = reset_peak_rss()
    result = {"variant": args.variant, "pyarrow": pa.__version__, "tables": {}}
    total_s = 0.0
    total_cpu = 0.0
    total_rows = 0
    total_bytes = 0
    if args.variant != "load":
        os.makedirs(args.out, exist_ok=True)
        for name, table, schema in loaded:
            path = os.path.join(args.out, f"{name}.{args.variant}.parquet")
            opts = write_options(args.variant, schema)
            c = time.process_time()
            t = time.perf_counter()
            pq.write_table(table, path, **opts)
            s = time.perf_counter() - t
            cpu = time.process_time() - c
            size = os.path.getsize(path)
            result["tables"][name] = {
                "rows": table.num_rows, "bytes": size, "seconds": s, "cpu_seconds": cpu,
                "rows_per_s": table.num_rows / s if s > 0 else None,
                "columns": column_bytes(path),
            }
            total_s += s
            total_cpu += cpu
            total_rows += table.num_rows
            total_bytes += size
    else:
        for name, table, _ in loaded:
            result["tables"][name] = {"rows": table.num_rows}
            total_rows += table.num_rows
    result.update({
        "seconds": total_s, "cpu_seconds": total_cpu, "rows": total_rows, "bytes_total": total_bytes,
        "rows_per_s": total_rows / total_s if total_s > 0 else None,
        "vmhwm_kb": status_kb("VmHWM"),
        "load_peak_kb": load_peak,
        "rss_after_load_kb": after_load,
    })
    if was_reset and args.variant != "load":
        result["write_peak_kb"] = result["vmhwm_kb"]
        result["writer_own_kb"] = result["vmhwm_kb"] - after_load
    print(json.dumps(result))


if __name__ == "__main__":
    main()
