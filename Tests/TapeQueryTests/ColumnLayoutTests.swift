import Foundation
import Tape
import TapeCodec
import TapeFormat
@testable import TapeQuery
import TapeTestSupport
import Testing

/// Storage and query hold one layout (`ColumnLayout`): a decoded block is a query vector without
/// a conversion or a copy, a stored duration stays its int64 nanoseconds (read as an INTERVAL
/// where used), and a constant keeps its row count and is expanded only for a consumer of slots.
@Suite struct ColumnLayoutTests {
    static func base<T>(_ a: [T]) -> UnsafeRawPointer? { a.withUnsafeBytes { $0.baseAddress } }

    /// The `hold` column of `QueryDurationsTests.file()` as the reader decodes it.
    static func decodedHolds(_ path: String) throws -> ColumnData {
        let reader = try TapeReader(path: path)
        guard let batch = try reader.scan("trades", columns: ["hold"]).nextBatch() else { throw QueryError(.execution, "no batch") }
        return batch.columns[0]
    }

    @Test func aDecodedDurationColumnIsTheVectorsBufferWithNoPerRowConversion() throws {
        let (dir, path) = try QueryDurationsTests.file()
        _ = dir
        let column = try Self.decodedHolds(path)
        #expect(column.type == .duration)
        let v = Vector(column)
        #expect(v.type == .interval)
        guard case .int64(let nanos) = v.storage, case .int64(let decoded) = column.storage else {
            Issue.record("a duration column should stay int64 nanoseconds, got \(v.storage)")
            return
        }
        #expect(Self.base(nanos) == Self.base(decoded), "the decoded buffer itself, not a copy")
        #expect(v.validity == column.validity)
        // Read as intervals where used, exactly as a conversion would have given them.
        for (row, h) in QueryDurationsTests.holds.enumerated() {
            #expect(v.datum(row) == (h.map { .interval(Interval(durationNanos: $0)) } ?? .null))
        }
        // Out to a duration column (the Arrow stream's form): the same buffer again.
        guard case .int64(let back) = try Query.durations(v, column: "hold").storage else { Issue.record("not int64"); return }
        #expect(Self.base(back) == Self.base(decoded))
        // Gathered rows stay nanoseconds.
        guard case .int64(let g) = v.gather([3, 0]).storage else { Issue.record("gather converted"); return }
        #expect(g == [decoded[3], decoded[0]])
    }

    @Test func decodedNumbersAndBooleansAreSharedNotCopied() throws {
        let ints = ColumnData(type: .int64, storage: .int64([1, 2, 3]), validity: Bitmap([true, false, true]))
        let v = Vector(ints)
        guard case .int64(let a) = v.storage, case .int64(let b) = ints.storage, let va = v.validity, let vb = ints.validity else {
            Issue.record("storage changed")
            return
        }
        #expect(Self.base(a) == Self.base(b))
        #expect(Self.base(va.words) == Self.base(vb.words))
        let doubles = ColumnData(type: .float64, storage: .float64([0.5, -1]))
        guard case .float64(let d) = Vector(doubles).storage, case .float64(let e) = doubles.storage else { Issue.record("storage changed"); return }
        #expect(Self.base(d) == Self.base(e))
        // And back out for the formatters and the Arrow bridge, still the same buffer.
        guard case .int64(let out) = try v.columnData().storage else { Issue.record("storage changed"); return }
        #expect(Self.base(out) == Self.base(b))
    }

    @Test func durationsQueryAsIntervalsAlongsideComputedOnes() throws {
        let (dir, path) = try QueryDurationsTests.file()
        _ = dir
        func rows(_ sql: String) throws -> [[Value]] { try Query(sql: sql, paths: [path]).rows() }
        func text(_ i: Interval) -> Value { .string(i.description) }   // results print intervals as text
        // Compared, ordered, grouped, and set-combined with computed intervals: a stored 5 s is
        // the interval 5 s (one group, one UNION row), whichever layout each side is in.
        #expect(try rows("SELECT hold FROM trades WHERE hold > INTERVAL '1 second' ORDER BY hold")
                == [[text(Interval(nanos: 5_000_000_000))], [text(Interval(days: 3, nanos: 7))],
                    [text(Interval(durationNanos: Int64(1) << 62))]])
        #expect(try rows("SELECT count(*) FROM (SELECT hold FROM trades UNION SELECT INTERVAL '5 seconds')") == [[.int(5)]])
        #expect(try rows("SELECT h, count(*) FROM (SELECT hold AS h FROM trades UNION ALL SELECT INTERVAL '5 seconds') GROUP BY h ORDER BY h NULLS FIRST")
                .map { $0[1] } == [.int(1), .int(1), .int(2), .int(1), .int(1)])
        #expect(try rows("SELECT CAST(hold AS VARCHAR) FROM trades WHERE hold = INTERVAL '5 seconds'") == [[.string("00:00:05")]])
        #expect(try rows("SELECT sum(hold) FROM trades WHERE hold < INTERVAL '1 day'") == [[text(Interval(nanos: 4_999_999_999))]])
        // min/max of stored durations (compared as nanoseconds) equal those of the same values
        // as computed intervals (compared as intervals), overall and per group.
        for f in ["min", "max"] {
            let stored = try rows("SELECT \(f)(hold) FROM trades")
            #expect(stored == (try rows("SELECT \(f)(hold + INTERVAL '0 seconds') FROM trades")))
            #expect(stored != [[.null]])
            let grouped = "SELECT hold IS NULL, hold > INTERVAL '1 day', %@ FROM trades GROUP BY 1, 2 ORDER BY 1, 2"
            #expect(try rows(grouped.replacingOccurrences(of: "%@", with: "\(f)(hold)"))
                    == rows(grouped.replacingOccurrences(of: "%@", with: "\(f)(hold + INTERVAL '0 seconds')")))
        }
    }

    @Test func aConstantKeepsItsCountAndSpreadsOnlyForSlots() throws {
        let c = ColumnData(type: .string, storage: .constant(.string("run1")), count: 4)
        #expect(c.count == 4 && c.nullCount == 0 && !c.isNull(3))
        #expect(c.string(at: 2) == "run1" && c.utf8Count(at: 2) == 4)
        let s = c.spread()
        #expect(s.count == 4 && (0..<4).allSatisfy { s.string(at: $0) == "run1" })
        guard case .dictionary(let entries, let idx) = s.storage else { Issue.record("a string spreads to a dictionary"); return }
        #expect(entries.count == 1 && idx == [0, 0, 0, 0])

        let null = ColumnData(type: .int64, storage: .constant(.null), count: 3)
        #expect(null.nullCount == 3 && null.isNull(0))
        let spread = null.spread()
        #expect(spread.storage == .int64([0, 0, 0]) && spread.nullCount == 3)

        // The query's constants are the same layout: into a vector and back as it is.
        let v = Vector(c)
        guard case .constant(.string("run1")) = v.storage else { Issue.record("constant expanded on the way in"); return }
        #expect(v.count == 4 && v.datum(3) == .string("run1"))
        let out = try v.columnData()
        #expect(out.count == 4 && (0..<4).allSatisfy { out.string(at: $0) == "run1" })
    }

    @Test func intervalsRoundTripThroughVectorsAndLeaveAsText() throws {
        let (dir, path) = try QueryDurationsTests.file()
        _ = dir
        let values = [Interval(months: 1, days: 2, nanos: 3), Interval(nanos: -5_000_000_000), Interval()]
        let v = Vector(type: .interval, storage: .interval(values), validity: Bitmap([true, true, false]), count: 3)
        #expect(v.datum(0) == .interval(values[0]) && v.datum(2) == .null)
        var b = VectorBuilder(type: .interval)
        b.append(v)
        b.append(Vector(try Self.decodedHolds(path)))
        let built = try b.build()
        guard case .interval(let all) = built.storage else { Issue.record("a mixed interval builder gives intervals"); return }
        #expect(Array(all.prefix(2)) == Array(values.prefix(2)) && all[3] == Interval(nanos: 5_000_000_000))
        let text = try v.columnData()
        #expect(text.type == .string && text.string(at: 0) == values[0].description && text.isNull(2))
        // A stored duration prints as the interval it reads as.
        let holds = Vector(try Self.decodedHolds(path))
        #expect(try holds.columnData().string(at: 3) == Interval(days: 3, nanos: 7).description)
    }
}
