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

    /// Runs stat'ed and read per block of a directory; a directory of at least this many runs is
    /// loaded alone, its blocks spread over the workers (8192 unless given: tests use less).
    let blockSize: Int
    let paths: RunPathList
    let cache: CacheMode
    let workers: Int
    /// The time (ns since the epoch) files are judged racy against; now unless given (tests).
    let now: Int64?

    init(paths: RunPathList, cache: CacheMode = .auto, workers: Int = ProcessInfo.processInfo.activeProcessorCount, now: Int64? = nil,
         blockSize: Int = 8192) {
        self.paths = paths
        self.blockSize = max(1, blockSize)
        self.cache = cache
        self.workers = max(1, workers)
        self.now = now
    }

    init(paths: [String], cache: CacheMode = .auto, workers: Int = ProcessInfo.processInfo.activeProcessorCount, now: Int64? = nil,
         blockSize: Int = 8192) {
        self.init(paths: RunPathList(paths), cache: cache, workers: workers, now: now, blockSize: blockSize)
    }

    /// The table of every readable run (in no particular row order: rows carry their path index)
    /// and, for each file that could not be read, its path and the error. `progress` is told the
    /// number of runs done as directories (and blocks of a large one) finish.
    ///
    /// Directories are loaded side by side, `workers` at a time, each into a part of the table
    /// (its files stat'ed, its cache decoded, its misses read on that thread), and the parts are
    /// appended in order; a directory of at least `blockSize` runs is loaded alone with its
    /// blocks' stats and footer reads spread over the workers.
    func load(into table: inout RunTable, progress: (Int) -> Void = { _ in }) -> [(path: String, error: Error)] {
        var failures: [(path: String, error: Error)] = []
        var done = 0
        let now = self.now ?? Int64(Date().timeIntervalSince1970 * 1e9)
        table.reserveCapacity(table.count + paths.count)
        // New caches are written, renamed and their journals emptied on a thread of their own.
        let commits = SummaryCommits()
        defer { commits.wait() }
        let groups = groups()
        var wave: [(dir: String, indices: [Int])] = []
        var waveRuns = 0
        func flush(_ table: inout RunTable) {
            guard !wave.isEmpty else { return }
            let template = table.emptyPart()
            let parts = wave.parallelMap(workers: wave.count > 1 ? workers : 1, minimumStride: 1) { g in
                var part = template.emptyPart()
                let failed = loadDirectory(g.dir, g.indices, into: &part, workers: 1, now: now, commits: commits) { _ in }
                return PartBox(table: part, failures: failed)
            }
            for p in parts {
                table.append(contentsOf: p.table)
                failures += p.failures
            }
            done += waveRuns
            progress(done)
            wave.removeAll()
            waveRuns = 0
        }
        for g in groups {
            if g.indices.count >= blockSize || workers == 1 {
                flush(&table)
                let before = done
                failures += loadDirectory(g.dir, g.indices, into: &table, workers: workers, now: now, commits: commits) { progress(before + $0) }
                done += g.indices.count
                continue
            }
            wave.append(g)
            waveRuns += g.indices.count
            if wave.count >= workers * 8 || waveRuns >= blockSize * 4 { flush(&table) }
        }
        flush(&table)
        return failures
    }

    /// One directory's part of the table and its failures, handed back from a worker.
    private struct PartBox: @unchecked Sendable {
        let table: RunTable
        let failures: [(path: String, error: Error)]
    }

    /// Loads the runs `indices` of `paths` (all in directory `dir`, in file name order) into
    /// `table` through the directory's cache, `blockSize` at a time, stats and footer reads
    /// spread over `workers`; `progress` is told the runs done after each block.
    ///
    /// With a cache, every file is stat'ed to check its record; without one, nothing is stat'ed
    /// before reading: a run's identity comes from `fstat` of the descriptor it is read through
    /// (`ScannedFooter`).
    private func loadDirectory(_ dir: String, _ indices: [Int], into table: inout RunTable, workers: Int, now: Int64, commits: SummaryCommits,
                               progress: (Int) -> Void) -> [(path: String, error: Error)] {
        var failures: [(path: String, error: Error)] = []
        // Runs sealed by a writer since the last summary have records in the journal: used
        // whenever caches are, merged into the cache and emptied only by a walk that keeps one
        // (a summary of a few runs of a large directory must not replace its cache and journal
        // with those few).
        let journal = cache == .off ? nil : SummaryJournalReader(dir: dir)
        let useCache = cache == .on || (cache == .auto && indices.count >= Self.autoMinimumRuns)
        var merge = CacheMerge(dir: dir, enabled: useCache)
        let journalRecords = journal?.records ?? [:]
        // One fstatat/openat per file relative to its directory (no path walk per file); every
        // path of the directory has its file name at the same offset.
        let directory = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if directory >= 0 { close(directory) } }
        let nameStart = indices.first.map { paths.nameOffset($0) } ?? 0
        var start = 0
        while start < indices.count {
            let block = Array(indices[start..<min(start + blockSize, indices.count)])
            start += block.count
            let ids = merge.hasCache || !journalRecords.isEmpty
                ? block.parallelMap(workers: workers) { i in Self.identity(of: i, in: paths, nameStart: nameStart, directory: directory) }
                : nil
            // Walk the block against the cache: a hit keeps the record, a miss is read below.
            var entries: [Entry] = []
            entries.reserveCapacity(block.count)
            for (k, i) in block.enumerated() {
                let name = paths.utf8(i).dropFirst(nameStart)
                if let id = ids?[k], let record = merge.lookup(name: name, identity: id, now: now) {
                    entries.append(.hit(i, record))
                } else if let id = ids?[k], let record = journalRecords[name], record.identity == id {
                    // Its writer's record, and the file has not changed since (SummaryJournal).
                    entries.append(.journal(i, record))
                } else {
                    entries.append(.miss(i))
                }
            }
            let misses = entries.compactMap { e -> Int? in if case .miss(let i) = e { return i } else { return nil } }
            let read = misses.parallelMap(workers: workers) { i in fresh(i, nameStart: nameStart, directory: directory) }
            var next = 0
            for e in entries {
                switch e {
                case .hit(let i, let record):
                    if Self.append(i, record, to: &table, &merge) {
                        merge.keep(record)
                    } else {
                        // A record that frames and checksums correctly but does not decode: read the file.
                        merge.changed()
                        appendFresh(i, nameStart, fresh(i, nameStart: nameStart, directory: directory), now, &table, &merge, &failures)
                    }
                case .journal(let i, let record):
                    appendFresh(i, nameStart, .scanned(record), now, &table, &merge, &failures)
                case .miss(let i):
                    appendFresh(i, nameStart, read[next], now, &table, &merge, &failures)
                    next += 1
                }
            }
            progress(start)
        }
        merge.finish(emptying: journal?.consumption, on: commits)
        return failures
    }

    private enum Entry {
        case hit(Int, SummaryCacheRecord)
        /// A record of the directory's journal whose identity the file still has.
        case journal(Int, ScannedFooter)
        case miss(Int)
    }

    /// A run read from its file: scanned (`ScannedFooter`), or read by the full reader with the
    /// identity it had before and after (nil when that changed or could not be had), or its error.
    private enum Fresh: @unchecked Sendable {
        case scanned(ScannedFooter)
        case read(RunFacts, FileIdentity?)
        case failed(Error)
    }

    /// Reads run `i`: by `ScannedFooter` when it vouches for the file, else by `RunFacts(path:)`.
    private func fresh(_ i: Int, nameStart: Int, directory: Int32) -> Fresh {
        if directory >= 0, let s = paths.withCString(i, from: nameStart, { ScannedFooter.scan(directory: directory, name: $0) }) {
            return .scanned(s)
        }
        let before = Self.identity(of: i, in: paths, nameStart: nameStart, directory: directory)
        do {
            let facts = try RunFacts(path: paths[i])
            let after = Self.identity(of: i, in: paths, nameStart: nameStart, directory: directory)
            return .read(facts, before == after ? before : nil)
        } catch {
            return .failed(error)
        }
    }

    /// Adds the row of run `i` from `record` (names as ids of `merge.map`); false when the record
    /// does not decode.
    private static func append(_ i: Int, _ record: SummaryCacheRecord, to table: inout RunTable, _ merge: inout CacheMerge) -> Bool {
        do {
            let names = merge.map.names.count
            try table.append(path: i, status: record.status, map: &merge.map) { (metadata, metric) throws(FormatError) in
                try record.values(names: names, metadata: metadata, metric: metric)
            }
            return true
        } catch { return false }
    }

    /// Adds run `i` read from its file (or from its journal record), and records it for the
    /// cache unless it changed while it was read or too recently (`FileIdentity.isRacy`; a
    /// journal record's identity was taken by its writer after stamping the file's mtime, so it
    /// is not racy: `SummaryJournal`).
    private func appendFresh(_ i: Int, _ nameStart: Int, _ result: Fresh, _ now: Int64,
                             _ table: inout RunTable, _ merge: inout CacheMerge,
                             _ failures: inout [(path: String, error: Error)]) {
        let name = paths.utf8(i).dropFirst(nameStart)
        let record: SummaryCacheRecord, identity: FileIdentity?, stamped: Bool
        switch result {
        case .scanned(let s):
            record = merge.record(name: name, scanned: s)
            identity = s.identity
            stamped = s.stamped
        case .read(let facts, let id):
            record = merge.record(name: name, identity: id ?? FileIdentity(size: 0, mtime: 0, ctime: 0, inode: 0, device: 0), facts: facts)
            identity = id
            stamped = false
        case .failed(let error):
            failures.append((paths[i], error))
            return
        }
        guard Self.append(i, record, to: &table, &merge) else {
            failures.append((paths[i], TapeError.invalidArgument("summary: the run's facts did not decode")))
            return
        }
        // The identity was taken before the bytes were read: a change during or after the read
        // moves its ctime past `now` − 1 s, so such a record never validates again.
        if let identity, stamped || !identity.isRacy(at: now) { merge.add(record) }
    }

    /// Path indices grouped by directory, each group in file name order (as the cache is). Paths
    /// of one directory usually come together (a directory walk): a directory's name is made a
    /// `String` once per stretch, not once per path.
    private func groups() -> [(dir: String, indices: [Int])] {
        var order: [String] = [], byDir: [String: [Int]] = [:]
        var current: (name: String, bytes: ArraySlice<UInt8>)?
        var stretch: [Int] = []
        func flush() {
            guard let d = current?.name else { return }
            if byDir[d] == nil { order.append(d) }
            byDir[d, default: []].append(contentsOf: stretch)
            stretch.removeAll(keepingCapacity: true)
        }
        for i in paths.indices {
            let dir = Self.directoryBytes(paths.utf8(i))
            if let c = current, c.bytes.elementsEqual(dir) { stretch.append(i); continue }
            flush()
            current = (dir.isEmpty ? "." : String(decoding: dir, as: UTF8.self), dir)
            stretch.append(i)
        }
        flush()
        return order.map { dir in
            var idx = byDir[dir]!
            let sorted = zip(idx, idx.dropFirst()).allSatisfy { Self.precedes(paths.name($0), paths.name($1)) }
            if !sorted { idx.sort { Self.precedes(paths.name($0), paths.name($1)) } }
            return (dir, idx)
        }
    }

    /// The directory part of a path's bytes: before the last '/' ("/" for a file at the root,
    /// empty for a bare name).
    static func directoryBytes(_ path: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return path[path.startIndex..<path.startIndex] }
        return slash == path.startIndex ? path[slash...slash] : path[..<slash]
    }

    /// The identity of run `i` of `paths`, whose file name starts at byte `nameStart`, through
    /// `directory`, the open descriptor of its directory (`stat` of the whole path when that
    /// could not be opened).
    static func identity(of i: Int, in paths: RunPathList, nameStart: Int, directory: Int32) -> FileIdentity? {
        guard directory >= 0 else { return FileIdentity(path: paths[i]) }
        return paths.withCString(i, from: nameStart) { FileIdentity(directory: directory, name: $0) }
    }

    /// Byte order of file names (the cache's order).
    static func precedes(_ a: some Sequence<UInt8>, _ b: some Sequence<UInt8>) -> Bool { a.lexicographicallyPrecedes(b) }
}

/// One directory's walk through its old cache and, once something differs, the writing of the
/// new one.
struct CacheMerge {
    let path: String
    private let dir: String
    private let enabled: Bool
    private var reader: SummaryCacheReader?
    private var current: SummaryCacheRecord?
    private var writer: SummaryCacheWriter?
    private var writeFailed = false
    /// Offset in the old cache of the first record not yet kept (where a rewrite starts copying).
    private var keptUpTo = SummaryCacheFormat.headerSize
    /// The directory's names: ids of the old cache's records, then names of runs read from
    /// their files (the ids of their records, fresh or copied, in the new cache).
    var map: RunTable.NameMap
    /// `map.names` as bytes, and by bytes (filled on the first name not found by position).
    private var nameBytes: [[UInt8]]
    private var idsByName: [[UInt8]: Int] = [:]
    /// How many of `nameBytes` are in `idsByName` (a crafted cache may list a name twice).
    private var indexedNames = 0
    /// The ids of the last run's names by position (metadata, then metrics): a sweep's runs
    /// mostly repeat them, so a name is checked with one comparison, not hashed.
    private var lastIDs: [Int] = []

    init(dir: String, enabled: Bool) {
        path = dir + "/" + SummaryCacheFormat.fileName
        self.dir = dir
        self.enabled = enabled
        reader = enabled ? SummaryCacheReader(path: path) : nil
        map = RunTable.NameMap(reader?.names ?? [])
        nameBytes = map.names.map { Array($0.utf8) }
        current = reader?.next()
    }

    /// Whether the directory has a cache whose records may answer.
    var hasCache: Bool { reader != nil }

    /// The id of name `bytes`, the `position`-th name of a run (added to `map` when new).
    private mutating func id(_ bytes: UnsafeRawBufferPointer, position: Int) -> Int {
        if position < lastIDs.count, nameBytes[lastIDs[position]].withUnsafeBytes({ known in
            known.count == bytes.count && (bytes.isEmpty || memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }) {
            return lastIDs[position]
        }
        if indexedNames < nameBytes.count {
            for k in indexedNames..<nameBytes.count where idsByName[nameBytes[k]] == nil { idsByName[nameBytes[k]] = k }
            indexedNames = nameBytes.count
        }
        let key = Array(bytes)
        let id: Int
        if let known = idsByName[key] { id = known } else {
            id = nameBytes.count
            nameBytes.append(key)
            idsByName[key] = id
            indexedNames += 1
            map.append(String(decoding: key, as: UTF8.self))
        }
        if position < lastIDs.count { lastIDs[position] = id } else { lastIDs.append(id) }
        return id
    }

    /// The record of a run scanned from its file, with this directory's name ids.
    mutating func record(name: ArraySlice<UInt8>, scanned s: ScannedFooter) -> SummaryCacheRecord {
        var w = ByteWriter(capacity: 64 + name.count + s.metadataCount * 24 + s.metricsCount * 10)
        SummaryCacheRecord.writeHead(name: name, identity: s.identity, status: s.status, metricsStored: true, stamped: s.stamped, into: &w)
        var position = 0
        w.writeVarint(UInt64(s.metadataCount))
        s.forEachMetadata { key, value in
            w.writeVarint(UInt64(id(key, position: position)))
            position += 1
            w.writeVarint(UInt64(value.count))
            w.writeBytes(value)
        }
        guard let upgraded = s.upgradedMetrics else {
            w.writeVarint(UInt64(s.metricsCount))
            s.forEachMetric { name, kind, bits in
                w.writeVarint(UInt64(id(name, position: position)))
                position += 1
                w.writeU8(kind)
                w.writeU64(bits)
            }
            return Self.decoded(w.bytes)
        }
        w.writeVarint(UInt64(upgraded.entries.count))
        for (name, value) in upgraded.entries {
            var name = name
            w.writeVarint(UInt64(name.withUTF8 { id(UnsafeRawBufferPointer($0), position: position) }))
            position += 1
            w.writeU8(value.kind)
            w.writeU64(value.bits)
        }
        return Self.decoded(w.bytes)
    }

    /// The record of a run read by the full reader, with this directory's name ids.
    mutating func record(name: ArraySlice<UInt8>, identity: FileIdentity, facts: RunFacts) -> SummaryCacheRecord {
        var position = 0
        let payload = SummaryCacheRecord.payload(name: Array(name), identity: identity, facts: facts) { key in
            defer { position += 1 }
            return Array(key.utf8).withUnsafeBytes { id($0, position: position) }
        }
        return Self.decoded(payload)
    }

    /// A payload this build encoded, decoded (its fixed part cannot fail to decode).
    private static func decoded(_ payload: [UInt8]) -> SummaryCacheRecord {
        do { return try SummaryCacheRecord(payload: payload) } catch {
            preconditionFailure("summary cache: a record just encoded does not decode: \(error)")
        }
    }

    /// The old cache's record for `name` when it vouches for `identity`.
    mutating func lookup(name: ArraySlice<UInt8>, identity: FileIdentity, now: Int64) -> SummaryCacheRecord? {
        while let c = current, RunTableLoader.precedes(c.name, name) {
            changed()     // a run removed since the cache was written
            current = reader?.next()
        }
        guard let c = current, c.name.elementsEqual(name) else { return nil }
        current = reader?.next()
        guard c.identity == identity, c.stamped || !identity.isRacy(at: now) else {
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

    /// Records a run read from its file (`record(name:…)`) for the new cache.
    mutating func add(_ record: SummaryCacheRecord) {
        changed()
        guard let w = writer else { return }
        do { try w.append(record) } catch { abandon() }
    }

    /// Something differs from the old cache: start the new one (with the old one's kept prefix).
    mutating func changed() {
        guard enabled, writer == nil, !writeFailed else { return }
        do {
            let w = SummaryCacheWriter(directory: dir, names: reader?.names ?? [])
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
    /// committed on `commits`, and then, once the cache on disk holds every record this walk
    /// added (committed, or nothing to change), `journal` is emptied.
    mutating func finish(emptying journal: SummaryJournalReader.Consumption?, on commits: SummaryCommits) {
        if current != nil || reader?.damaged == true { changed() }
        guard enabled, !writeFailed else { return }
        guard let w = writer else {
            journal?.consumed()
            return
        }
        writer = nil
        commits.submit(CommitJob(writer: w, names: map.names, journal: journal).run)
    }
}

/// A new cache and the journal its records came from, handed from a loader thread to
/// `SummaryCommits`: once submitted, no other thread touches the writer.
private struct CommitJob: @unchecked Sendable {
    let writer: SummaryCacheWriter
    let names: [String]
    let journal: SummaryJournalReader.Consumption?

    @Sendable func run() {
        do { try writer.commit(names: names) } catch {
            writer.discard()
            return
        }
        journal?.consumed()
    }
}
