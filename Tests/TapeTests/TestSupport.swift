import Foundation
import Tape
import TapeTestSupport

/// All rows of `table` as `Value`s, via a full scan with chunk checksums verified.
func readAll(_ path: String, _ table: String, columns: [String]? = nil, where p: [ColumnPredicate] = []) throws -> [[Value]] {
    try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true)).rows(table, columns: columns, where: p)
}

/// A random value for `type` (null with probability 1/5 when nullable).
func randomValue(_ type: ColumnType, nullable: Bool, _ g: inout SplitMix64) -> Value {
    if nullable && g.next() % 5 == 0 { return .null }
    switch type {
    case .int64: return .int(Int64(bitPattern: g.next()) >> Int64(g.next() % 60))
    case .float64: return .double(Double(Int64(g.next() % 2_000_000) - 1_000_000) / 100)
    case .timestamp: return .timestamp(1_600_000_000_000_000_000 + Int64(g.next() % 1_000_000) * 60_000_000_000)
    case .duration: return .int(Int64(g.next() % 10_000_000) * 1_000_000_000 - 5_000_000_000_000_000)
    case .bool: return .bool(g.next() & 1 == 0)
    case .string: return .string(["buy", "sell", "hold", "", "ünïcødé", String(repeating: "x", count: Int(g.next() % 100))][Int(g.next() % 6)])
    }
}
