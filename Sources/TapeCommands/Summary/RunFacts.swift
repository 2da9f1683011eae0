import Foundation
import Tape

/// Everything `tape summary` keeps of one run, whatever columns are asked for: its metadata (in
/// footer order), its metrics (stored, or computed by streaming when the run has none) and its
/// status. What the summary cache stores per file.
public struct RunFacts: Sendable, Equatable {
    public var metadata: [(key: String, value: String)]
    public var metrics: RunMetrics
    public var status: RunStatus
    /// False when the metrics were computed because the file had none stored.
    public var metricsStored: Bool

    public init(metadata: [(key: String, value: String)], metrics: RunMetrics, status: RunStatus, metricsStored: Bool) {
        self.metadata = metadata
        self.metrics = metrics
        self.status = status
        self.metricsStored = metricsStored
    }

    /// Reads the run at `path`: its footer, and its equity and trades tables only when it has no
    /// stored metrics.
    public init(path: String) throws {
        let reader = try TapeReader(path: path)
        metadata = reader.metadata
        status = RunStatus(metadata: metadata)
        if let stored = try reader.metrics {
            metrics = stored
            metricsStored = true
        } else {
            metrics = try reader.metricsStoredOrComputed()
            metricsStored = false
        }
    }

    /// The run id: metadata `run_id`, `run` or `name` (the last value of a repeated key), else
    /// the file name of `path` without `.tape`.
    public func runID(path: some StringProtocol) -> String {
        for key in ["run_id", "run", "name"] {
            if let v = metadata.last(where: { $0.key == key })?.value { return v }
        }
        return Self.stem(path)
    }

    /// The file name of `path` without its `.tape` extension.
    static func stem(_ path: some StringProtocol) -> String { stem(utf8: ArraySlice(path.utf8)) }

    /// `stem` of a path given as UTF-8 bytes (no `String` made but the result).
    static func stem(utf8 path: ArraySlice<UInt8>) -> String {
        let name = path.lastIndex(of: UInt8(ascii: "/")).map { path[($0 + 1)...] } ?? path
        let stem = name.count > 5 && name.suffix(5).elementsEqual(".tape".utf8) ? name.dropLast(5) : name
        return String(decoding: stem, as: UTF8.self)
    }

    public static func == (a: RunFacts, b: RunFacts) -> Bool {
        a.status == b.status && a.metricsStored == b.metricsStored && a.metrics == b.metrics
            && a.metadata.count == b.metadata.count && zip(a.metadata, b.metadata).allSatisfy { $0 == $1 }
    }
}
