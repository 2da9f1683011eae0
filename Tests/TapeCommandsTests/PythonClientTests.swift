import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// tools/python/tape_writer.py and its backtesting.py example against the built `tape`.
@Suite(.enabled(if: TestPython.isAvailable)) struct PythonClientTests {
    /// Runs the example's backtest and stream, then checks in Python that every equity and trade
    /// value read back with `tape cat --format jsonl` equals the backtest's own, and in Swift that
    /// the file holds the counts Python reported.
    @Test func backtestingPyExampleRoundTrips() throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("sma.tape")
        let script = #"""
            import json, math, subprocess, sys
            root, tape, path = sys.argv[1:4]
            sys.path.insert(0, root + "/tools/python/examples")
            import backtesting_py_example as ex
            from tape_writer import to_json_value
            stats = ex.run_backtest()
            summary = ex.stream_to_tape(stats, path, tape_bin=tape)
            def rows(table):
                out = subprocess.run([tape, "cat", path, table, "--format", "jsonl"], check=True, capture_output=True, text=True).stdout
                return [json.loads(l) for l in out.splitlines()]
            def same(a, b):
                if isinstance(a, int) and isinstance(b, str):  # a Timedelta column: a duration, printed as text
                    import pandas as pd
                    return pd.to_timedelta(b).value == a
                if isinstance(a, float) and isinstance(b, (int, float)):
                    return a == b or (math.isnan(a) and b is None)
                return a == b
            for table, frame in (("equity", ex.equity_frame(stats)), ("trades", stats._trades)):
                got = rows(table)
                assert len(got) == len(frame), (table, len(got), len(frame))
                names = [str(c) for c in frame.columns]
                for i, values in enumerate(frame.itertuples(index=False, name=None)):
                    for name, v in zip(names, values):
                        want = to_json_value(v)
                        assert same(want, got[i][name]) or (isinstance(want, str) and want.replace(".000000000", "") == got[i][name]), (table, i, name, want, got[i][name])
            counts = {t["name"]: t["rows"] for t in summary["tables"]}
            print(json.dumps({"equity": counts["equity"], "trades": counts["trades"], "frames": [len(stats._equity_curve), len(stats._trades)]}))
            """#
        let out = try TestPython.run(script, arguments: [repositoryRoot, tape, path])
        let report = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let frames = report?["frames"] as? [Int]
        #expect(frames?.count == 2 && (frames?[0] ?? 0) > 1000 && (frames?[1] ?? 0) > 10)
        let rows = try tableRows(path)
        #expect(rows["equity"]?.count == frames?[0])
        #expect(rows["trades"]?.count == frames?[1])
        #expect(report?["equity"] as? Int == frames?[0])
        let reader = try TapeReader(path: path)
        #expect(reader.metadata.contains { $0.key == "strategy" && $0.value == "SmaCross" })
        #expect(try reader.table("equity").schema.columns.first == ColumnDef("ts", .timestamp))
    }

    /// The example as a user runs it: backtest, stream, then tape info / cat / sql on the result.
    @Test func exampleScriptRunsEndToEnd() throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let script = #"""
            import runpy, sys
            root, tape, out = sys.argv[1:4]
            sys.argv = ["backtesting_py_example.py", "--tape", tape, "--out", out]
            runpy.run_path(root + "/tools/python/examples/backtesting_py_example.py", run_name="__main__")
            """#
        let out = try TestPython.run(script, arguments: [repositoryRoot, tape, dir.path("sma.tape")])
        #expect(out.contains("\"name\": \"equity\""), "\(out)")
        #expect(out.contains("$ tape sql 'SELECT date_trunc"))
        #expect(out.contains("2013-01-01T00:00:00Z"))   // a yearly row of the SQL query
        #expect(try tableRows(dir.path("sma.tape"))["trades"]?.isEmpty == false)
    }

    /// A rejected row surfaces as a Python exception carrying tape's message; the file keeps the
    /// rows before it.
    @Test func tapeErrorsBecomePythonExceptions() throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("bad.tape")
        let script = #"""
            import sys, datetime
            root, tape, path = sys.argv[1:4]
            sys.path.insert(0, root + "/tools/python")
            from tape_writer import TapeWriter, TapeIngestError
            w = TapeWriter(path, tape_bin=tape)
            w.declare("equity", {"ts": "timestamp!", "equity": "float64"})
            w.write("equity", {"ts": datetime.datetime(2024, 1, 1), "equity": 1.0})
            w.write("equity", {"ts": datetime.datetime(2024, 1, 1, 0, 1), "equity": 2.0, "bogus": 3})
            try:
                w.close()
            except TapeIngestError as e:
                print(e.message)
                print(e.summary["tables"][0]["rows"])
            # An exception inside the with block cancels the run, keeping its rows, and propagates.
            import numpy as np, pandas as pd
            try:
                with TapeWriter(path + ".cancelled", tape_bin=tape, metadata={"k": "v"}) as c:
                    c.write("equity", {"ts": pd.Timestamp("2024-01-01 00:00:00.000000001"), "equity": np.float64(2.5),
                                       "n": np.int64(7), "gap": pd.Timedelta(seconds=1), "nan": float("nan")})
                    raise ValueError("strategy blew up")
            except ValueError:
                print("propagated")
            """#
        let out = try TestPython.run(script, arguments: [repositoryRoot, tape, path])
        #expect(out.contains("line 3, field 'bogus': column 'bogus' is not in the schema"), "\(out)")
        #expect(out.hasSuffix("1\npropagated\n"))
        let cancelled = try TapeReader(path: path + ".cancelled")
        let meta = Dictionary(cancelled.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        #expect(meta["tape.cancelled"] == "true" && meta["tape.cancel_reason"] == "ValueError: strategy blew up" && meta["k"] == "v")
        // nanosecond timestamp, numpy scalars, timedelta as int64 nanoseconds, NaN as null (types inferred by tape)
        #expect(try cancelled.rows("equity") == [[.timestamp(1_704_067_200_000_000_001), .double(2.5), .int(7), .int(1_000_000_000), .null]])
        #expect(try tableRows(path)["equity"] == [[.timestamp(1_704_067_200_000_000_000), .double(1)]])
    }
}
