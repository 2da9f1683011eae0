import Foundation
import Testing
@testable import Tape
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic mutation fuzzing of the file reader: every mutated file must give a typed
/// `TapeError` or rows that are exactly the original rows — on full and projected reads, with and
/// without chunk checksums (block checksums guard the unverified reads), and for unsealed mutants
/// opened with `allowUnsealed` (then a prefix of each table's rows) — never a crash or a hang.
/// `TAPE_FUZZ_FILES` raises the count for a longer opt-in run.
@Suite("Mutation fuzzing of the reader", .serialized)
struct FuzzTests {
    /// Valid seed files: several tables, codecs, encodings, nulls, chunk sizes.
    static func corpus(_ dir: TempDir) throws -> [[UInt8]] {
        var files: [[UInt8]] = []
        for (k, codec) in [Codec.none, .lz4, .zstd(level: 3)].enumerated() {
            let path = dir.path("seed\(k).tape")
            let w = try TapeWriter(path: path, options: WriterOptions(codec: codec, rowsPerChunk: 40 + 30 * k), metadata: ["k": "\(k)"])
            let a = try w.declareTable("a", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("px", .float64),
                                                      ColumnDef("n", .int64), ColumnDef("s", .string), ColumnDef("b", .bool)])
            let b = try w.declareTable("b", columns: [ColumnDef("noise", .float64), ColumnDef("u", .string)])
            var g = SplitMix64(seed: UInt64(k + 1))
            for i in 0..<150 {
                try a.append(values: [.timestamp(Int64(i) * 60_000_000_000), i % 5 == 0 ? .null : .double(Double(i) / 4),
                                      .int(Int64(g.next() % 1000)), .string(["x", "yy", "zzz"][i % 3]), .bool(i % 2 == 0)])
                if i % 3 == 0 {
                    try b.append(values: [.double(Double(bitPattern: g.next() >> 2)), .string("u\(g.next() % 100_000)")])
                }
            }
            try w.close()
            files.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        return files
    }

    /// One random mutation of `bytes` (flips, truncation, splice, huge lengths, insert, delete).
    static func mutate(_ bytes: [UInt8], other: [UInt8], _ g: inout SplitMix64) -> [UInt8] {
        var b = bytes
        func pos(_ n: Int) -> Int { n == 0 ? 0 : Int(g.next() % UInt64(n)) }
        switch g.next() % 7 {
        case 0:
            for _ in 0...(g.next() % 4) where !b.isEmpty { b[pos(b.count)] ^= UInt8(1 << (g.next() % 8)) }
        case 1:
            b = Array(b.prefix(pos(b.count)))
        case 2:
            let from = pos(other.count), len = min(pos(256) + 1, other.count - from), at = pos(b.count)
            b.replaceSubrange(at..<min(b.count, at + len), with: other[from..<(from + len)])
        case 3:   // a huge little-endian length or varint
            let at = pos(max(1, b.count - 8))
            let huge: [UInt8] = g.next() & 1 == 0 ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
                                                  : [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0]
            for i in 0..<min(8, b.count - at) { b[at + i] = huge[i] }
        case 4:
            let at = pos(b.count)
            b.insert(contentsOf: (0..<(1 + pos(16))).map { _ in UInt8(truncatingIfNeeded: g.next()) }, at: at)
        case 5:
            if !b.isEmpty { let at = pos(b.count); b.removeSubrange(at..<min(b.count, at + 1 + pos(32))) }
        default:  // flip inside the last 600 bytes (footer and trailer)
            if !b.isEmpty { b[max(0, b.count - 1 - pos(600))] ^= UInt8(truncatingIfNeeded: g.next() | 1) }
        }
        return b
    }

    /// Replaces the contents of `path` with `bytes` (plain write(2), no fsync or temp file: ten
    /// thousand of them must stay cheap).
    static func overwrite(_ path: String, with bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TapeError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TapeError.io(operation: "write", path: path, errno: errno) }
    }

    /// Reads `path` in one of four ways and checks every row returned against `original`: a full
    /// scan with or without chunk checksums, a projection of some columns without them, or an
    /// unsealed open. Returns the outcome's name; throws only non-`TapeError`s.
    static func check(_ path: String, mode: Int, original: [String: [[Value]]], label: String, _ g: inout SplitMix64) throws -> String {
        do {
            let r = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: mode == 0, allowUnsealed: mode == 3))
            for t in r.tables {
                guard let expected = original[t.name] else {
                    Issue.record("\(label): table \(t.name) was invented"); continue
                }
                if mode == 2 {   // a random non-empty projection, in random order
                    var cols = Array(0..<t.schema.count).filter { _ in g.next() % 2 == 0 }
                    if cols.isEmpty { cols = [Int(g.next() % UInt64(t.schema.count))] }
                    cols.shuffle(using: &g)
                    let got = try r.rows(t.name, columns: cols.map { t.schema[$0].name })
                    #expect(got.isIdentical(to: expected.map { row in cols.map { row[$0] } }), "\(label): projected \(t.name) \(cols)")
                } else {
                    let got = try r.rows(t.name)
                    if r.isSealed {
                        #expect(got.isIdentical(to: expected), "\(label): \(t.name)")
                    } else {
                        #expect(got.count <= expected.count && got == Array(expected.prefix(got.count)), "\(label): unsealed \(t.name)")
                    }
                }
            }
            return r.isSealed ? "read" : "read unsealed"
        } catch let e as TapeError {
            switch e {
            case .corrupt: return "corrupt"
            case .unsealed: return "unsealed"
            default: return "other TapeError"
            }
        }
    }

    @Test("≥ 10,000 mutated files give typed errors or exactly the original rows")
    func mutatedFiles() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let seeds = try Self.corpus(dir)
        var originals: [[String: [[Value]]]] = []
        for (k, seed) in seeds.enumerated() {
            let p = dir.path("orig\(k).tape")
            try Data(seed).write(to: URL(fileURLWithPath: p))
            originals.append(try tableRows(p))
        }
        let count = Int(ProcessInfo.processInfo.environment["TAPE_FUZZ_FILES"] ?? "") ?? 10_000
        var g = SplitMix64(seed: 0xF022)
        let path = dir.path("mutant.tape")
        var outcomes = [String: Int]()
        for i in 0..<count {
            let seed = seeds[i % seeds.count]
            let mutant = Self.mutate(seed, other: seeds[(i + 1) % seeds.count], &g)
            try Self.overwrite(path, with: mutant)
            let outcome = try Self.check(path, mode: i % 4, original: originals[i % seeds.count], label: "mutant \(i)", &g)
            outcomes[outcome, default: 0] += 1
        }
        print("FuzzTests: \(count) mutants: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) == count)
        #expect((outcomes["corrupt"] ?? 0) > count / 4)   // the mutations do reach the decoders
        #expect((outcomes["read unsealed"] ?? 0) > count / 40)   // unsealed mutants are read too
    }
}
