"""Shared fixtures: the `tape` CLI (TAPE_CLI, else the checkout's debug build) writes every .tape
file these tests read through libTapeArrow (TAPE_LIBRARY; see tape/_library.py)."""
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _cli():
    if os.environ.get("TAPE_CLI"):
        return os.environ["TAPE_CLI"]
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return os.path.join(out.stdout.strip(), "tape")


@pytest.fixture(scope="session")
def cli():
    path = _cli()
    assert os.path.exists(path), "build the tape CLI first (make pytest does): %s" % path
    return path


@pytest.fixture(scope="session")
def run_cli(cli):
    def run(*args, input=None):
        p = subprocess.run([cli, *map(str, args)], input=input, capture_output=True, text=True)
        assert p.returncode == 0, "tape %s failed: %s" % (" ".join(map(str, args)), p.stderr)
        return p.stdout
    return run


TYPES_CSV = (
    "ts,i,f,b,s\n"
    "2024-01-01T00:00:00.000000001Z,1,1.5,true,a\n"
    ",,NaN,,\n"
    "2024-01-02T00:00:00Z,-9223372036854775808,,false,ünï\n"
)


@pytest.fixture(scope="session")
def types_file(tmp_path_factory, run_cli):
    """Table `t`: one column of every type; row 1 all null except f = NaN; row 2 f null."""
    d = tmp_path_factory.mktemp("types")
    (d / "t.csv").write_text(TYPES_CSV, encoding="utf-8")
    path = d / "types.tape"
    run_cli("import", path, "t", "--csv", d / "t.csv", "--schema", "ts:timestamp,i:int64,f:float64,b:bool,s:string")
    empty = '{"$schema":"e","ts":"timestamp","v":"float64","s":"string"}\n{"$close":true}\n'
    run_cli("ingest", d / "empty.tape", input=empty)
    return str(path)


@pytest.fixture(scope="session")
def empty_file(types_file):
    return os.path.join(os.path.dirname(types_file), "empty.tape")


@pytest.fixture(scope="session")
def union_dir(tmp_path_factory, run_cli):
    """Two runs of table `t`: a.tape (ts, x, y) and b.tape (ts, x; run_id metadata 'beta')."""
    d = tmp_path_factory.mktemp("union")
    (d / "a.csv").write_text("ts,x,y\n2024-01-01T00:00:00Z,1,10.5\n2024-01-01T00:01:00Z,2,\n", encoding="utf-8")
    run_cli("import", d / "a.tape", "t", "--csv", d / "a.csv")
    rows = ('{"$schema":"t","ts":"timestamp","x":"int64"}\n'
            '{"$table":"t","ts":"2024-01-02T00:00:00Z","x":3}\n'
            '{"$close":true}\n')
    run_cli("ingest", d / "b.tape", "--metadata", "run_id=beta", input=rows)
    return str(d)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, run_cli):
    """`tape demo` with 1M one-minute bars (equity, decisions: 1,000,000 rows; trades) in DIR/demo/."""
    d = tmp_path_factory.mktemp("big")
    run_cli("demo", d / "demo", "--bars", 1_000_000)
    return str(d)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory, run_cli):
    d = tmp_path_factory.mktemp("small")
    run_cli("demo", d, "--bars", 300_000)
    return str(d / "demo.tape")
