import Testing
import TapeTestSupport
import TapeFormat
@testable import TapeCodec

/// The automatic encoding choice and the sizes it reaches (format-spec §5; targets from the design).
@Suite struct EncodingChoiceTests {
    @Test func regularTimestampsUseDeltaAndAlmostNoSpace() throws {
        let n = 65536
        let start: Int64 = 1_700_000_000_000_000_000
        let ts = (0..<n).map { start + Int64($0) * 60_000_000_000 }
        let column = ColumnData(type: .timestamp, storage: .int64(ts))
        let (bytes, d) = encodeBlock(column, codec: .zstd(level: 3))
        #expect(d.encoding == Encoding.delta.rawValue)
        #expect(Double(d.storedLength) / Double(n) < 0.01, "\(d.storedLength) bytes for \(n) timestamps")
        #expect(d.stats == ColumnStats(min: .int(ts[0]), max: .int(ts[n - 1])))
        expectSameRows(try decodeBlock(bytes, d, type: .timestamp, rows: n), column)
    }

    @Test func twoDecimalPricesUseDecimal() throws {
        let column = makeColumn(.float64, dataset: .regular, rows: 65536, nulls: .none)
        let (bytes, d) = encodeBlock(column, codec: .zstd(level: 3))
        #expect(d.encoding == Encoding.decimal.rawValue)
        #expect(Double(d.storedLength) / 65536 < 1.0, "\(d.storedLength) bytes")
        expectSameRows(try decodeBlock(bytes, d, type: .float64, rows: 65536), column)
    }

    @Test func decimalPicksSmallestExponent() {
        let values: [Double] = [1.5, 2.25, 100, -3.125]
        let ints = UnsafeMutablePointer<Int64>.allocate(capacity: values.count)
        defer { ints.deallocate() }
        let e = values.withUnsafeBufferPointer { DecimalEncoding.scale($0, into: ints) }
        #expect(e == 3)
        #expect(Array(UnsafeBufferPointer(start: ints, count: 4)) == [1500, 2250, 100_000, -3125])
    }

    @Test(arguments: [[-0.0], [.nan], [.infinity], [1.0, 1.5e-19], [1e300], [Double.leastNonzeroMagnitude]])
    func nonDecimalsAreRejected(_ values: [Double]) {
        let ints = UnsafeMutablePointer<Int64>.allocate(capacity: values.count)
        defer { ints.deallocate() }
        #expect(values.withUnsafeBufferPointer { DecimalEncoding.scale($0, into: ints) } == nil)
        let (_, d) = encodeBlock(ColumnData(type: .float64, storage: .float64(values)), encoding: .decimal)
        #expect(d.encoding != Encoding.decimal.rawValue)
    }

    @Test func noisyFloatsUseByteStreamSplitOrPlain() {
        let column = makeColumn(.float64, dataset: .edge, rows: 10000, nulls: .none)
        let (_, d) = encodeBlock(column)
        #expect(d.encoding == Encoding.byteStreamSplit.rawValue || d.encoding == Encoding.plain.rawValue)
        let (_, none) = encodeBlock(column, codec: .none)
        #expect(none.encoding == Encoding.plain.rawValue)
    }

    @Test(arguments: [StringStorage.strings, .dictionary])
    func lowCardinalityStringsUseDictionary(_ storage: StringStorage) throws {
        let column = makeColumn(.string, storage: storage, dataset: .regular, rows: 10000, nulls: .some)
        let (bytes, d) = encodeBlock(column)
        #expect(d.encoding == Encoding.dictionary.rawValue)
        let decoded = try decodeBlock(bytes, d, type: .string, rows: 10000)
        guard case .dictionary(let entries, _) = decoded.storage else {
            Issue.record("expected dictionary storage")
            return
        }
        #expect(entries.count == 6)  // unused entries of the input dictionary are dropped
        expectSameRows(decoded, column)
    }

    @Test func highCardinalityStringsUsePlain() {
        let strings = ((try? StringArray((0..<5000).map { "order-\($0)" })) ?? StringArray())
        let (_, d) = encodeBlock(ColumnData(type: .string, storage: .strings(strings)))
        #expect(d.encoding == Encoding.plain.rawValue)
    }

    @Test func randomIntegersFallBackToPlain() {
        var rng = SplitMix64(seed: 9)
        let v = (0..<5000).map { _ in Int64(bitPattern: rng.next()) }
        let (_, d) = encodeBlock(ColumnData(type: .int64, storage: .int64(v)), codec: .none)
        #expect(d.encoding == Encoding.plain.rawValue)
        #expect(d.rawLength == 8 * 5000)
    }

    @Test func incompressibleBlocksAreStoredRaw() {
        var rng = SplitMix64(seed: 3)
        let v = (0..<5000).map { _ in Int64(bitPattern: rng.next()) }
        for codec in [Codec.lz4, .zstd(level: 3)] {
            let (bytes, d) = encodeBlock(ColumnData(type: .int64, storage: .int64(v)), codec: codec)
            #expect(d.codec == 0)
            #expect(bytes.count == d.rawLength)
        }
    }

    @Test func deltaWidthHandlesOutliersWithExceptions() throws {
        // Small steps with rare huge jumps: exceptions keep the width small.
        var v: [Int64] = []
        var x: Int64 = 0
        for i in 0..<4096 {
            x &+= i % 500 == 0 ? 1 << 40 : Int64(i % 7)
            v.append(x)
        }
        let column = ColumnData(type: .int64, storage: .int64(v))
        let (bytes, d) = encodeBlock(column, codec: .none)
        #expect(d.encoding == Encoding.delta.rawValue)
        #expect(d.rawLength < 4096 / 2 + 200, "\(d.rawLength) raw bytes")
        expectSameRows(try decodeBlock(bytes, d, type: .int64, rows: 4096), column)
    }
}
