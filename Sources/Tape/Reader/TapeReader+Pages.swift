import TapeCodec
import TapeFormat

/// The rows of a chunk that page zone maps leave to read (`TapeReader.candidateRows`).
public struct PageSelection: Sendable, Equatable {
    /// Rows of the chunk (from 0) that may satisfy the predicates: one range covering every page
    /// kept (empty when none is); the whole chunk when no predicate column is PAGED.
    public var rows: Range<Int>
    /// Pages of the PAGED predicate columns' blocks (summed over those columns); 0 when none is.
    public var pages: Int
    /// Of those, the pages inside `rows`.
    public var pagesKept: Int
}

extension TapeReader {
    /// Which rows of chunk `index` of `table` may satisfy every predicate (on columns given by
    /// index), judged by the zone maps of the pages of PAGED blocks (format 1.4, format-spec §5.5):
    /// the pages of a predicate column's block that the predicate rules out are cut from the
    /// ends of the range. Reads (and checks the checksum of) each PAGED predicate block, and keeps
    /// it for the next `readColumns` of this chunk, which then does neither again; blocks that are
    /// not PAGED leave the range whole. A NaN page keeps its place like a NaN block.
    public func candidateRows(_ table: Footer.TableEntry, chunk index: Int,
                              where predicates: [(column: Int, predicate: ColumnPredicate)]) throws -> PageSelection {
        let c = table.chunks[index]
        var rows = 0..<c.rowCount
        var pages = 0
        var directories: [PageDirectory] = []
        let offsets = c.blockOffsets
        do {
            var columns: [Int] = []
            for (col, _) in predicates where c.blocks[col].encoding == PageDirectory.encodingID && !columns.contains(col) {
                columns.append(col)
            }
            checkedBlocks.removeAll()
            for col in columns {
                let d = c.blocks[col]
                var directory: PageDirectory?
                // Held for the decode of this chunk that follows (readColumns), which then neither
                // reads nor checks the block again.
                try checkedBlocks.hold(offset: offsets[col], count: d.storedLength) { buf in
                    try file.read(at: offsets[col], into: buf)
                    let stored = UnsafeRawBufferPointer(buf)
                    try BlockDecoder.checkChecksum(stored, d, offset: offsets[col])
                    directory = try BlockDecoder.pageDirectory(stored, descriptor: d, type: table.schema[col].type,
                                                               rowCount: c.rowCount, offset: offsets[col])
                }
                guard let dir = directory else { continue }
                let keep = dir.pages.indices.map { k in
                    let page = dir.pages[k], count = dir.rows(ofPage: k, rowCount: c.rowCount).count
                    return predicates.allSatisfy { $0.column != col || $0.predicate.mayMatch(page.stats, rowCount: count, nullCount: page.nullCount) }
                }
                pages += keep.count
                directories.append(dir)
                guard let first = keep.firstIndex(of: true), let last = keep.lastIndex(of: true) else {
                    rows = 0..<0
                    continue
                }
                let kept = dir.rows(ofPage: first, rowCount: c.rowCount).lowerBound..<dir.rows(ofPage: last, rowCount: c.rowCount).upperBound
                rows = rows.clamped(to: kept)
            }
        } catch let e as FormatError {
            throw TapeError.corrupt(path: path, e.inFile(ofMinorVersion: formatMinorVersion))
        }
        if rows.isEmpty { rows = 0..<0 }
        let kept = directories.reduce(0) { $0 + $1.pages(covering: rows).count }
        return PageSelection(rows: rows, pages: pages, pagesKept: kept)
    }
}
