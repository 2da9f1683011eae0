import Foundation
import Synchronization
import Tape

/// Fills a `RunTable` for `tape summary` from many runs: files are taken a directory at a time,
/// in blocks, with their footers read in parallel, and through the directory's summary cache
/// (`SummaryCacheFormat`) when it vouches for a file's current size, times, inode and device.
///
/// The cache is rewritten (atomically) only when something differs from it — a run added,
/// changed or removed, or the cache missing or damaged — starting with the unchanged prefix of
/// the old one copied as bytes. Files changed within the last second are read, never cached.
struct RunTableLoader {
    enum CacheMode: String, Sendable, CaseIterable {
        /// Use and keep caches in directories with at least `autoMinimumRuns` runs.
        case auto
        /// Use and keep a cache in every directory with a run.
        case on
        /// Read every footer; touch no cache.
        case off
    }

    static let autoMinimumRuns = 256
    static let blockSize = 8192

    let paths: [String]
    let cache: CacheMode
    let workers: Int
    /// The time (ns since the epoch) files are judged racy against; now unless given (tests).
    let now: Int64?

    init(paths: [String], cache: CacheMode = .auto, workers: Int = ProcessInfo.processInfo.activeProcessorCount, now: Int64? = nil) {
        self.paths = paths
        self.cache = cache
        self.workers = max(1, workers)
        self.now = now
    }

    /// The table of every readable run (in no particular row order: rows carry their path index)
    /// and, for each file that could not be read, its path and the error. `progress` is told the
    /// number of runs done after each block.
    func load(into table: inout RunTable, progress: (Int) -> Void = { _ in }) -> [(path: String, error: Error)] {
        var failures: [(path: String, error: Error)] = []
        var done = 0
        let now = self.now ?? Int64(Date().timeIntervalSince1970 * 1e9)
        for (dir, indices) in groups() {
            let useCache = cache == .on || (cache == .auto && indices.count >= Self.autoMinimumRuns)
            var merge = CacheMerge(dir: dir, enabled: useCache)
            var start = 0
            while start < indices.count {
                let block = Array(indices[start..<min(start + Self.blockSize, indices.count)])
                start += block.count
                let ids = parallelMap(block) { FileIdentity(path: paths[$0]) }
                // Walk the block against the cache: a hit keeps the record, a miss is read below.
                var entries: [Entry] = []
                entries.reserveCapacity(block.count)
                for (k, i) in block.enumerated() {
                    let name = Self.name(of: paths[i])
                    if let id = ids[k], let record = merge.lookup(name: name, identity: id, now: now) {
                        entries.append(.hit(i, record))
                    } else {
                        entries.append(.miss(i, ids[k]))
                    }
                }
                let misses = entries.compactMap { e -> Int? in if case .miss(let i, _) = e { return i } else { return nil } }
                let read = parallelMap(misses) { i in Result { try RunFacts(path: paths[i]) } }
                var next = 0
                for e in entries {
                    switch e {
                    case .hit(let i, let record):
                        let ok: Bool = {
                            do {
                                let names = merge.map.names.count
                                try table.append(path: i, status: record.status, map: &merge.map) { (metadata, metric) throws(FormatError) in
                                    try record.values(names: names, metadata: metadata, metric: metric)
                                }
                                return true
                            } catch { return false }
                        }()
                        if ok {
                            merge.keep(record)
                        } else {
                            // A record that frames and checksums correctly but does not decode: read the file.
                            merge.changed()
                            appendFresh(i, Result { try RunFacts(path: paths[i]) }, FileIdentity(path: paths[i]), now, &table, &merge, &failures)
                        }
                    case .miss(let i, let id):
                        appendFresh(i, read[next], id, now, &table, &merge, &failures)
                        next += 1
                    }
                }
                done += block.count
                progress(done)
            }
            merge.finish()
        }
        return failures
    }

    private enum Entry {
        case hit(Int, SummaryCacheRecord)
        case miss(Int, FileIdentity?)
    }

    private func appendFresh(_ i: Int, _ result: Result<RunFacts, Error>, _ id: FileIdentity?, _ now: Int64,
                             _ table: inout RunTable, _ merge: inout CacheMerge, _ failures: inout [(path: String, error: Error)]) {
        switch result {
        case .success(let facts):
            table.append(path: i, facts: facts)
            // Cached only when the file did not change while it was read, and not too recently.
            if let id, !id.isRacy(at: now), FileIdentity(path: paths[i]) == id {
                merge.add(name: Self.name(of: paths[i]), identity: id, facts: facts)
            }
        case .failure(let error):
            failures.append((paths[i], error))
        }
    }

    /// Path indices grouped by directory, each group in file name order (as the cache is).
    private func groups() -> [(dir: String, indices: [Int])] {
        var order: [String] = [], byDir: [String: [Int]] = [:]
        for (i, p) in paths.enumerated() {
            let dir = Self.directory(of: p)
            if byDir[dir] == nil { order.append(dir) }
            byDir[dir, default: []].append(i)
        }
        return order.map { dir in
            var idx = byDir[dir]!
            let sorted = zip(idx, idx.dropFirst()).allSatisfy { Self.precedes(Self.name(of: paths[$0]), Self.name(of: paths[$1])) }
            if !sorted { idx.sort { Self.precedes(Self.name(of: paths[$0]), Self.name(of: paths[$1])) } }
            return (dir, idx)
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    }

    static func name(of path: String) -> Substring.UTF8View {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path[...].utf8 }
        return path[path.utf8.index(after: slash)...].utf8
    }

    /// Byte order of file names (the cache's order).
    static func precedes(_ a: some Sequence<UInt8>, _ b: some Sequence<UInt8>) -> Bool { a.lexicographicallyPrecedes(b) }

    /// `body` over `items`, `workers` at a time, results in order.
    private func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ body: (T) -> R) -> [R] {
        guard items.count > 1, workers > 1 else { return items.map(body) }
        let out = Mutex([R?](repeating: nil, count: items.count))
        let stride = max(16, items.count / (workers * 8))
        let tasks = (items.count + stride - 1) / stride
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { t in
                let range = (t * stride)..<min(items.count, (t + 1) * stride)
                let part = range.map { box.value(items[$0]) }
                out.withLock { o in for (k, r) in zip(range, part) { o[k] = r } }
            }
        }
        return out.withLock { $0.map { $0! } }
    }
}

/// A non-Sendable closure handed to `concurrentPerform`, whose iterations all end before the call
/// returns (the closure only reads shared state).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// One directory's walk through its old cache and, once something differs, the writing of the
/// new one.
struct CacheMerge {
    let path: String
    private let enabled: Bool
    private var reader: SummaryCacheReader?
    private var current: SummaryCacheRecord?
    private var writer: SummaryCacheWriter?
    private var writeFailed = false
    /// Offset in the old cache of the first record not yet kept (where a rewrite starts copying).
    private var keptUpTo = SummaryCacheFormat.headerSize
    var map: RunTable.NameMap

    init(dir: String, enabled: Bool) {
        path = dir + "/" + SummaryCacheFormat.fileName
        self.enabled = enabled
        reader = enabled ? SummaryCacheReader(path: path) : nil
        map = RunTable.NameMap(reader?.names ?? [])
        current = reader?.next()
    }

    /// The old cache's record for `name` when it vouches for `identity`.
    mutating func lookup(name: Substring.UTF8View, identity: FileIdentity, now: Int64) -> SummaryCacheRecord? {
        while let c = current, RunTableLoader.precedes(c.name, name) {
            changed()     // a run removed since the cache was written
            current = reader?.next()
        }
        guard let c = current, c.name.elementsEqual(name) else { return nil }
        current = reader?.next()
        guard c.identity == identity, !identity.isRacy(at: now) else {
            changed()
            return nil
        }
        return c
    }

    /// Notes that `record` was used: copied to the new cache if one is being written.
    mutating func keep(_ record: SummaryCacheRecord) {
        if let w = writer {
            do { try w.append(record) } catch { abandon() }
        } else {
            keptUpTo = record.end
        }
    }

    /// Records a run read from its file.
    mutating func add(name: Substring.UTF8View, identity: FileIdentity, facts: RunFacts) {
        changed()
        guard let w = writer else { return }
        do { try w.append(name: Array(name), identity: identity, facts: facts) } catch { abandon() }
    }

    /// Something differs from the old cache: start the new one (with the old one's kept prefix).
    mutating func changed() {
        guard enabled, writer == nil, !writeFailed else { return }
        do {
            let w = try SummaryCacheWriter(path: path, names: reader?.names ?? [])
            if let reader, keptUpTo > SummaryCacheFormat.headerSize {
                try reader.copy(from: SummaryCacheFormat.headerSize, to: keptUpTo, into: w)
            }
            writer = w
        } catch {
            writeFailed = true
        }
    }

    private mutating func abandon() {
        writer?.discard()
        writer = nil
        writeFailed = true
    }

    /// Ends the walk: records left in the old cache are runs removed; the new cache, if any, is
    /// committed.
    mutating func finish() {
        if current != nil || reader?.damaged == true { changed() }
        guard let w = writer else { return }
        do { try w.commit() } catch { w.discard() }
        writer = nil
    }
}
