import Testing
import TapeFormat
@testable import TapeCodec

@Suite struct StatsTests {
    @Test func intStatsIgnoreNulls() {
        var validity = Bitmap(count: 4, value: true)
        validity[0] = false
        let c = ColumnData(type: .int64, storage: .int64([-100, 5, Int64.max, 7]), validity: validity)
        let (_, d) = encodeBlock(c)
        #expect(d.stats == ColumnStats(min: .int(5), max: .int(.max)))
        #expect(d.nullCount == 1)
    }

    @Test func floatStatsSkipNaN() {
        let (_, d) = encodeBlock(ColumnData(type: .float64, storage: .float64([.nan, 2.5, -.infinity, 1])))
        #expect(d.stats == ColumnStats(min: .float(-.infinity), max: .float(2.5), hasNaN: true))
        let (_, onlyNaN) = encodeBlock(ColumnData(type: .float64, storage: .float64([.nan])))
        #expect(onlyNaN.stats == ColumnStats(hasNaN: true))
    }

    @Test func boolStats() {
        #expect(encodeBlock(ColumnData(type: .bool, storage: .bool([true, true]))).1.stats == ColumnStats(min: .bool(true), max: .bool(true)))
        #expect(encodeBlock(ColumnData(type: .bool, storage: .bool([true, false]))).1.stats == ColumnStats(min: .bool(false), max: .bool(true)))
    }

    @Test func allNullHasNoMinMax() {
        for type in ColumnType.allCases {
            let c = makeColumn(type, dataset: .regular, rows: 10, nulls: .all)
            #expect(encodeBlock(c).1.stats.min == nil)
        }
    }

    @Test(arguments: [StringStorage.strings, .dictionary])
    func stringStatsCompareBytes(_ storage: StringStorage) {
        // "Z" < "a" < "é" (0xC3…) by unsigned bytes; Swift's String < agrees here, but "é" vs "e\u{301}" differ.
        let values = ["a", "é", "Z", "e\u{301}", "ab"]
        let column: ColumnData
        switch storage {
        case .strings: column = ColumnData(type: .string, storage: .strings(((try? StringArray(values)) ?? StringArray())))
        case .dictionary:
            column = ColumnData(type: .string, storage: .dictionary(entries: ((try? StringArray(["~~unused", "\u{0}unused"] + values)) ?? StringArray()),
                                                                    indices: [2, 3, 4, 5, 6]))
        }
        let (_, d) = encodeBlock(column)
        #expect(d.stats == ColumnStats(min: .string("Z"), max: .string("é")))
    }

    @Test func longStringMaxIsTruncated() {
        let long = String(repeating: "é", count: 40)  // 80 bytes
        let (_, d) = encodeBlock(ColumnData(type: .string, storage: .strings(((try? StringArray(["b", long])) ?? StringArray()))))
        #expect(d.stats.maxTruncated)
        #expect(d.stats.max == nil)
        #expect(d.stats.min == .string("b"))
        let (_, d2) = encodeBlock(ColumnData(type: .string, storage: .strings(((try? StringArray([long + "x", long + "y"])) ?? StringArray()))))
        #expect(d2.stats.min == .string(String(repeating: "é", count: 32)))
    }
}
