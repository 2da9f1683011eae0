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

    /// Reads only the trailer and the footer (two `pread`s), so measuring a file does not touch
    /// its chunks nor raise this process's peak RSS.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BenchError("stat \(path) failed") }
        fileBytes = Int(st.st_size)
        guard fileBytes >= FileHeader.size + Trailer.size else { throw BenchError("\(path): too short for a sealed file") }
        func readAt(_ offset: Int, _ count: Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            guard got == count else { throw BenchError("\(path): short read at \(offset)") }
            return out
        }
        let trailer = try Trailer(decoding: try readAt(fileBytes - Trailer.size, Trailer.size), fileSize: fileBytes)
        let start = Int(trailer.footerOffset)
        var r = ByteReader(try readAt(start, Int(trailer.footerLength)), baseOffset: start)
        let footer = try Footer(decoding: &r, dataEnd: start)
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
