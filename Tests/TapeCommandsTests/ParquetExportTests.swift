import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport

/// `tape export --format parquet` read back by pyarrow and DuckDB, value by value against Tape's
/// own read of the same rows.
@Suite(.enabled(if: TestPython.isAvailable)) struct ParquetExportTests {
    static let rows = 2_500

    /// A run with every type, nulls, awkward values and several chunks: table `mixed`, plus an
    /// all-null-columns table `sparse` and an empty table `empty`.
    static func writeRun(_ path: String, seed: UInt64) throws {
        var g = SplitMix64(seed: seed)
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 700), metadata: ["strategy": "mix"])
        let mixed = try w.declareTable("mixed", columns: [
            ColumnDef("ts", .timestamp, nullable: false), ColumnDef("at", .timestamp), ColumnDef("qty", .int64, nullable: false),
            ColumnDef("px", .float64), ColumnDef("live", .bool), ColumnDef("sym", .string), ColumnDef("note", .string, nullable: false),
            ColumnDef("grow", .string),
        ])
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1e-300, -1.5e300]
        let words = ["", "A", "Zürich", "日本", "with \"quotes\", commas", "tab\there", "emoji 🚀"]
        for i in 0..<rows {
            let r = g.next()
            try mixed.appendRow { row in
                try row.set(0, timestamp: 1_600_000_000_000_000_000 + Int64(i) * 60_000_000_123)
                // `at`: before and after 1970, with sub-microsecond parts.
                if r % 5 == 0 { try row.setNull(1) } else { try row.set(1, timestamp: Int64(bitPattern: r) % 4_000_000_000_000_000_000) }
                try row.set(2, int: Int64(bitPattern: g.next()) >> Int64(r % 60))
                if r % 7 == 1 { try row.setNull(3) } else if r % 11 == 0 { try row.set(3, double: specials[i % specials.count]) }
                else { try row.set(3, double: Double(Int64(bitPattern: g.next()) % 1_000_000) / 100) }
                if r % 3 == 2 { try row.setNull(4) } else { try row.set(4, bool: r & 8 == 0) }
                if r % 4 == 3 { try row.setNull(5) } else { try row.set(5, string: ["AAPL", "MSFT", "GOOG"][Int(r % 3)]) }
                try row.set(6, string: words[i % words.count] + String(i % 13))
                try row.set(7, string: "g\(i / 100)")  // distinct values accumulate over a row group
            }
        }
        let sparse = try w.declareTable("sparse", columns: [ColumnDef("ts", .timestamp), ColumnDef("x", .float64), ColumnDef("s", .string)])
        for _ in 0..<10 { try sparse.appendRow { row in try row.setNull(0); try row.setNull(1); try row.setNull(2) } }
        _ = try w.declareTable("empty", columns: [ColumnDef("ts", .timestamp), ColumnDef("v", .int64)])
        try w.close()
    }

    /// Reads every Parquet file given, with pyarrow and DuckDB; prints per file its arrow schema,
    /// DuckDB's column types, the rows as JSON (floats as repr, timestamps as integers in the
    /// file's unit) and per row group and column whether min/max/null_count match the data.
    static let readScript = #"""
        import json, sys, math
        import pyarrow as pa, pyarrow.parquet as pq, pyarrow.compute as pc, duckdb
        def plain(v):
            if isinstance(v, bool): return f"bool:{v}"
            if isinstance(v, float): return repr(v)
            return v
        out = {}
        for path in sys.argv[1:]:
            f = pq.ParquetFile(path)
            t = f.read()
            cols = {}
            for name in t.column_names:
                c = t.column(name)
                if pa.types.is_timestamp(c.type): c = c.cast(pa.int64())
                cols[name] = [plain(v) for v in c.to_pylist()]
            stats_ok = []
            encodings = set()
            for g in range(f.metadata.num_row_groups):
                rg = f.read_row_group(g)
                for j, name in enumerate(rg.column_names):
                    s = f.metadata.row_group(g).column(j).statistics
                    col = rg.column(name)
                    nulls = col.null_count
                    ok = s is not None and s.has_null_count and s.null_count == nulls
                    valid = col.drop_null()
                    if pa.types.is_floating(col.type): valid = valid.filter(pc.invert(pc.is_nan(valid)))
                    if len(valid) > 0:
                        mm = pc.min_max(valid)
                        ok = ok and s.has_min_max and s.min == mm["min"].as_py() and s.max == mm["max"].as_py()
                    stats_ok.append([g, name, bool(ok)])
                    encodings.add(f"{name}:" + ",".join(sorted(f.metadata.row_group(g).column(j).encodings)))
            rel = duckdb.sql(f"select * from read_parquet('{path}')")
            types = [str(t) for t in rel.types]
            # DuckDB's timestamps as epoch integers in the file's unit (fetching TIMESTAMPTZ objects needs pytz).
            exprs = []
            for name, ty in zip(rel.columns, types):
                q = '"' + name.replace('"', '""') + '"'
                exprs.append((f"epoch_ns({q})" if "_NS" in ty else f"epoch_us({q})") if ty.startswith("TIMESTAMP") else q)
            drows = duckdb.sql(f"select {', '.join(exprs)} from read_parquet('{path}')").fetchall()
            same = len(drows) == t.num_rows
            for j, name in enumerate(t.column_names):
                c = t.column(name)
                if pa.types.is_timestamp(c.type):
                    want = c.cast(pa.int64()).to_pylist()
                else:
                    want = c.to_pylist()
                for v, d in zip(want, (r[j] for r in drows)):
                    if isinstance(v, float) and math.isnan(v): same = same and isinstance(d, float) and math.isnan(d)
                    else: same = same and v == d
            out[path] = {"schema": [f"{fl.name}:{fl.type}:{fl.nullable}" for fl in t.schema], "duckdb_types": types,
                         "duckdb_same": same, "columns": cols, "stats": stats_ok, "row_groups": f.metadata.num_row_groups,
                         "created_by": f.metadata.created_by, "encodings": sorted(encodings), "kv": {k.decode(): v.decode() for k, v in (f.schema_arrow.metadata or {}).items()}}
        print(json.dumps(out))
        """#

    private func pythonRead(_ files: [String]) throws -> [String: [String: Any]] {
        let out = try TestPython.run(Self.readScript, arguments: files)
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [String: Any]])
    }

    /// Whether the JSON value from Python equals Tape's value, timestamps in `unitNanos`.
    private func same(_ tape: Value, _ json: Any, unitNanos: Int64) -> Bool {
        switch tape {
        case .null: return json is NSNull
        case .int(let v): return (json as? NSNumber)?.int64Value == v && !(json is String)
        case .double(let v):
            guard let s = json as? String, let d = Double(s) else { return false }
            return v.isNaN ? d.isNaN : d.bitPattern == v.bitPattern
        case .bool(let b): return (json as? String) == (b ? "bool:True" : "bool:False")
        case .string(let s): return (json as? String) == s
        case .timestamp(let ns):
            let q = ns / unitNanos, floor = (ns % unitNanos != 0 && ns < 0) ? q - 1 : q
            return (json as? NSNumber)?.int64Value == floor
        case .interval: return false   // no stored column holds one
        }
    }

    /// Dictionary strings (default), strings PLAIN, and at most 8 dictionary entries: `sym` (3
    /// distinct) stays a dictionary, `note` (91 in the first page) is PLAIN, `grow` (10 per row
    /// group, arriving over its pages) overflows mid-chunk and mixes both.
    @Test(arguments: [("micros", Int64(1_000), "65536"), ("nanos", Int64(1), "0"), ("micros", Int64(1_000), "8")])
    func pyarrowAndDuckDBReadEveryValue(unit: String, unitNanos: Int64, dictionaryEntries: String) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run1.tape")
        try Self.writeRun(path, seed: 7)
        let r = try runTape(["export", path, "--format", "parquet", "--out", dir.path("pq"), "--row-group-rows", "1000",
                             "--timestamp-unit", unit, "--max-dictionary-entries", dictionaryEntries])
        #expect(r.status == 0, "\(r.stderr)")
        let files = r.stdout.split(separator: "\n").map(String.init)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["run1.mixed.parquet", "run1.sparse.parquet", "run1.empty.parquet"])
        let read = try pythonRead(files)
        let tape = try tableRows(path)
        let reader = try TapeReader(path: path)
        for (file, table) in zip(files, ["mixed", "sparse", "empty"]) {
            let info = try #require(read[file])
            let schema = try reader.table(table).schema
            let columns = try #require(info["columns"] as? [String: [Any]])
            let rows = tape[table] ?? []
            for (c, def) in schema.columns.enumerated() {
                let values = try #require(columns[def.name])
                try #require(values.count == rows.count)
                let mismatch = (0..<rows.count).first { !same(rows[$0][c], values[$0], unitNanos: unitNanos) }
                #expect(mismatch == nil, "\(table).\(def.name) row \(mismatch ?? -1): \(mismatch.map { "\(rows[$0][c]) vs \(values[$0])" } ?? "")")
            }
            let tsType = unit == "micros" ? "timestamp[us, tz=UTC]" : "timestamp[ns, tz=UTC]"
            let expectedSchema = schema.columns.map { def -> String in
                let type: String
                switch def.type {
                case .int64, .duration: type = "int64"
                case .float64: type = "double"
                case .bool: type = "bool"
                case .string: type = "string"
                case .timestamp: type = tsType
                }
                return "\(def.name):\(type):\(def.nullable ? "True" : "False")"
            }
            #expect(info["schema"] as? [String] == expectedSchema)
            let duckTypes = try #require(info["duckdb_types"] as? [String])
            for (def, t) in zip(schema.columns, duckTypes) {
                if def.type == .string { #expect(t == "VARCHAR") }
                if def.type == .timestamp { #expect(t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMP_NS WITH TIME ZONE" || t.hasPrefix("TIMESTAMP"), "\(t)") }
            }
            #expect(info["duckdb_same"] as? Bool == true)
            let stats = try #require(info["stats"] as? [[Any]])
            #expect(stats.allSatisfy { ($0.last as? Bool) == true }, "\(stats.filter { ($0.last as? Bool) != true })")
            #expect(info["row_groups"] as? Int == (rows.count + 999) / 1000)
            if table == "mixed" {
                let encodings = Set(try #require(info["encodings"] as? [String]))
                let dictionary = "PLAIN,RLE,RLE_DICTIONARY"
                #expect(encodings.contains("sym:" + (dictionaryEntries == "0" ? "PLAIN,RLE" : dictionary)), "\(encodings)")
                #expect(encodings.contains("note:" + (dictionaryEntries == "65536" ? dictionary : "PLAIN")), "\(encodings)")
                #expect(encodings.contains("grow:" + (dictionaryEntries == "0" ? "PLAIN,RLE" : dictionary)), "\(encodings)")
                #expect(encodings.contains("qty:PLAIN"))
            }
            #expect(info["created_by"] as? String == "tape version \(TapeVersion.string) (build swift)")
            let kv = info["kv"] as? [String: String]
            #expect(kv?["strategy"] == "mix" && kv?["tape.table"] == table)
        }
    }

    @Test func partitionedFolderReadsWithHivePartitioning() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try Self.writeRun(dir.path("a.tape"), seed: 1)
        try Self.writeRun(dir.path("b.tape"), seed: 2)
        let out = dir.path("lake")
        let r = try runTape(["export", dir.path("a.tape"), dir.path("b.tape"), "--format", "parquet", "--out", out,
                             "--partitioned", "--table", "mixed", "--codec", "lz4"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "\(out)/table=mixed/run=a/part.parquet\n\(out)/table=mixed/run=b/part.parquet\n")
        let script = #"""
            import duckdb, sys, json
            q = f"select run, \"table\", count(*), count(sym) from read_parquet('{sys.argv[1]}/*/*/*.parquet', hive_partitioning=true) group by all order by run"
            print(json.dumps([list(r) for r in duckdb.sql(q).fetchall()]))
            """#
        let got = try #require(try JSONSerialization.jsonObject(with: Data(try TestPython.run(script, arguments: [out]).utf8)) as? [[Any]])
        for (i, run) in ["a", "b"].enumerated() {
            let rows = try #require(tableRows(dir.path("\(run).tape"))["mixed"])
            let nonNullSym = rows.filter { !$0[5].isNull }.count
            #expect(got[i][0] as? String == run && got[i][1] as? String == "mixed")
            #expect(got[i][2] as? Int == rows.count && got[i][3] as? Int == nonNullSym)
        }
        #expect(got.count == 2)
    }

    @Test func textExportSharesCatsSelection() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("r.tape")
        try Self.writeRun(path, seed: 3)
        let csv = try runTape(["export", path, "mixed", "--columns", "ts,qty", "--from", "2020-09-13T12:30:00Z",
                               "--to", "2020-09-13T13:00:00Z", "--format", "csv"])
        let cat = try runTape(["cat", path, "mixed", "--columns", "ts,qty", "--from", "2020-09-13T12:30:00Z",
                               "--to", "2020-09-13T13:00:00Z", "--format", "csv"])
        #expect(csv.status == 0 && csv.stdout == cat.stdout)
        #expect(csv.stdout.split(separator: "\n").count > 5)
        let jsonl = try runTape(["export", path, "sparse", "--format", "jsonl", "-o", dir.path("s.jsonl")])
        #expect(jsonl.status == 0)
        #expect(try String(contentsOfFile: dir.path("s.jsonl"), encoding: .utf8).split(separator: "\n").count == 10)
        let bad = try runTape(["export", path, "--format", "parquet"])
        #expect(bad.status == 64 && bad.stderr.contains("-o DIR"))
    }
}
