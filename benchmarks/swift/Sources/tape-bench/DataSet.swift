import Foundation
import Tape

#if canImport(Glibc)
import Glibc
#endif

/// The data set written by `benchmarks/gen.py`: `manifest.json` plus one directory per table with a
/// `schema.json` and one raw file per column (see gen.py for the file grammar).
struct DataSet {
    struct Manifest: Decodable {
        var rows: Int
        var tables: [String]
    }

    struct ColumnFile: Decodable {
        var name: String
        var type: String
        var nullable: Bool
        var file: String
        var valid: String?
    }

    struct TableFile: Decodable {
        var table: String
        var rows: Int
        var columns: [ColumnFile]
    }

    struct Table {
        var name: String
        var rows: Int
        var directory: String
        var columns: [ColumnFile]
        var schema: Schema
    }

    let directory: String
    let tables: [Table]

    init(directory: String) throws {
        self.directory = directory
        let decoder = JSONDecoder()
        let manifest = try decoder.decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json")))
        tables = try manifest.tables.map { name in
            let dir = directory + "/" + name
            let t = try decoder.decode(TableFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/schema.json")))
            let defs = try t.columns.map { c -> ColumnDef in
                guard let type = ColumnType(name: c.type) else { throw BenchError("\(dir): unknown column type \(c.type)") }
                return ColumnDef(c.name, type, nullable: c.nullable)
            }
            return Table(name: name, rows: t.rows, directory: dir, columns: t.columns, schema: try Schema(defs))
        }
    }
}

/// Reads a table's raw column files slice by slice, so memory stays bounded by one slice whatever
/// the file length.
final class TableSource {
    let table: DataSet.Table
    private var readers: [ColumnReader]
    private(set) var rowsRead = 0

    init(_ table: DataSet.Table) throws {
        self.table = table
        readers = try zip(table.columns, table.schema.columns).map { file, def in
            try ColumnReader(path: table.directory + "/" + file.file,
                             validPath: file.valid.map { table.directory + "/" + $0 }, type: def.type)
        }
    }

    var remaining: Int { table.rows - rowsRead }

    /// The next `count` rows (fewer at the end), one `ColumnData` per schema column.
    func next(_ count: Int) throws -> [ColumnData] {
        let n = min(count, remaining)
        let slice = try readers.map { try $0.read(n) }
        rowsRead += n
        return slice
    }
}

/// One column's raw file (and validity file), read sequentially.
final class ColumnReader {
    let type: ColumnType
    private let values: RawFileReader
    private let validity: RawFileReader?

    init(path: String, validPath: String?, type: ColumnType) throws {
        self.type = type
        values = try RawFileReader(path: path)
        validity = try validPath.map { try RawFileReader(path: $0) }
    }

    func read(_ n: Int) throws -> ColumnData {
        var bitmap: Bitmap?
        if let validity {
            let bytes = try validity.readFixed(n, as: UInt8.self)
            var b = Bitmap(count: n, value: true)
            for i in 0..<n where bytes[i] == 0 { b[i] = false }
            bitmap = b
        }
        switch type {
        case .int64, .timestamp, .duration:
            return ColumnData(type: type, storage: .int64(try values.readFixed(n, as: Int64.self)), validity: bitmap)
        case .float64:
            return ColumnData(type: type, storage: .float64(try values.readFixed(n, as: Double.self)), validity: bitmap)
        case .bool:
            let bytes = try values.readFixed(n, as: UInt8.self)
            return ColumnData(type: type, storage: .bool(Bitmap(bytes.map { $0 != 0 })), validity: bitmap)
        case .string:
            return ColumnData(type: type, storage: .strings(try values.readLines(n)), validity: bitmap)
        }
    }
}

/// Sequential reads from a file through a 256 KiB buffer (POSIX `read`), never the whole file.
final class RawFileReader {
    let path: String
    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0  // first unconsumed byte in buffer
    private var end = 0    // end of valid bytes in buffer
    private var eof = false

    init(path: String, bufferSize: Int = 1 << 18) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Moves unconsumed bytes to the front and fills the rest; returns false at end of file.
    private func refill() throws -> Bool {
        if eof { return false }
        if start > 0 {
            let n = end - start
            if n > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n) }
            start = 0
            end = n
        }
        if end == buffer.count {  // a line longer than the buffer: grow it
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let got = Glibc.read(fd, buffer.baseAddress! + end, buffer.count - end)
        guard got >= 0 else { throw BenchError("read \(path): \(String(cString: strerror(errno)))") }
        if got == 0 { eof = true; return false }
        end += got
        return true
    }

    /// Reads `n` fixed-width values stored little-endian (this tool runs on little-endian Linux).
    func readFixed<T>(_ n: Int, as: T.Type) throws -> [T] {
        try readFixedRaw(n, stride: MemoryLayout<T>.stride)
    }

    private func readFixedRaw<T>(_ n: Int, stride: Int) throws -> [T] {
        let want = n * stride
        return try [T](unsafeUninitializedCapacity: n) { out, initialized in
            let dst = UnsafeMutableRawBufferPointer(out)
            var done = 0
            // Buffered bytes first, then straight into the array.
            let buffered = min(end - start, want)
            if buffered > 0 {
                dst.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered)
                start += buffered
                done = buffered
            }
            while done < want {
                let got = Glibc.read(fd, dst.baseAddress! + done, want - done)
                guard got > 0 else {
                    throw BenchError("\(path): short read (\(done) of \(want) bytes)")
                }
                done += got
            }
            initialized = n
        }
    }

    /// Reads `n` newline-terminated lines into a packed string array (without the newlines).
    func readLines(_ n: Int) throws -> StringArray {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(n + 1)
        bytes.reserveCapacity(n * 8)
        var lines = 0
        while lines < n {
            if start == end, try !refill() { throw BenchError("\(path): \(lines) of \(n) lines, then end of file") }
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var lineStart = start
            var i = start
            while i < end && lines < n {
                if base[i] == 0x0A {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base + lineStart, count: i - lineStart))
                    offsets.append(UInt32(bytes.count))
                    lines += 1
                    lineStart = i + 1
                }
                i += 1
            }
            start = lineStart
            if lines < n && i == end && lineStart < end {
                // A partial line at the end of the buffer: keep it and read more.
                if try !refill() { throw BenchError("\(path): last line has no newline") }
            }
        }
        return StringArray(bytes: bytes, offsets: offsets)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
