import Foundation
import Tape

#if canImport(Glibc)
import Glibc
#endif

/// Bytes per table and per column of a sealed `.tape` file, from its footer (format-spec §6).
struct FooterSizes {
    struct Table {
        var name: String
        var rows: Int
        var chunks: Int
        /// Sum of the table's chunk frame lengths (headers, blocks and CRCs).
        var bytes: Int
        /// Per column, in schema order: name, stored block bytes summed over chunks, and how many
        /// chunks used each encoding.
        var columns: [(name: String, bytes: Int, encodings: [String: Int])]
    }

    var fileBytes: Int
    var tables: [Table]

    /// Opens the file with `TapeReader`, which reads only the header, trailer and footer (and checks
    /// the footer's CRC), so measuring a file does not raise this process's peak RSS.
    init(path: String) throws {
        let reader = try TapeReader(path: path)
        fileBytes = reader.fileSize
        let footer = reader.footer
        tables = footer.tables.map { t in
            let columns = t.schema.columns.enumerated().map { i, def in
                var stored = 0
                var encodings: [String: Int] = [:]
                for c in t.chunks {
                    stored += c.blocks[i].storedLength
                    let name = Encoding(rawValue: c.blocks[i].encoding).map { "\($0)" } ?? "encoding \(c.blocks[i].encoding)"
                    let codec = c.blocks[i].codec == 0 ? "" : "+" + (c.blocks[i].codec == 1 ? "lz4" : "zstd")
                    encodings[name + codec, default: 0] += 1
                }
                return (name: def.name, bytes: stored, encodings: encodings)
            }
            return Table(name: t.name, rows: t.rowCount, chunks: t.chunks.count,
                         bytes: t.chunks.reduce(0) { $0 + $1.frameLength }, columns: columns)
        }
    }
}

/// Peak resident set of this process so far (VmHWM), in KiB.
func peakRSSKiB() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }
    return nil
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// CPU time (user + system) of all threads of this process, in nanoseconds.
func processCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
