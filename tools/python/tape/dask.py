"""Tape runs as a Dask DataFrame: one partition per run, read where the partition is computed.

    import tape.dask
    ddf = tape.dask.read_tape("sweep/", "trades", columns=["side", "pnl"], start="2024-01-01")
    ddf.groupby(["run", "side"]).pnl.sum().compute()

The frame has the columns of the union of the runs' tables (as `tape sql` reads them: a column a
run lacks is null there, int64 in one run and float64 in another is float64) plus `run` (the run
id: metadata run_id, else the file name without .tape) first. `columns`, `start`/`end` and
`where` are pushed into each run's scan (only those columns are decoded; zone maps skip chunks
outside the time range). Workers load libTapeArrow themselves (TAPE_LIBRARY, or the library
installed with the package), so the files must be readable at the same paths on every worker.
"""
import pyarrow as pa

import tape as _tape


def _union_schema(files, table, columns):
    """The union schema `tape sql` gives `SELECT <columns | *> FROM table` over `files`, plus run."""
    cols = "*" if columns is None else ", ".join('"%s"' % c.replace('"', '""') for c in columns)
    reader = _tape.sql_scan('SELECT %s FROM "%s" LIMIT 0' % (cols, table.replace('"', '""')), files)
    schema = reader.schema
    reader.close()
    fields = [f for f in schema if f.name != "run"]
    return pa.schema([pa.field("run", pa.string())] + fields)


def _to_pandas(t):
    import pandas as pd
    return t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)


def read_partition(path, table, schema, start=None, end=None, where=None):
    """One run's rows of `table` as a pandas DataFrame with exactly the columns and types of
    `schema` (a pyarrow.Schema whose first field is run)."""
    try:
        probe = _tape.scan(path, table)           # opens the footer: the run's columns of `table`
    except _tape.TapeQueryError:
        return _to_pandas(schema.empty_table())   # the run has no such table: no rows, as in SQL
    have = set(probe.schema.names)
    probe.close()
    present = [f.name for f in list(schema)[1:] if f.name in have]
    t = _tape.read_table(path, table, columns=["run"] + present, start=start, end=end, where=where)
    n = t.num_rows
    arrays = [t.column("run").cast(pa.string())]
    for f in list(schema)[1:]:
        arrays.append(t.column(f.name).cast(f.type) if f.name in have else pa.chunked_array([pa.nulls(n, f.type)]))
    return _to_pandas(pa.Table.from_arrays(arrays, schema=schema))


def read_tape(paths, table, columns=None, start=None, end=None, where=None):
    """A dask.dataframe.DataFrame over `table` of the runs `paths` (files, directories, globs),
    one partition per run (see the module doc)."""
    import dask.dataframe as dd
    files = _tape.run_files(paths)
    if not files:
        raise _tape.TapeValueError("no runs in %r" % (paths,))
    if columns is not None:
        columns = [c for c in columns if c != "run"]
    schema = _union_schema(files, table, columns)
    meta = _to_pandas(schema.empty_table())
    return dd.from_map(read_partition, files, table=table, schema=schema, start=start, end=end, where=where,
                       meta=meta, enforce_metadata=False, label="read-tape")
