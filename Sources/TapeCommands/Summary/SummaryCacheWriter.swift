import Foundation
import Tape
import TapeFormat

/// Writes a new summary cache (`SummaryCacheFormat`) beside the runs through `AtomicReplacement`:
/// readers see the old cache or the new one, never a mix (not fsynced: see `commit`). Records must be appended in file name
/// byte order. Names keep the ids of the cache the records were copied from (`names`), and new
/// names are added at the end.
///
/// The temporary file is created when the first megabyte is written out (at `commit` for the
/// usual directory of a few thousand runs), so that a loader can hand the file system work
/// (create, write, rename: each may wait on the file system's journal) to another thread with
/// `commit` (`SummaryCommits`).
final class SummaryCacheWriter {
    private let directory: String
    private let path: String
    private var replacement: AtomicReplacement?
    private var names: [String]
    private var ids: [String: Int]
    private var pending: [UInt8] = []
    private var written = 0

    /// Starts the cache of `directory` whose copied records use `names` (the old cache's list).
    init(directory: String, names: [String]) {
        self.directory = directory
        path = directory + "/" + SummaryCacheFormat.fileName
        self.names = names
        ids = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        pending = SummaryCacheFormat.headerMagic + [SummaryCacheFormat.version]
    }

    /// Appends bytes copied from the old cache: whole framed records.
    func appendRaw(_ bytes: [UInt8]) throws {
        pending += bytes
        try flushIfFull()
    }

    /// Appends a record read from the old cache, as is.
    func append(_ record: SummaryCacheRecord) throws {
        SummaryCacheFormat.frame(record.payload, into: &pending)
        try flushIfFull()
    }

    /// Appends the record of a run read from its file.
    func append(name: [UInt8], identity: FileIdentity, facts: RunFacts) throws {
        let payload = SummaryCacheRecord.payload(name: name, identity: identity, facts: facts) { key in
            if let i = ids[key] { return i }
            names.append(key)
            ids[key] = names.count - 1
            return names.count - 1
        }
        SummaryCacheFormat.frame(payload, into: &pending)
        try flushIfFull()
    }

    private func flushIfFull() throws {
        if pending.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        let replacement = try self.replacement ?? {
            // A cache write killed before its rename left a temporary file: gone with its writer.
            SummaryCacheFormat.removeLeftovers(in: directory)
            return try AtomicReplacement(replacing: path, purpose: SummaryCacheFormat.temporaryPurpose)
        }()
        self.replacement = replacement
        try replacement.write(pending)
        written += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes the names (`names` when given: the list the appended records' ids index, which
    /// must begin with the list given at `init`; else this writer's) and the trailer, and renames
    /// the cache into place.
    func commit(names given: [String]? = nil) throws {
        let names = given ?? names
        let namesOffset = written + pending.count
        var w = ByteWriter()
        w.writeU8(SummaryCacheFormat.namesKind)
        w.writeVarint(UInt64(names.count))
        for n in names { w.writeString(n) }
        SummaryCacheFormat.frame(w.bytes, into: &pending)
        var t = ByteWriter()
        t.writeU64(UInt64(namesOffset))
        pending += t.bytes + SummaryCacheFormat.trailerMagic
        try flush()
        // Not fsynced: a cache lost or cut short by a crash fails its checks and is rebuilt from
        // the runs, so durability would only cost time (a million runs' caches: 1,000 fsyncs).
        try replacement?.commit(durable: false)
    }

    /// Removes the temporary file, if any (the old cache stays).
    func discard() { replacement?.discard() }
}
