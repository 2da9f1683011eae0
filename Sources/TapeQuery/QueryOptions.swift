import Foundation

/// How a query runs.
public struct QueryOptions: Sendable {
    /// Worker threads decoding and filtering chunks (1 = single-threaded).
    public var threads: Int
    /// Most bytes a full sort, a DISTINCT set, an aggregation, a hash join's build side, a window's
    /// input, an ASOF join's right side or a set operation's hash table may hold. Beyond it sorts,
    /// DISTINCT, GROUP BY, hash joins and windows spill to a temporary file
    /// (`Operators/Spill/`); the others fail with a message naming the operator and this limit.
    public var memoryLimit: Int
    /// Check each chunk's CRC before decoding it.
    public var verifyChecksums: Bool
    /// Query files still being written (complete chunks only).
    public var allowUnsealed: Bool
    /// Told how far opening the runs and scanning their chunks got (nil: nobody listens).
    public var progress: QueryProgress?

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, memoryLimit: Int = 2 << 30,
                verifyChecksums: Bool = false, allowUnsealed: Bool = false) {
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
        self.verifyChecksums = verifyChecksums
        self.allowUnsealed = allowUnsealed
    }

    /// `2 GiB`, `64 MiB`, `512 KiB` or `100 bytes`, for memory-limit messages.
    public static func describe(bytes: Int) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
