"""dictionary=: libTapeArrow streams string columns as Arrow dictionary<int32, utf8> arrays made
from Tape's own dictionaries (no per-row conversion), equal to the plain read; a list keeps only
the named columns as dictionaries."""
import pyarrow as pa
import pytest

import tape


def test_every_string_column_is_an_int32_utf8_dictionary(small_demo):
    plain = tape.read_table(small_demo, "trades")
    t = tape.read_table(small_demo, "trades", dictionary=True)
    t.validate(full=True)
    for f in plain.schema:
        if pa.types.is_string(f.type):
            assert t.schema.field(f.name).type == pa.dictionary(pa.int32(), pa.string())
            assert t.column(f.name).cast(pa.string()).equals(plain.column(f.name))
        else:
            assert t.column(f.name).equals(plain.column(f.name))


def test_plain_chunks_nulls_and_a_column_missing_from_a_run(types_file, union_dir, tmp_path, run_cli):
    # types_file's `s` has NULLs and is stored plain or as a dictionary depending on the chunk.
    t = tape.read_table(types_file, "t", dictionary=True)
    t.validate(full=True)
    assert pa.types.is_dictionary(t.schema.field("s").type)
    assert t.column("s").cast(pa.string()).equals(tape.read_table(types_file, "t").column("s"))
    # Many distinct strings in one chunk (written plain): dictionary-encoded on export.
    rows = "".join('{"$table":"u","k":"key-%d"}\n' % i for i in range(5000))
    run_cli("ingest", tmp_path / "u.tape", input='{"$schema":"u","k":"string"}\n' + rows + '{"$close":true}\n')
    u = tape.read_table(str(tmp_path / "u.tape"), "u", dictionary=True)
    u.validate(full=True)
    assert u.column("k").cast(pa.string()).to_pylist() == ["key-%d" % i for i in range(5000)]
    # `run` is a string column too (several runs).
    r = tape.read_table(union_dir, "t", dictionary=True)
    assert pa.types.is_dictionary(r.schema.field("run").type)
    assert r.column("run").cast(pa.string()).equals(tape.read_table(union_dir, "t").column("run"))


def test_a_list_keeps_only_the_named_columns_as_dictionaries(small_demo):
    t = tape.read_table(small_demo, "trades", dictionary=["side"])
    strings = [f.name for f in tape.read_table(small_demo, "trades").schema if pa.types.is_string(f.type)]
    assert "side" in strings
    for name in strings:
        assert pa.types.is_dictionary(t.schema.field(name).type) == (name == "side")
    with pytest.raises(tape.TapeValueError, match="no column 'zz'"):
        tape.read_table(small_demo, "trades", dictionary=["zz"])
