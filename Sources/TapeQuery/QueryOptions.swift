import Foundation

/// How a query runs.
public struct QueryOptions: Sendable {
    /// Worker threads decoding and filtering chunks (1 = single-threaded).
    public var threads: Int
    /// Most bytes a full sort, a DISTINCT set or an aggregation may hold before the query fails
    /// with a message saying so (no spilling to disk).
    public var memoryLimit: Int
    /// Check each chunk's CRC before decoding it.
    public var verifyChecksums: Bool
    /// Query files still being written (complete chunks only).
    public var allowUnsealed: Bool

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, memoryLimit: Int = 2 << 30,
                verifyChecksums: Bool = false, allowUnsealed: Bool = false) {
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
        self.verifyChecksums = verifyChecksums
        self.allowUnsealed = allowUnsealed
    }
}
