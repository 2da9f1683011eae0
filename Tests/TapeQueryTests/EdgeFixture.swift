import Foundation
import Tape
import TapeFormat
import TapeTestSupport

/// A run with one table, `edge`, of values at the edges of every type: NaN (two of them), ±inf,
/// ±0.0, the largest and smallest doubles, Int64.min/max, timestamps at both ends of Tape's range
/// (at microsecond precision, so DuckDB holds them exactly), empty and LIKE-special strings, and
/// NULLs in every nullable column. Three rows per chunk, so zone maps (chunk 0 holds
/// `[1.0, NaN, 0.5]`) decide what is read. Also written as CSV for DuckDB, with NULL as `\\N`.
///
/// A second table, `sums` (ts strictly increasing, g, v BIGINT), holds BIGINT values whose sums
/// overflow 64 bits part-way in every order (MAX + MAX inside one chunk) but come back in range:
/// sum/avg, grouped, windowed and streamed (a cumulative window over ts) must stay exact.
struct EdgeFixture {
    let dir: TempDir
    let path: String
    let csv: String
    let sumsCSV: String

    /// (id, g, f, i, ts nanoseconds and DuckDB text, s); nil is NULL.
    typealias Row = (id: Int64, g: String, f: Double?, i: Int64?, ts: (Int64, String)?, s: String?)
    static let rows: [Row] = [
        (0, "x", 1.0, 0, (0, "1970-01-01 00:00:00"), "a"),
        (1, "x", .nan, 1, (-9_223_372_036_854_775_000, "1677-09-21 00:12:43.145225"), ""),
        (2, "y", 0.5, -1, (9_223_372_036_854_775_000, "2262-04-11 23:47:16.854775"), "hello"),
        (3, "y", .infinity, Int64.max, nil, nil),
        (4, "z", -.infinity, Int64.min, (-1_000, "1969-12-31 23:59:59.999999"), "nan"),
        (5, "z", 0.0, nil, (1_704_067_200_000_000_000, "2024-01-01 00:00:00"), "a_b"),
        (6, "x", -0.0, 42, (-9_223_286_400_000_000_000, "1677-09-22 00:00:00"), "a%b"),
        (7, "y", nil, -42, (-9_214_560_000_000_000_000, "1678-01-01 00:00:00"), "%"),
        (8, "z", -2.5, Int64.max - 1, (9_223_243_200_000_000_000, "2262-04-10 12:00:00"), "_"),
        (9, "x", 1e308, Int64.min + 1, (9_214_646_400_000_000_000, "2262-01-01 00:00:00"), "é"),
        (10, "y", -1e308, 7, (951_827_696_789_012_000, "2000-02-29 12:34:56.789012"), "Ωmega"),
        (11, "z", .leastNonzeroMagnitude, nil, (1_711_926_000_000_000_000, "2024-03-31 23:00:00"), "NaN"),
        (12, "x", .nan, 3, nil, "a\\b"),
        (13, "y", 3.0, 9_007_199_254_740_993, (1_704_067_200_000_000_000, "2024-01-01 00:00:00"), "inf"),
        (14, "z", nil, 100, (-1_000, "1969-12-31 23:59:59.999999"), nil),
        (15, "x", 2.0, -100, (0, "1970-01-01 00:00:00"), "b"),
        (16, "y", -0.0, 0, (0, "1970-01-01 00:00:00"), "a"),
    ]

    /// `sums`: (second after 2024-01-01 00:00:00, g, v). Running total: -MAX, -MAX, -MAX | 0, MAX,
    /// 0 | MIN, -1, 0 | MAX, MAX, -1, while chunk 2 alone reaches 2·MAX; g 'a' sums to MIN + 1,
    /// 'b' to MAX − 1.
    static let sums: [(Int64, String, Int64?)] = [
        (0, "a", -Int64.max), (1, "b", 0), (2, "a", nil),
        (3, "b", Int64.max), (4, "a", Int64.max), (5, "b", -Int64.max),
        (6, "a", Int64.min), (7, "b", Int64.max), (8, "a", 1),
        (9, "b", Int64.max), (10, "a", nil), (11, "b", Int64.min),
    ]

    init() throws {
        dir = TempDir()
        path = dir.path("edge.tape")
        var options = WriterOptions()
        options.rowsPerChunk = 3
        let w = try TapeWriter(path: path, options: options, metadata: [:])
        let t = try w.declareTable("edge", columns: [
            ColumnDef("id", .int64, nullable: false), ColumnDef("g", .string, nullable: false), ColumnDef("f", .float64),
            ColumnDef("i", .int64), ColumnDef("ts", .timestamp), ColumnDef("s", .string),
        ])
        var text = "id,g,f,i,ts,s\n"
        for r in Self.rows {
            try t.append(values: [.int(r.id), .string(r.g), r.f.map(Value.double) ?? .null, r.i.map(Value.int) ?? .null,
                                  r.ts.map { Value.timestamp($0.0) } ?? .null, r.s.map(Value.string) ?? .null])
            let s = r.s.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" } ?? "\\N"
            text += "\(r.id),\(r.g),\(r.f.map(Self.csvDouble) ?? "\\N"),\(r.i.map { String($0) } ?? "\\N"),\(r.ts?.1 ?? "\\N"),\(s)\n"
        }
        let sums = try w.declareTable("sums", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("g", .string, nullable: false),
                                                       ColumnDef("v", .int64)])
        var sumsText = "ts,g,v\n"
        for (second, g, v) in Self.sums {
            try sums.append(values: [.timestamp(1_704_067_200_000_000_000 + second * 1_000_000_000), .string(g), v.map(Value.int) ?? .null])
            sumsText += "2024-01-01 00:00:\(second < 10 ? "0" : "")\(second),\(g),\(v.map { String($0) } ?? "\\N")\n"
        }
        _ = try w.close()
        csv = dir.path("edge.csv")
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        sumsCSV = dir.path("sums.csv")
        try sumsText.write(toFile: sumsCSV, atomically: true, encoding: .utf8)
    }

    /// A double as DuckDB's CSV reader takes it back bit for bit.
    static func csvDouble(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return "\(d)"
    }
}
