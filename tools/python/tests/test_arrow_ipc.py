"""`--format arrow` (Arrow IPC stream) on tape sql / cat / export, read by pyarrow.ipc.open_stream:
every type with nulls and NaN, empty results, dictionary batches, a 1M-row stream."""
import math
import subprocess

import pyarrow as pa
import pytest

import tape


def ipc(cli, *args):
    p = subprocess.run([cli, *map(str, args)], capture_output=True)
    assert p.returncode == 0, p.stderr.decode()
    reader = pa.ipc.open_stream(p.stdout)
    t = reader.read_all()
    t.validate(full=True)
    return t


def plain(t):
    """`t` with dictionary columns decoded."""
    return pa.table({n: (c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c)
                     for n, c in zip(t.column_names, t.columns)})


def test_every_type_with_nulls_and_nan(cli, types_file):
    t = ipc(cli, "cat", types_file, "t", "--format", "arrow")
    want = tape.read_table(types_file, "t")
    assert plain(t).drop_columns(["f"]).equals(want.drop_columns(["f"]))
    f = t.column("f").to_pylist()
    assert f[0] == 1.5 and math.isnan(f[1]) and f[2] is None
    assert t.schema.field("ts").type == pa.timestamp("ns", tz="UTC")


def test_dictionary_columns_arrive_as_dictionary_batches(cli, small_demo):
    t = ipc(cli, "sql", "SELECT * FROM decisions", small_demo, "--format", "arrow")
    want = tape.sql("SELECT * FROM decisions", small_demo)
    assert any(pa.types.is_dictionary(f.type) for f in t.schema)
    assert plain(t).equals(want)


def test_empty_results_and_empty_tables(cli, types_file, empty_file):
    t = ipc(cli, "sql", "SELECT i, s FROM t WHERE i > 100", types_file, "--format", "arrow")
    assert t.num_rows == 0 and t.column_names == ["i", "s"]
    e = ipc(cli, "export", empty_file, "e", "--format", "arrow")
    assert e.num_rows == 0 and e.schema == pa.schema([("ts", pa.timestamp("ns", tz="UTC")), ("v", pa.float64()), ("s", pa.string())])


def test_a_million_row_export_equals_the_c_stream(cli, demo_dir):
    path = demo_dir + "/demo/demo.tape"
    t = ipc(cli, "export", path, "equity", "--format", "arrow")
    assert t.num_rows == 1_000_000
    assert plain(t).equals(tape.read_table(path, "equity"))


def test_union_of_runs_with_run_column(cli, union_dir):
    t = ipc(cli, "sql", "SELECT run, x, y FROM t ORDER BY run, x", union_dir, "--format", "arrow")
    assert plain(t).equals(tape.sql("SELECT run, x, y FROM t ORDER BY run, x", union_dir))
