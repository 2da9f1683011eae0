import Foundation
import Tape
import TapeCodec
import TapeFormat
import TapeQuery
import TapeTestSupport
import Testing

/// `Query.runWithDurations` (what libTapeArrow streams): INTERVAL results as `.duration`
/// nanoseconds, a stored duration back bit for bit, NULL kept, calendar months and overflow refused.
@Suite struct QueryDurationsTests {
    static let holds: [Int64?] = [5_000_000_000, nil, -1, 86_400_000_000_000 * 3 + 7, Int64(1) << 62]

    static func file() throws -> (TempDir, String) {
        let dir = TempDir()
        let path = dir.path("d.tape")
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("trades", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("hold", .duration)])
        for (i, h) in holds.enumerated() { try t.append(values: [.timestamp(Int64(i)), h.map { .int($0) } ?? .null]) }
        _ = try w.close()
        return (dir, path)
    }

    static func rows(_ sql: String, _ path: String) throws -> (Schema, [[Int64?]]) {
        let q = try Query(sql: sql, paths: [path])
        var out: [[Int64?]] = []
        try q.runWithDurations { b in
            for r in 0..<b.count {
                out.append(b.columns.map { c in
                    guard c.validity?[r] ?? true, case .int64(let v) = c.storage else { return nil }
                    return v[r]
                })
            }
            return true
        }
        return (try q.durationSchema(), out)
    }

    @Test func storedDurationsComeBackExactly() throws {
        let (dir, path) = try Self.file()
        _ = dir
        let (schema, rows) = try Self.rows("SELECT hold, ts FROM trades", path)
        #expect(schema.columns.map(\.type) == [.duration, .timestamp])
        #expect(rows.map { $0[0] } == Self.holds)
    }

    @Test func intervalExpressionsAreDurations() throws {
        let (dir, path) = try Self.file()
        _ = dir
        let (schema, rows) = try Self.rows("SELECT max(hold) + INTERVAL '1 day' AS a, min(hold) AS b FROM trades", path)
        #expect(schema.columns.map(\.type) == [.duration, .duration])
        #expect(rows == [[(Int64(1) << 62) + 86_400_000_000_000, -1]])
    }

    @Test func calendarMonthsAndOverflowAreRefusedNamingTheColumn() throws {
        let (dir, path) = try Self.file()
        _ = dir
        do {
            _ = try Self.rows("SELECT INTERVAL '2 months' AS m FROM trades", path)
            Issue.record("calendar months not refused")
        } catch let e as QueryError {
            #expect(e.message.contains("column 'm'") && e.message.contains("calendar months"))
        }
        do {
            _ = try Self.rows("SELECT hold + hold + hold AS big FROM trades WHERE hold > INTERVAL '1000 days'", path)
            Issue.record("overflow not refused")
        } catch let e as QueryError {
            #expect(e.message.contains("column 'big'") && e.message.contains("nanosecond range"))
        }
    }
}
