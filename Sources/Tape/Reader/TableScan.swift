import TapeCodec
import TapeFormat

/// A streaming scan over one table, one `RecordBatch` per chunk that has matching rows.
///
/// Memory is bounded by one chunk's projected columns. Chunks are read lazily, so a caller that
/// stops early (a LIMIT) reads no further chunks. `chunksRead`/`chunksSkipped`/`bytesRead` report
/// what zone maps saved. A chunk whose predicate columns are PAGED (format 1.4) has only the rows of
/// the pages their zone maps keep decoded (`pages`/`pagesRead`); a chunk none of whose pages can
/// match counts as skipped.
public final class TableScan {
    public let table: Footer.TableEntry
    /// Schema of the produced batches (the projection, in the requested order).
    public let schema: Schema
    private let reader: TapeReader
    private let output: [Int]
    /// Predicates rows are filtered by (and chunks and pages skipped by).
    private let predicates: [(column: Int, predicate: ColumnPredicate)]
    /// `predicates` and the skip-only ones: what chunk and page zone maps are judged by.
    private let zonePredicates: [(column: Int, predicate: ColumnPredicate)]
    /// Columns to read: output columns plus predicate columns.
    private let needed: [Int]
    private var next = 0
    public private(set) var chunksRead = 0
    public private(set) var chunksSkipped = 0
    /// Stored bytes of the blocks read (whole blocks, even when page zone maps leave only some
    /// of their pages to decode).
    public private(set) var bytesRead = 0
    /// Pages of the PAGED predicate blocks (format 1.4) of the chunks read, and of those the
    /// pages that page zone maps left to decode.
    public private(set) var pages = 0
    public private(set) var pagesRead = 0

    init(reader: TapeReader, table: Footer.TableEntry, columns: [String]?, predicates: [ColumnPredicate],
         skipBy: [ColumnPredicate] = []) throws {
        self.reader = reader
        self.table = table
        let names = columns ?? table.schema.columns.map(\.name)
        output = try names.map { n in
            guard let i = table.schema.index(of: n) else { throw TapeError.unknownColumn(table: table.name, column: n) }
            return i
        }
        do { schema = try Schema(output.map { table.schema[$0] }) } catch {
            throw TapeError.schema(table: table.name, error)
        }
        func resolve(_ p: ColumnPredicate) throws -> (column: Int, predicate: ColumnPredicate) {
            guard let i = table.schema.index(of: p.column) else {
                throw TapeError.unknownColumn(table: table.name, column: p.column)
            }
            return (i, p)
        }
        self.predicates = try predicates.map(resolve)
        zonePredicates = try self.predicates + skipBy.map(resolve)
        var needed = output
        for (i, _) in self.predicates where !needed.contains(i) { needed.append(i) }
        self.needed = needed
    }

    /// The next batch, or nil at the end.
    public func nextBatch() throws -> RecordBatch? {
        while next < table.chunks.count {
            let index = next
            next += 1
            let chunk = table.chunks[index]
            let keep = zonePredicates.allSatisfy { col, p in
                p.mayMatch(chunk.blocks[col].stats, rowCount: chunk.rowCount, nullCount: chunk.blocks[col].nullCount)
            }
            guard keep else { chunksSkipped += 1; continue }
            // Page zone maps (format 1.4) narrow the rows to decode when a predicate column is PAGED.
            var rows: Range<Int>? = nil
            if zonePredicates.contains(where: { chunk.blocks[$0.column].encoding == PageDirectory.encodingID }) {
                let selection = try reader.candidateRows(table, chunk: index, where: zonePredicates)
                pages += selection.pages
                pagesRead += selection.pagesKept
                if selection.rows.isEmpty { chunksSkipped += 1; continue }
                if selection.rows != 0..<chunk.rowCount { rows = selection.rows }
            }
            chunksRead += 1
            bytesRead += needed.reduce(0) { $0 + chunk.blocks[$1].storedLength }
            let data = try reader.readColumns(table, chunk: index, columns: needed, rows: rows)
            var columns = Array(data[0..<output.count])
            var count = rows?.count ?? chunk.rowCount
            if !predicates.isEmpty {
                var selection = [Bool](repeating: true, count: count)
                for (col, p) in predicates {
                    try p.filter(data[needed.firstIndex(of: col)!], &selection)
                }
                let kept = selection.indices.compactMap { selection[$0] ? Int32($0) : nil }
                if kept.isEmpty { continue }
                if kept.count < count {
                    columns = columns.map { $0.gather(kept) }
                    count = kept.count
                }
            }
            return RecordBatch(schema: schema, columns: columns, count: count)
        }
        return nil
    }

    /// Calls `body` with every batch until it returns false or the scan ends.
    public func forEach(_ body: (RecordBatch) throws -> Bool) throws {
        while let b = try nextBatch() {
            if try !body(b) { return }
        }
    }
}
