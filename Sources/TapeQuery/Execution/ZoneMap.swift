import Tape
import TapeFormat

/// Chunk pruning by zone maps with SQL's NaN semantics (DuckDB's): NaN equals NaN and sorts above
/// +inf, so a NaN row satisfies `x > c`, `x >= c` and `x <> c` for every number c, and
/// `x = 'nan'`, `x >= 'nan'` whatever the numbers are. Zone maps leave NaN out of min/max
/// (format-spec §3.2, flag bit 1), so the storage-level check alone would skip such chunks.
enum ZoneMap {
    /// Whether a block with `stats` may hold a row satisfying `p`. Conservative: true whenever
    /// the statistics cannot rule it out; a predicate on a NaN constant never prunes.
    static func mayMatch(_ p: ColumnPredicate, _ stats: ColumnStats, rowCount: Int, nullCount: Int) -> Bool {
        if nullCount == rowCount { return false }   // NULL never satisfies a comparison
        if case .float(let v) = p.value, v.isNaN { return true }
        if stats.hasNaN && (p.op == .gt || p.op == .ge || p.op == .ne) { return true }
        return p.mayMatch(stats, rowCount: rowCount, nullCount: nullCount)
    }
}
