import Foundation
import Tape
import TapeFormat
import TapeTestSupport
import Testing

/// The duration type (format 1.3): text forms, cat/sql printing, SQL arithmetic and aggregates
/// alike for stored durations and timestamp differences, ingest, the Python writer, Parquet export.
@Suite("duration type", .serialized)
struct DurationTests {
    @Test("text forms: DuckDB's INTERVAL spelling out, DuckDB/pandas text, ISO-8601 and nanoseconds in")
    func textForms() {
        let day = Durations.nanosPerDay, hour: Int64 = 3_600_000_000_000
        let cases: [(Int64, String)] = [
            (0, "00:00:00"), (2 * day + 3 * hour, "2 days 03:00:00"), (day, "1 day"), (1_500_000_000, "00:00:01.5"),
            (-(day + 2 * hour), "-1 day -02:00:00"), (1, "00:00:00.000000001"), (-1_000_000_000, "-00:00:01"),
            (Int64.max, "106751 days 23:47:16.854775807"), (Int64.min, "-106751 days -23:47:16.854775808"),
        ]
        for (ns, text) in cases {
            #expect(Durations.format(ns) == text)
            #expect(Durations.parse(text) == ns, "\(text)")
        }
        #expect(Durations.parse("P2DT3H") == 2 * day + 3 * hour)
        #expect(Durations.parse("PT0.5S") == 500_000_000)
        #expect(Durations.parse("-PT1M") == -60_000_000_000)
        #expect(Durations.parse("0 days 00:15:00") == Int64(900_000_000_000))  // pandas' str(Timedelta)
        #expect(Durations.parse("51:00:00") == 51 * hour)
        #expect(Durations.parse("12345") == 12345)
        // Hostile text: nil, never a trap.
        for bad in ["", "P", "PT", "P1Y", "P1M", "1 fortnight", "00:60:00", "00:00:60", "1:2:3", "00:00:00.1234567890",
                    "106752 days", "-106752 days", "P999999999999999999D", "PT99999999999999999999S", "days 1", "1 day 1 day",
                    "٣ days", "00:00:0١"] {
            #expect(Durations.parse(bad) == nil, "\(bad)")
        }
    }

    /// A run with a `trades` table holding entry/exit timestamps and a stored duration `held`.
    static func writeRun(_ path: String) throws {
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp),
                                                       ColumnDef("held", .duration)])
        let base: Int64 = 1_704_067_200_000_000_000  // 2024-01-01
        let hour: Int64 = 3_600_000_000_000
        for (entry, hours) in [(0, 51), (1, 2), (2, 30), (3, 0)] {
            let e = base + Int64(entry) * hour
            try t.append(values: [.timestamp(e), .timestamp(e + Int64(hours) * hour), .int(Int64(hours) * hour)])
        }
        try t.append(values: [.timestamp(base), .timestamp(base), .null])
        try w.close()
    }

    @Test("cat and sql print durations as DuckDB does; stored durations and timestamp differences compare and aggregate alike")
    func catAndSQL() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try Self.writeRun(path)
        let cat = try runTape(["cat", path, "trades", "--columns", "held", "-f", "csv"])
        #expect(cat.stdout == "held\n2 days 03:00:00\n02:00:00\n1 day 06:00:00\n00:00:00\n\n", "\(cat.stderr)")
        let json = try runTape(["cat", path, "trades", "--columns", "held", "--limit", "1", "-f", "jsonl"])
        #expect(json.stdout == "{\"held\":\"2 days 03:00:00\"}\n")
        let info = try runTape(["info", path])
        #expect(info.stdout.contains("held") && info.stdout.contains("duration") && info.stdout.contains("2 days 03:00:00"))
        // exit_ts - entry_ts and the stored duration are the same values.
        let same = try runTape(["sql", "SELECT count(*) AS n FROM trades WHERE held = exit_ts - entry_ts", path, "-f", "csv"])
        #expect(same.stdout == "n\n4\n", "\(same.stderr)")
        let cmp = try runTape(["sql", "SELECT count(*) AS n FROM trades WHERE held > INTERVAL '1 day'", path, "-f", "csv"])
        #expect(cmp.stdout == "n\n2\n", "\(cmp.stderr)")
        let agg = try runTape(["sql", "SELECT min(held) AS lo, max(held) AS hi, min(exit_ts - entry_ts) AS lo2, max(exit_ts - entry_ts) AS hi2 FROM trades",
                               path, "-f", "csv"])
        #expect(agg.stdout == "lo,hi,lo2,hi2\n00:00:00,2 days 03:00:00,00:00:00,2 days 03:00:00\n", "\(agg.stderr)")
        // --where on a duration column in cat.
        let filtered = try runTape(["cat", path, "trades", "--columns", "held", "--where", "held >= INTERVAL '2 hours'", "-f", "csv"])
        #expect(filtered.stdout == "held\n2 days 03:00:00\n02:00:00\n1 day 06:00:00\n", "\(filtered.stderr)")
    }

    @Test("sum and avg of durations are INTERVALs: parts summed exactly, avg carries remainders down as DuckDB does")
    func sumAndAverage() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try Self.writeRun(path)
        // held: 2 days 03:00, 02:00, 1 day 06:00, 00:00, NULL (83 hours over 4 values); the
        // timestamp differences are the same plus a fifth 00:00.
        let r = try runTape(["sql", "SELECT sum(held) AS s, avg(held) AS a, sum(exit_ts - entry_ts) AS s2, avg(exit_ts - entry_ts) AS a2 FROM trades",
                             path, "-f", "csv"])
        #expect(r.stdout == "s,a,s2,a2\n3 days 11:00:00,20:45:00,3 days 11:00:00,16:36:00\n", "\(r.stderr)")
        let grouped = try runTape(["sql", "SELECT held IS NULL AS missing, sum(held) AS s, avg(held) AS a FROM trades GROUP BY 1 ORDER BY 1",
                                   path, "-f", "csv"])
        #expect(grouped.stdout == "missing,s,a\nfalse,3 days 11:00:00,20:45:00\ntrue,,\n", "\(grouped.stderr)")
        // A month carries down as 30 days (1 month / 5 = 6 days), a day as 24 hours, and the
        // nanoseconds round to the nearest (2 ns / 5 rows = 0.4 ns -> 0; 3 ns / 5 = 0.6 -> 1 ns).
        let carry = try runTape(["sql", """
            SELECT avg(CASE WHEN held = INTERVAL '2 hours' THEN INTERVAL '1 month' ELSE INTERVAL '0 days' END) AS m,
                   avg(CASE WHEN held = INTERVAL '2 hours' THEN INTERVAL '2 ns' ELSE INTERVAL '0 days' END) AS n2,
                   avg(CASE WHEN held = INTERVAL '2 hours' THEN INTERVAL '3 ns' ELSE INTERVAL '0 days' END) AS n3
            FROM trades
            """, path, "-f", "csv"])
        #expect(carry.stdout == "m,n2,n3\n6 days,00:00:00,00:00:00.000000001\n", "\(carry.stderr)")
        // A sum past the INTERVAL range is an error naming the call.
        let over = try runTape(["sql", "SELECT sum(CASE WHEN held IS NULL THEN INTERVAL '0 days' ELSE INTERVAL '2562047:00:00' END) FROM trades", path])
        #expect(over.status != 0 && over.stderr.contains("overflows INTERVAL"), "\(over.stderr)")
    }

    @Test("the same query in DuckDB gives the same text for timestamp differences and aggregates",
          .enabled(if: TestPython.isAvailable))
    func matchesDuckDB() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try Self.writeRun(path)
        let query = "SELECT exit_ts - entry_ts AS d FROM trades ORDER BY d"
        let ours = try runTape(["sql", query, path, "-f", "csv"])
        let csv = try runTape(["cat", path, "trades", "--columns", "entry_ts,exit_ts", "-f", "csv"])
        let csvPath = dir.path("t.csv")
        try csv.stdout.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let duck = try TestPython.run("""
            import duckdb, sys
            con = duckdb.connect()
            con.execute("CREATE TABLE trades AS SELECT * FROM read_csv(?, header=true, columns={'entry_ts':'TIMESTAMP','exit_ts':'TIMESTAMP'})", [sys.argv[1]])
            print("d")
            for (d,) in con.execute("SELECT CAST(exit_ts - entry_ts AS VARCHAR) AS d FROM trades ORDER BY exit_ts - entry_ts").fetchall():
                print("" if d is None else d)
            """, arguments: [csvPath])
        #expect(ours.stdout == duck, "\(ours.stdout) vs \(duck)")
    }

    @Test("ingest and import read every text form; a bad duration is an error naming its line")
    func ingestAndImport() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let records = """
            {"$schema":"holds","n":"int64","held":"duration"}
            {"$table":"holds","n":1,"held":"2 days 03:00:00"}
            {"$table":"holds","n":2,"held":"P1DT6H"}
            {"$table":"holds","n":3,"held":7200000000000}
            {"$table":"holds","n":4,"held":null}
            {"$close":true}

            """
        let r = try runTape(["ingest", path], stdin: records)
        #expect(r.status == 0, "\(r.stderr)")
        let cat = try runTape(["cat", path, "holds", "-f", "csv"])
        #expect(cat.stdout == "n,held\n1,2 days 03:00:00\n2,1 day 06:00:00\n3,02:00:00\n4,\n")
        // CSV written by cat imports back with --schema (the round trip keeps every value).
        let csvPath = dir.path("holds.csv")
        try cat.stdout.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let imported = try runTape(["import", dir.path("copy.tape"), "holds", "--csv", csvPath, "--schema", "n:int64,held:duration"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try runTape(["cat", dir.path("copy.tape"), "holds", "-f", "csv"]).stdout == cat.stdout)
        // Hostile: a duration that does not parse, and one that overflows.
        for bad in ["\"3 fortnights\"", "\"106752 days\"", "true"] {
            let b = try runTape(["ingest", dir.path("bad.tape"), "--force"],
                                stdin: "{\"$schema\":\"h\",\"held\":\"duration\"}\n{\"$table\":\"h\",\"held\":\(bad)}\n{\"$close\":true}\n")
            #expect(b.status == 1 && b.stderr.contains("line 2"), "\(bad): \(b.stderr)")
        }
    }

    @Test("the Python writer stores timedelta and pandas Timedelta columns as durations", .enabled(if: TestPython.isAvailable))
    func pythonWriter() throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let script = #"""
            import sys, datetime
            root, tape, out = sys.argv[1:4]
            sys.path.insert(0, root + "/tools/python")
            import pandas as pd
            from tape_writer import TapeWriter
            with TapeWriter(out, tape_bin=tape) as w:
                w.write("a", {"n": 1, "held": datetime.timedelta(days=2, hours=3)})
                w.write("a", {"n": 2, "held": datetime.timedelta(seconds=1.5)})
                df = pd.DataFrame({"n": [1, 2], "held": pd.to_timedelta(["1 day 06:00:00", None])})
                w.write_many("b", df)
            """#
        _ = try TestPython.run(script, arguments: [repositoryRoot, tape, dir.path("py.tape")])
        let reader = try TapeReader(path: dir.path("py.tape"))
        #expect(try reader.table("a").schema.columns.map(\.type) == [.int64, .duration])
        #expect(try reader.table("b").schema.columns.map(\.type) == [.int64, .duration])
        #expect(try runTape(["cat", dir.path("py.tape"), "a", "-f", "csv"]).stdout == "n,held\n1,2 days 03:00:00\n2,00:00:01.5\n")
        #expect(try runTape(["cat", dir.path("py.tape"), "b", "-f", "csv"]).stdout == "n,held\n1,1 day 06:00:00\n2,\n")
    }

    @Test("Parquet export writes durations as INT64 nanoseconds that pyarrow reads back as duration[ns] (ARROW:schema), named in tape.duration_columns",
          .enabled(if: TestPython.isAvailable), arguments: ["micros", "nanos"])
    func parquetDurations(unit: String) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try Self.writeRun(path)
        let r = try runTape(["export", path, "--format", "parquet", "-o", dir.path("pq"), "--timestamp-unit", unit])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try TestPython.run("""
            import sys, json, pyarrow.parquet as pq, pandas as pd
            t = pq.read_table(sys.argv[1])
            names = json.loads(t.schema.metadata[b"tape.duration_columns"])
            col = t.column("held")
            print(str(col.type), names, [None if v is None else str(pd.Timedelta(v)) for v in col.to_pylist()], str(t.column("entry_ts").type))
            # Without the Arrow schema (as a reader that ignores it sees the file): INT64 nanoseconds.
            print(pq.read_schema(sys.argv[1]).field("held").type, pq.ParquetFile(sys.argv[1]).schema.column(2).physical_type)
            """, arguments: [dir.path("pq/run.trades.parquet")])
        let ts = unit == "micros" ? "us" : "ns"
        #expect(out == "duration[ns] ['held'] ['2 days 03:00:00', '0 days 02:00:00', '1 days 06:00:00', '0 days 00:00:00', None] timestamp[\(ts), tz=UTC]\nduration[ns] INT64\n")
    }
}
