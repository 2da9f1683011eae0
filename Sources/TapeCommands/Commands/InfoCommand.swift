import ArgumentParser
import Foundation
import Tape
import TapeIO

/// `tape info`: what a file holds, read from its footer only.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a file's tables, columns, encodings, sizes, metadata and run metrics (reads the footer only).",
        discussion: """
            Per column: type, encodings and codecs used by its blocks, stored bytes (on disk), raw \
            bytes (encoded, before compression), the ratio raw/stored, and stored bytes per row.
            """)

    @Argument(help: "The .tape file (or a directory or quoted glob naming exactly one).") var file: String
    /// What `--format` chooses between.
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .shortAndLong, help: "Output format: text or json.") var format: Format = .text
    @Flag(help: "The same as --format json.") var json = false
    @Option(name: .shortAndLong, help: "Write to this file (atomically: complete or untouched) instead of standard output.")
    var output: String?
    @Flag(help: "Read a file that is still being written (or whose writer died): only its complete chunks.")
    var unsealed = false
    @OptionGroup var messages: MessageOptions

    func run() throws {
        let path = try RunPaths.single(file)
        let reader = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: unsealed))
        if !reader.isSealed { messages.warn("\(path) has no footer yet; showing its complete chunks only") }
        let info = try FileInfo(reader: reader)
        let text: String
        if json || format == .json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try e.encode(info), as: UTF8.self) + "\n"
        } else {
            text = info.text
        }
        let target = try OutputTarget(path: output)
        try quietOnBrokenPipe {
            target.sink.append { $0.append(contentsOf: Array(text.utf8)) }
            try target.commit()
        }
    }
}

/// The facts `tape info` prints, computed from a footer.
struct FileInfo: Codable {
    struct Column: Codable {
        var name: String
        var type: String
        var nullable: Bool
        var encodings: [String]
        var codecs: [String]
        var storedBytes: Int
        var rawBytes: Int
        var nullCount: Int
        var min: String?
        var max: String?
    }
    struct Table: Codable {
        var name: String
        var rows: Int
        var chunks: Int
        var storedBytes: Int
        var columns: [Column]
    }
    var path: String
    var fileBytes: Int
    var formatVersion: String
    var tables: [Table]
    var metadata: [String: String]
    /// The run metrics stored at close (nil for runs without them).
    var metrics: RunMetrics?

    init(reader: TapeReader) throws {
        path = reader.path
        fileBytes = reader.fileSize
        formatVersion = "\(FileHeader.majorVersion).\(reader.formatMinorVersion)"
        metadata = Dictionary(reader.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        metrics = try reader.metrics
        tables = reader.tables.map { t in
            let columns = t.schema.columns.enumerated().map { (i, def) -> Column in
                let blocks = t.chunks.map { $0.blocks[i] }
                let encodings = Set(blocks.map { Encoding(rawValue: $0.encoding)?.description ?? "encoding \($0.encoding)" })
                let codecs = Set(blocks.map { ["none", "lz4", "zstd"][Int(min($0.codec, 2))] })
                var lo: StatValue?, hi: StatValue?
                for b in blocks {
                    if let m = b.stats.min { lo = lo.map { Self.less(m, $0) ? m : $0 } ?? m }
                    if let m = b.stats.max { hi = hi.map { Self.less($0, m) ? m : $0 } ?? m }
                }
                return Column(name: def.name, type: def.type.description, nullable: def.nullable,
                              encodings: encodings.sorted(), codecs: codecs.sorted(),
                              storedBytes: blocks.reduce(0) { $0 + $1.storedLength },
                              rawBytes: blocks.reduce(0) { $0 + $1.rawLength },
                              nullCount: blocks.reduce(0) { $0 + $1.nullCount },
                              min: lo.map { Self.text($0, def.type) }, max: hi.map { Self.text($0, def.type) })
            }
            return Table(name: t.name, rows: t.rowCount, chunks: t.chunks.count,
                         storedBytes: t.chunks.reduce(0) { $0 + $1.frameLength }, columns: columns)
        }
    }

    static func less(_ a: StatValue, _ b: StatValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return compareBytes(x, y) < 0
        default: return false
        }
    }

    static func text(_ v: StatValue, _ type: ColumnType) -> String {
        switch v {
        case .int(let x): return type == .timestamp ? Timestamps.format(x) : type == .duration ? Durations.format(x) : String(x)
        case .float(let x): return String(x)
        case .bool(let x): return String(x)
        case .string(let x): return x
        }
    }

    /// The human-readable report. Every string from the file (metadata, names, min/max) goes
    /// through `TerminalText.escape`: a file must not be able to drive the terminal.
    var text: String {
        let esc = TerminalText.escape
        var out = "\(esc(path)): \(bytes(fileBytes)), format \(formatVersion), \(tables.count) table(s)\n"
        if !metadata.isEmpty {
            out += "metadata:\n"
            for k in metadata.keys.sorted() { out += "  \(esc(k)) = \(esc(metadata[k] ?? ""))\n" }
        }
        if let metrics, !metrics.entries.isEmpty {
            out += "metrics:\n"
            for (name, value) in metrics.entries {
                let text: String
                switch value {
                case .double(let d): text = String(format: "%.6g", d)
                case .int(let i): text = String(i)
                case .timestamp(let t): text = Timestamps.format(t)
                }
                out += "  \(esc(name)) = \(text)\n"
            }
            let options = (try? MetricsOptions().applying(metadata: metadata.map { ($0.key, $0.value) })) ?? MetricsOptions()
            out += "metric conventions:\n"
            for line in MetricConventions.lines(options) { out += "  \(line)\n" }
            if let source = metadata[MetricConventions.sourceKey] { out += "  resolution: \(esc(source))\n" }
        }
        for t in tables {
            out += "\ntable \(esc(t.name)): \(t.rows) rows, \(t.chunks) chunk(s), \(bytes(t.storedBytes))\n"
            var rows = [["column", "type", "null", "encoding", "codec", "stored", "raw", "ratio", "B/row", "min", "max"]]
            for c in t.columns {
                let ratio = c.storedBytes > 0 ? String(format: "%.1fx", Double(c.rawBytes) / Double(c.storedBytes)) : "-"
                let perRow = t.rows > 0 ? String(format: "%.3f", Double(c.storedBytes) / Double(t.rows)) : "-"
                rows.append([esc(c.name), c.type + (c.nullable ? "?" : ""), String(c.nullCount), c.encodings.joined(separator: ","),
                             c.codecs.joined(separator: ","), bytes(c.storedBytes), bytes(c.rawBytes), ratio, perRow,
                             clip(esc(c.min ?? "")), clip(esc(c.max ?? ""))])
            }
            out += align(rows)
        }
        return out
    }

    private func clip(_ s: String) -> String { s.count > 24 ? String(s.prefix(23)) + "…" : s }

    private func align(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { r in
            "  " + r.enumerated().map { i, s in s.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }
}

/// Human-readable byte count (B, KiB, MiB, GiB).
func bytes(_ n: Int) -> String {
    if n < 1024 { return "\(n) B" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var v = Double(n) / 1024, u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    return String(format: "%.1f", v) + " " + units[u]
}
