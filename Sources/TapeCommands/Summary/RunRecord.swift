import Foundation
import Synchronization
import Tape
import TapeFormat

/// What `tape summary` knows of one run: its id, metadata and metrics, read from the footer only
/// (or, for a run written without stored metrics, computed by streaming its equity and trades).
public struct RunRecord: Sendable {
    public var path: String
    /// Metadata `run_id`, `run` or `name`, else the file name without `.tape`.
    public var run: String
    public var metadata: [String: String]
    public var metrics: RunMetrics
    /// False when the metrics were computed now because the file had none stored.
    public var metricsStored: Bool
    /// How the run ended (complete, cancelled, incomplete, recovered).
    public var status: RunStatus

    /// Reads the run at `path`.
    public init(path: String) throws {
        self.init(path: path, facts: try RunFacts(path: path))
    }

    /// The record of the run at `path` whose facts are `facts`.
    public init(path: String, facts: RunFacts) {
        self.path = path
        metadata = Dictionary(facts.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        run = facts.runID(path: path)
        metrics = facts.metrics
        metricsStored = facts.metricsStored
        status = facts.status
    }

    /// A value a run has for a name (for sorting).
    public enum Field: Equatable, Sendable {
        case number(Double)
        case string(String)
    }

    /// The value of `name`: `run`, `path`, a metric, else a metadata key.
    public func field(_ name: String) -> Field? {
        switch name {
        case "run": return .string(run)
        case "path": return .string(path)
        case "status": return .string(status.description)
        default:
            if let v = metrics[name] { return .number(v.number) }
            return metadata[name].map { .string($0) }
        }
    }

    /// Reads every path, `workers` files at a time; returns the records (in path order) and, for
    /// each file that could not be read, its path and the error. `progress` is told the number of
    /// files read so far after each one (one call at a time).
    public static func load(_ paths: [String], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                            progress: (@Sendable (Int) -> Void)? = nil)
        -> (records: [RunRecord], failures: [(path: String, error: Error)])
    {
        // The next path to read, the results so far and how many are in, locked once per file.
        let shared = Mutex((next: 0, done: 0, results: [Result<RunRecord, Error>?](repeating: nil, count: paths.count)))
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, paths.count))) { _ in
            while true {
                let i = shared.withLock { s in
                    s.next += 1
                    return s.next - 1
                }
                if i >= paths.count { return }
                let r = Result { try RunRecord(path: paths[i]) }
                shared.withLock { s in
                    s.results[i] = r
                    s.done += 1
                    progress?(s.done)
                }
            }
        }
        let results = shared.withLock { $0.results }
        var records: [RunRecord] = [], failures: [(String, Error)] = []
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let rec)?: records.append(rec)
            case .failure(let e)?: failures.append((paths[i], e))
            case nil: break
            }
        }
        return (records, failures)
    }
}
