// libFuzzer entry point for the .tape reader. Holds only the @_cdecl function: libFuzzer's
// runtime provides `main` (see ../../README.md for why SwiftPM's own `main` must not exist).
import Foundation
import Tape

/// The mutated bytes are written to a file in /dev/shm (the reader reads files), then opened and
/// every table scanned with and without checksum verification, projected, and (for unsealed
/// inputs) through `allowUnsealed`. Any crash, hang, sanitizer report or out-of-memory is a
/// finding; typed errors are the expected outcome for most inputs. Differential oracle (format
/// 1.1 block checksums make it hold): when two reads of the same table both succeed they return
/// the same rows — verified or not, whole or projected — and never more rows than the footer
/// declares; a violation aborts.
private let scratch: String = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (dir as NSString).appendingPathComponent("tape-fuzz-\(getpid()).tape")
}()

/// `v`, with a NaN replaced by the text of its bits, so reads compare NaN payloads too (`==` on
/// `Value` treats every NaN as one value, as SQL grouping does).
private func comparable(_ v: Value) -> Value {
    if case .double(let d) = v, d.isNaN { return .string("NaN \(d.bitPattern)") }
    return v
}

/// Every row of `columns` (all when nil) of `table`, or nil on any error; see `comparable`.
private func rows(_ reader: TapeReader, _ table: String, columns: [String]? = nil) -> [[Value]]? {
    guard let scan = try? reader.scan(table, columns: columns) else { return nil }
    var out: [[Value]] = []
    while true {
        let next: RecordBatch?
        do { next = try scan.nextBatch() } catch { return nil }
        guard let batch = next else { return out }
        for r in 0..<batch.count { out.append((0..<batch.schema.count).map { comparable(batch.value(row: r, column: $0)) }) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard (try? bytes.write(to: URL(fileURLWithPath: scratch))) != nil else { return 0 }
    var seen: [String: [[Value]]] = [:]
    for options in [ReaderOptions(verifyChecksums: false), ReaderOptions(verifyChecksums: true),
                    ReaderOptions(allowUnsealed: true)] {
        guard let reader = try? TapeReader(path: scratch, options: options) else { continue }
        for table in reader.tables {
            guard let all = rows(reader, table.name) else { continue }
            if all.count > table.rowCount { abort() }   // never more rows than the footer declares
            if reader.isSealed {
                if let earlier = seen[table.name], earlier != all { abort() }
                seen[table.name] = all
            }
            // The last column alone, then the first: the projection of the whole read.
            for c in Set([table.schema.count - 1, 0]) {
                if let one = rows(reader, table.name, columns: [table.schema[c].name]), one != all.map({ [$0[c]] }) { abort() }
            }
        }
    }
    return 0
}
