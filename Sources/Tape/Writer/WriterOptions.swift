import Foundation
import TapeCodec
import TapeFormat

/// How a `TapeWriter` lays out and compresses data.
public struct WriterOptions: Sendable {
    /// Compression for every block (a block is stored raw when compression saves < 1/8).
    public var codec: Codec
    /// A chunk is flushed when it holds this many rows (1 ... 16,777,216).
    public var rowsPerChunk: Int
    /// ... or when its buffered values take about this many bytes (1024 ... `maxBytesPerChunk`).
    /// Whatever these two say, a chunk is also cut before it would decode to more than
    /// `ChunkLimits.maxDecodedBytes` (format-spec §7).
    public var bytesPerChunk: Int
    /// When to fsync: never, after every chunk, or once at close.
    public var durability: Durability
    /// Force an encoding per column name (tests and experiments); others are chosen per block.
    public var forcedEncodings: [String: Encoding]
    /// A table whose buffered rows have waited while this many chunks of other tables were
    /// written is flushed too, so slow tables (trades) neither hold memory that grows with the run
    /// nor lag far behind fast ones (equity) on disk. 0 disables it.
    public var maxChunkLag: Int
    /// Threads that encode and compress a chunk's columns in parallel (1 = only the calling
    /// thread). Defaults to the number of active processors, at most 4.
    public var encodingThreads: Int
    /// How run metrics are computed at close (README "Run metrics"); nil computes none.
    public var metrics: MetricsOptions?
    /// Rows per page of int64, timestamp, duration and float64 blocks (format 1.4, format-spec
    /// §5.5): a block of more rows is stored as pages of this many rows, each compressed on its
    /// own, so a query that needs a few rows of a chunk (a 1-day slice) decodes only their pages.
    /// 0 stores every block whole (as format 1.3 did). 0 or 1 ... 16,777,216.
    public var rowsPerPage = WriterOptions.defaultRowsPerPage
    /// Consecutive pages of a PAGED block compressed together as one group (format 1.5,
    /// format-spec §5.5): a full scan then sets up one zstd frame per group instead of one per
    /// page, while a slice still decodes only its pages (after decompressing their group).
    /// 0 compresses each page on its own (the format 1.4 form, which 1.5 readers also read).
    /// 0 ... 4,096; default 4 (16,384 rows per frame with the default pages).
    public var pagesPerGroup = BlockEncoder.defaultPagesPerGroup
    /// Index entries the file may hold (format-spec §7); only tests lower it, to reach the limit cheaply.
    var indexEntryLimit = IndexLimits.maxEntries

    public enum Durability: String, Sendable, CaseIterable {
        /// Leave flushing to the OS: fastest; a crash of the machine may lose recent chunks.
        case none
        /// fsync after every chunk: each chunk written survives a machine crash.
        case chunk
        /// fsync once when the file is closed (default): a closed file survives a machine crash.
        case close
    }

    public init(codec: Codec = .zstd(level: 3), rowsPerChunk: Int = 65_536, bytesPerChunk: Int = 16 << 20,
                durability: Durability = .close, forcedEncodings: [String: Encoding] = [:],
                encodingThreads: Int = min(4, ProcessInfo.processInfo.activeProcessorCount), maxChunkLag: Int = 8,
                metrics: MetricsOptions? = MetricsOptions()) {
        self.metrics = metrics
        self.maxChunkLag = max(0, maxChunkLag)
        self.encodingThreads = max(1, encodingThreads)
        self.codec = codec
        self.rowsPerChunk = rowsPerChunk
        self.bytesPerChunk = bytesPerChunk
        self.durability = durability
        self.forcedEncodings = forcedEncodings
    }

    /// The default `rowsPerPage`: a day of minute bars (1,440 rows) lies in one page or two, so a
    /// 1-day slice decodes at most 8,192 rows per column. Pages are compressed in groups of
    /// `pagesPerGroup` (format 1.5): compressed one by one (format 1.4) they cost full scans one
    /// zstd frame set-up per page (benchmarks/RESULTS.md).
    public static let defaultRowsPerPage = 4096

    func validate() throws {
        guard (0...4096).contains(pagesPerGroup) else {
            throw TapeError.invalidArgument("pagesPerGroup must be 0...4096, got \(pagesPerGroup)")
        }
        guard (0...ChunkLimits.maxRows).contains(rowsPerPage) else {
            throw TapeError.invalidArgument("rowsPerPage must be 0...\(ChunkLimits.maxRows), got \(rowsPerPage)")
        }
        guard (1...ChunkLimits.maxRows).contains(rowsPerChunk) else {
            throw TapeError.invalidArgument("rowsPerChunk must be 1...\(ChunkLimits.maxRows), got \(rowsPerChunk)")
        }
        guard (1024...Self.maxBytesPerChunk).contains(bytesPerChunk) else {
            throw TapeError.invalidArgument("bytesPerChunk must be 1024...\(Self.maxBytesPerChunk), got \(bytesPerChunk)")
        }
        if case .zstd(let level) = codec, !(1...22).contains(level) {
            throw TapeError.invalidArgument("zstd level must be 1...22, got \(level)")
        }
    }
}

extension WriterOptions {
    /// Largest `bytesPerChunk`: half the decoded size a chunk may have (format-spec §7), leaving
    /// room for the rows buffered between two checks of the budget.
    public static let maxBytesPerChunk = ChunkLimits.maxDecodedBytes / 2
}
