import Testing
import TapeTestSupport
import TapeFormat
@testable import TapeCodec
#if canImport(Glibc)
import Glibc
#endif

/// Sizes and speeds of the codec layer; opt-in (TAPE_BENCH=1), meant for release builds:
/// `TAPE_BENCH=1 swift test -c release --filter CodecBenchmark`.
@Suite(.enabled(if: getenv("TAPE_BENCH") != nil)) struct CodecBenchmarkTests {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func measure(_ name: String, _ column: ColumnData, codec: Codec = .zstd(level: 3)) throws {
        let n = column.count
        let encoder = BlockEncoder(codec: codec)
        let decoder = BlockDecoder()
        var body = ByteWriter(capacity: 16 << 20)
        var d = encoder.encode(column, into: &body)
        var best = (enc: Double.infinity, dec: Double.infinity)
        for _ in 0..<5 {
            body.removeAll()
            let t0 = Self.now()
            d = encoder.encode(column, into: &body)
            let t1 = Self.now()
            let decoded = try body.bytes.withUnsafeBytes { try decoder.decode($0, descriptor: d, type: column.type, rowCount: n, offset: 0) }
            let t2 = Self.now()
            #expect(decoded.count == n)
            best = (min(best.enc, t1 - t0), min(best.dec, t2 - t1))
        }
        let enc = Encoding(rawValue: d.encoding).map(\.description) ?? "?"
        let stored = fmt(Double(d.storedLength) / Double(n), 4)
        let raw = fmt(Double(d.rawLength) / Double(n), 3)
        let e = fmt(best.enc * 1e9 / Double(n), 2)
        let dd = fmt(best.dec * 1e9 / Double(n), 2)
        print("BENCH \(name) [\(codec)]: \(enc) codec=\(d.codec) \(stored) B/value (raw \(raw)), encode \(e) ns/value, decode \(dd) ns/value")
    }

    func fmt(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let v = (x * scale).rounded() / scale
        return String(v)
    }

    @Test func sizesAndSpeeds() throws {
        let n = 1 << 20
        let block = 65536
        let ts = (0..<block).map { 1_700_000_000_000_000_000 + Int64($0) * 60_000_000_000 }
        try measure("regular 1-min timestamps 64K", ColumnData(type: .timestamp, storage: .int64(ts)))
        let tsBig = (0..<n).map { 1_700_000_000_000_000_000 + Int64($0) * 60_000_000_000 }
        try measure("regular 1-min timestamps 1M", ColumnData(type: .timestamp, storage: .int64(tsBig)))
        var rng = SplitMix64(seed: 42)
        var cents: Int64 = 10_000_00
        var prices: [Double] = []
        var noisy: [Double] = []
        var p = 100.0
        var ids: [Int64] = []
        for _ in 0..<n {
            let r = Double(Int64(rng.next() % 2001) - 1000) / 1000  // uniform(-1, 1)
            cents += Int64((r * r * r * 25).rounded())
            prices.append(Double(cents) / 100)
            p *= 1 + Double(Int64(rng.next() % 20001) - 10000) / 1e7
            noisy.append(p)
            ids.append(Int64(rng.next() % 1_000_000))
        }
        try measure("2-decimal random-walk prices 1M", ColumnData(type: .float64, storage: .float64(prices)))
        try measure("2-decimal random-walk prices 64K", ColumnData(type: .float64, storage: .float64(Array(prices[0..<block]))))
        try measure("noisy floats 1M", ColumnData(type: .float64, storage: .float64(noisy)))
        try measure("noisy floats 1M", ColumnData(type: .float64, storage: .float64(noisy)), codec: .lz4)
        try measure("noisy floats 1M", ColumnData(type: .float64, storage: .float64(noisy)), codec: .none)
        try measure("random int64 < 1e6 1M", ColumnData(type: .int64, storage: .int64(ids)), codec: .none)
        try measure("random int64 < 1e6 1M", ColumnData(type: .int64, storage: .int64(ids)))
        let symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "TSLA", "NVDA", "META", "BRK.B", "JPM", "V"]
        let low = try StringArray((0..<n).map { _ in symbols[Int(rng.next() % 10)] })
        try measure("low-cardinality strings 1M", ColumnData(type: .string, storage: .strings(low)))
        try measure("low-cardinality strings 1M", ColumnData(type: .string, storage: .strings(low)), codec: .none)
        let lowIdx = (0..<n).map { _ in UInt32(rng.next() % 10) }
        try measure("low-cardinality dictionary storage 1M", ColumnData(type: .string, storage: .dictionary(entries: try StringArray(symbols), indices: lowIdx)))
        let high = try StringArray((0..<n).map { "order-\($0)" })
        try measure("unique strings 1M", ColumnData(type: .string, storage: .strings(high)))
        try measure("unique strings 1M", ColumnData(type: .string, storage: .strings(high)), codec: .none)
        var validity = Bitmap(count: n, value: true)
        for i in stride(from: 0, to: n, by: 7) { validity[i] = false }
        try measure("2-decimal prices 1M, 1/7 null", ColumnData(type: .float64, storage: .float64(prices), validity: validity))
    }
}
