import Testing
import TapeTestSupport
import TapeFormat
@testable import TapeCodec

enum NullMode: String, CaseIterable, Sendable {
    case none, some, all
}

/// Which values a generated column holds.
enum Dataset: String, CaseIterable, Sendable {
    /// Data the type's special encoding is made for (steps, decimals, few distinct strings).
    case regular
    /// Edge values: extremes, wrapping deltas, NaN payloads, infinities, -0.0, subnormals,
    /// empty and multi-byte strings, high cardinality.
    case edge
}

/// How a string column is held in memory.
enum StringStorage: String, Sendable {
    case strings, dictionary
}

let unicodePool = ["", "a", "AAPL", "MSFT", "é", "中文", "🎉 party", "Ünïcödé ✓", "x\u{0}y", String(repeating: "long", count: 30)]

func makeValidity(_ n: Int, _ nulls: NullMode, _ rng: inout SplitMix64) -> Bitmap? {
    switch nulls {
    case .none: return nil
    case .all: return n == 0 ? nil : Bitmap(count: n, value: false)
    case .some:
        var b = Bitmap(count: n, value: true)
        for i in 0..<n where rng.next() % 3 == 0 { b[i] = false }
        return b
    }
}

func makeColumn(_ type: ColumnType, storage: StringStorage = .strings, dataset: Dataset, rows n: Int,
                nulls: NullMode, seed: UInt64 = 1) -> ColumnData {
    var rng = SplitMix64(seed: seed &+ UInt64(n) &* 31)
    let validity = makeValidity(n, nulls, &rng)
    switch type {
    case .int64, .timestamp, .duration:
        var v = [Int64](repeating: 0, count: n)
        var x: Int64 = 1_700_000_000_000_000_000
        for i in 0..<n {
            switch dataset {
            case .regular:
                x &+= 60_000_000_000
                if rng.next() % 100 == 0 { x &+= Int64(rng.next() % 1000) }
                v[i] = x
            case .edge:
                switch rng.next() % 6 {
                case 0: v[i] = .min
                case 1: v[i] = .max
                case 2: v[i] = Int64(bitPattern: rng.next())
                case 3: v[i] = 0
                default: v[i] = Int64(rng.next() % 100) - 50
                }
            }
        }
        return ColumnData(type: type, storage: .int64(v), validity: validity)
    case .float64:
        var v = [Double](repeating: 0, count: n)
        var p = 10_000.0
        let edges: [Double] = [.nan, -.nan, Double(bitPattern: 0x7FF0_0000_DEAD_BEEF), .infinity, -.infinity, -0.0, 0.0,
                               .leastNonzeroMagnitude, -.leastNormalMagnitude / 3, .greatestFiniteMagnitude, 0.1, 1e300]
        var cents: Int64 = 1_000_000
        for i in 0..<n {
            switch dataset {
            case .regular:
                cents += Int64(rng.next() % 21) - 10
                v[i] = Double(cents) / 100
            case .edge:
                if rng.next() % 4 == 0 {
                    v[i] = edges[Int(rng.next() % UInt64(edges.count))]
                } else {
                    p *= 1 + (Double(rng.next() % 2001) - 1000) / 1e6
                    v[i] = p
                }
            }
        }
        return ColumnData(type: type, storage: .float64(v), validity: validity)
    case .bool:
        let v = (0..<n).map { _ in rng.next() % 3 == 0 }
        return ColumnData(type: type, storage: .bool(Bitmap(v)), validity: validity)
    case .string:
        var values: [String] = []
        values.reserveCapacity(n)
        for _ in 0..<n {
            switch dataset {
            case .regular: values.append(unicodePool[Int(rng.next() % 6)])
            case .edge:
                let r = rng.next()
                values.append(r % 4 == 0 ? unicodePool[Int(r / 4 % UInt64(unicodePool.count))] : "id-\(r % 1_000_000)-é")
            }
        }
        switch storage {
        case .strings:
            return ColumnData(type: type, storage: .strings(((try? StringArray(values)) ?? StringArray())), validity: validity)
        case .dictionary:
            // Entries in a different order than first use, with some never used.
            var entries = ["unused-1"] + Array(Set(values)).sorted() + ["unused-2"]
            if entries.count == 2 { entries.insert("only", at: 1) }
            var index: [String: UInt32] = [:]
            for (k, e) in entries.enumerated() { index[e] = UInt32(k) }
            let idx = values.enumerated().map { i, s in validity.map { $0[i] } ?? true ? index[s] ?? 0 : 0 }
            return ColumnData(type: type, storage: .dictionary(entries: ((try? StringArray(entries)) ?? StringArray()), indices: idx), validity: validity)
        }
    }
}

/// The column as the decoder must return it: spread, null slots holding placeholders, validity nil
/// when nothing is null; dictionary storage expanded to strings.
func normalized(_ c: ColumnData) -> ColumnData {
    let n = c.count
    let validity = c.nullCount > 0 ? c.validity : nil
    func valid(_ i: Int) -> Bool { validity.map { $0[i] } ?? true }
    switch c.storage {
    case .int64(let v):
        return ColumnData(type: c.type, storage: .int64((0..<n).map { valid($0) ? v[$0] : 0 }), validity: validity)
    case .float64(let v):
        return ColumnData(type: c.type, storage: .float64((0..<n).map { valid($0) ? v[$0] : 0 }), validity: validity)
    case .bool(let v):
        return ColumnData(type: c.type, storage: .bool(Bitmap((0..<n).map { valid($0) ? v[$0] : false })), validity: validity)
    case .strings, .dictionary:
        var out = StringArray()
        for i in 0..<n {
            if valid(i) { _ = try? out.append(c.string(at: i)) } else { out.appendEmpty() }
        }
        return ColumnData(type: c.type, storage: .strings(out), validity: validity)
    case .interval, .constant:
        return c   // never stored
    }
}

/// Bit patterns so that NaN payloads compare exactly.
func floatBits(_ c: ColumnData) -> [UInt64]? {
    if case .float64(let v) = c.storage { return v.map(\.bitPattern) }
    return nil
}

/// Checks `decoded` holds exactly the rows of `original`.
func expectSameRows(_ decoded: ColumnData, _ original: ColumnData, sourceLocation: SourceLocation = #_sourceLocation) {
    let want = normalized(original)
    var got = decoded
    if case .dictionary(let entries, let idx) = decoded.storage {
        for i in 0..<idx.count where !decoded.isNull(i) {
            if Int(idx[i]) >= entries.count { Issue.record("index out of range", sourceLocation: sourceLocation); return }
        }
        got = normalized(decoded)
        #expect(decoded.validity == want.validity, sourceLocation: sourceLocation)
    }
    if let a = floatBits(got), let b = floatBits(want) {
        #expect(a == b, sourceLocation: sourceLocation)
        #expect(got.validity == want.validity, sourceLocation: sourceLocation)
    } else {
        #expect(got == want, sourceLocation: sourceLocation)
    }
}

/// Encodes `column` and returns the stored bytes and descriptor.
func encodeBlock(_ column: ColumnData, codec: Codec = .zstd(level: 3), encoding: Encoding? = nil) -> ([UInt8], BlockDescriptor) {
    var body = ByteWriter()
    let d = BlockEncoder(codec: codec).encode(column, encoding: encoding, into: &body)
    return (body.bytes, d)
}

func decodeBlock(_ bytes: [UInt8], _ d: BlockDescriptor, type: ColumnType, rows: Int, decoder: BlockDecoder = BlockDecoder()) throws(FormatError) -> ColumnData {
    let result: Result<ColumnData, FormatError> = bytes.withUnsafeBytes { buf in
        Result { () throws(FormatError) -> ColumnData in
            try decoder.decode(buf, descriptor: d, type: type, rowCount: rows, offset: 1000)
        }
    }
    return try result.get()
}
