import Tape
import TapeCodec

/// The runs `tape summary` prints, column-wise and only for the names the command uses
/// (`wanted`): a million runs cost a few bytes per used name each, not every metric and metadata
/// value of every run. Every other metric and metadata key seen is still recorded by name (for
/// `--where` error messages and `--columns` validation).
struct RunTable {
    /// One used name's values: a metric column (8-byte values of `kind`, first seen) and/or a
    /// metadata column (strings); either is created when the first value arrives.
    struct Column {
        var metricKind: RunMetrics.Value?
        var metricBits: [UInt64] = []
        var metricValid = Bitmap()
        var metadata = MetadataColumn()
    }

    /// Names materialized: those asked for, then names of the runs that match one of
    /// `wantedIgnoringCase` when lower-cased (SQL names are case-insensitive unless quoted).
    private(set) var wanted: [String]
    private var slot: [String: Int]
    private let wantedIgnoringCase: Set<String>
    /// Per row: index of its path in the command's path list, run id (nil: the file name), status.
    /// `runIDs` stays empty while no run has an id and is shorter than the rows after the last one.
    private(set) var pathIndex: [Int32] = []
    private(set) var runIDs: [String?] = []
    private(set) var status: [RunStatus] = []
    private(set) var columns: [Column]
    private(set) var metricNames: Set<String> = []
    private(set) var metadataKeys: Set<String> = []

    init(wanted: [String], ignoringCase: [String] = []) {
        var seen = Set<String>()
        self.wanted = wanted.filter { seen.insert($0).inserted }
        wantedIgnoringCase = Set(ignoringCase.map { $0.lowercased() })
        slot = Dictionary(self.wanted.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        columns = Array(repeating: Column(), count: self.wanted.count)
    }

    var count: Int { pathIndex.count }

    /// Rows the table is expected to hold: each per-row array is allocated once at this size
    /// (no growth by doubling, which would cost up to twice the memory at a million runs).
    private var expectedRows = 0

    /// Prepares for `rows` rows.
    mutating func reserveCapacity(_ rows: Int) {
        expectedRows = rows
        pathIndex.reserveCapacity(rows)
        status.reserveCapacity(rows)
    }

    /// The column index of `name` when it is used.
    func index(of name: String) -> Int? { slot[name] }

    /// What the table knows of each name id of one names list (a cache's, or one run's): resolved
    /// on first use, so a million records sharing a list hash each name once.
    struct NameMap {
        private(set) var names: [String]
        fileprivate var slot: [Int?]
        fileprivate var idRank: [UInt8]
        fileprivate var seenMetadata: [Bool]
        fileprivate var seenMetric: [Bool]
        fileprivate var resolved: [Bool]

        init(_ names: [String]) {
            self.names = names
            slot = Array(repeating: nil, count: names.count)
            idRank = Array(repeating: 3, count: names.count)
            seenMetadata = Array(repeating: false, count: names.count)
            seenMetric = seenMetadata
            resolved = seenMetadata
        }

        /// Adds a name (its id is the new count − 1).
        mutating func append(_ name: String) {
            names.append(name)
            slot.append(nil)
            idRank.append(3)
            seenMetadata.append(false)
            seenMetric.append(false)
            resolved.append(false)
        }
    }

    /// Name ids for runs read from their files, shared by many runs (a directory's): each name
    /// is hashed once per run and resolved against the table once.
    struct FactNames {
        var map = NameMap([])
        private var ids: [String: Int] = [:]

        init() {}

        mutating func id(_ name: String) -> Int {
            if let i = ids[name] { return i }
            map.append(name)
            ids[name] = map.names.count - 1
            return map.names.count - 1
        }
    }

    /// Adds a row for the run at `paths[path]`; `values` reports its metadata and metrics through
    /// the two callbacks (names as ids into `map.names`; a metadata value is asked for only when
    /// the table keeps it).
    mutating func append<E: Error>(path: Int, status: RunStatus, map: inout NameMap,
                                   values: (_ metadata: (Int, () -> String) -> Void, _ metric: (Int, RunMetrics.Value) -> Void) throws(E) -> Void) throws(E) {
        let row = count
        var id: (rank: UInt8, value: String)?
        try values({ nameID, text in
            self.resolve(nameID, &map)
            if !map.seenMetadata[nameID] {
                map.seenMetadata[nameID] = true
                self.metadataKeys.insert(map.names[nameID])
            }
            let rank = map.idRank[nameID]
            if rank < 3, rank <= (id?.rank ?? 3) { id = (rank, text()) }
            guard let c = map.slot[nameID] else { return }
            let value = text()
            if self.columns[c].metadata.isEmpty { self.columns[c].metadata.reserveCapacity(self.expectedRows) }
            self.columns[c].metadata.set(row, value)
        }, { nameID, value in
            self.resolve(nameID, &map)
            if !map.seenMetric[nameID] {
                map.seenMetric[nameID] = true
                self.metricNames.insert(map.names[nameID])
            }
            guard let c = map.slot[nameID] else { return }
            self.setMetric(c, row: row, value)
        })
        pathIndex.append(Int32(path))
        if let v = id?.value {
            if runIDs.count < row { runIDs += repeatElement(nil, count: row - runIDs.count) }
            runIDs.append(v)
        }
        self.status.append(status)
    }

    private mutating func resolve(_ nameID: Int, _ map: inout NameMap) {
        guard !map.resolved[nameID] else { return }
        map.resolved[nameID] = true
        let key = map.names[nameID]
        if slot[key] == nil, wantedIgnoringCase.contains(key.lowercased()) {
            slot[key] = wanted.count
            wanted.append(key)
            columns.append(Column())
        }
        map.slot[nameID] = slot[key]
        map.idRank[nameID] = key == "run_id" ? 0 : key == "run" ? 1 : key == "name" ? 2 : 3
    }

    /// Adds a row for facts read from a file.
    mutating func append(path: Int, facts: RunFacts) {
        var names = FactNames()
        append(path: path, facts: facts, names: &names)
    }

    /// Adds a row for facts read from a file, with names ids from `names`.
    mutating func append(path: Int, facts: RunFacts, names: inout FactNames) {
        let metadataIDs = facts.metadata.map { names.id($0.key) }
        let metricIDs = facts.metrics.entries.map { names.id($0.name) }
        append(path: path, status: facts.status, map: &names.map, values: { (metadata, metric) throws(Never) in
            for (k, (_, v)) in facts.metadata.enumerated() { metadata(metadataIDs[k], { v }) }
            for (k, (_, v)) in facts.metrics.entries.enumerated() { metric(metricIDs[k], v) }
        })
    }

    private mutating func setMetric(_ c: Int, row: Int, _ value: RunMetrics.Value) {
        if columns[c].metricKind == nil { columns[c].metricKind = value }
        let bits: UInt64
        switch (columns[c].metricKind, value) {
        case (.double?, _): bits = value.number.bitPattern
        case (.int?, .int(let i)), (.timestamp?, .timestamp(let i)): bits = UInt64(bitPattern: i)
        default: return   // a value of another kind than the column's first: left null
        }
        reserveMetric(c)
        while columns[c].metricBits.count < row {
            columns[c].metricBits.append(0)
            columns[c].metricValid.append(false)
        }
        if columns[c].metricBits.count == row {
            columns[c].metricBits.append(bits)
            columns[c].metricValid.append(true)
        } else {
            columns[c].metricBits[row] = bits
            columns[c].metricValid[row] = true
        }
    }

    /// A table with no rows that materializes the same names as this one (a part filled
    /// elsewhere, e.g. one directory's runs on another thread, then appended with `append(contentsOf:)`).
    func emptyPart() -> RunTable {
        var part = self
        part.pathIndex = []
        part.runIDs = []
        part.status = []
        part.columns = Array(repeating: Column(), count: wanted.count)
        part.metricNames = []
        part.metadataKeys = []
        part.expectedRows = 0
        return part
    }

    /// Appends the rows of `part` (made by `emptyPart()` of this table or of one it was merged
    /// into): the same table as appending its runs here one by one — columns matched by name, a
    /// metric column keeping the kind of its first value (values of another kind are null, but
    /// any number in a DOUBLE column).
    mutating func append(contentsOf part: RunTable) {
        let base = count
        guard part.count > 0 else { return }
        if pathIndex.capacity < base + part.count { pathIndex.reserveCapacity(max(expectedRows, (base + part.count) * 2)) }
        if status.capacity < base + part.count { status.reserveCapacity(max(expectedRows, (base + part.count) * 2)) }
        pathIndex += part.pathIndex
        status += part.status
        if !part.runIDs.isEmpty {
            if runIDs.count < base { runIDs += repeatElement(nil, count: base - runIDs.count) }
            runIDs += part.runIDs
        }
        metricNames.formUnion(part.metricNames)
        metadataKeys.formUnion(part.metadataKeys)
        for (pc, name) in part.wanted.enumerated() {
            let from = part.columns[pc]
            guard from.metricKind != nil || !from.metadata.isEmpty else { continue }
            let c: Int
            if let s = slot[name] { c = s } else {
                c = wanted.count
                slot[name] = c
                wanted.append(name)
                columns.append(Column())
            }
            if !from.metadata.isEmpty {
                if columns[c].metadata.isEmpty { columns[c].metadata.reserveCapacity(max(expectedRows, base + part.count)) }
                columns[c].metadata.append(contentsOf: from.metadata, at: base)
            }
            guard let kind = from.metricKind else { continue }
            if columns[c].metricKind == nil { columns[c].metricKind = kind }
            if Self.sameKind(columns[c].metricKind, kind) {
                reserveMetric(c)
                if columns[c].metricBits.count < base {
                    let gap = base - columns[c].metricBits.count
                    columns[c].metricBits += repeatElement(0, count: gap)
                    columns[c].metricValid.append(repeating: false, count: gap)
                }
                columns[c].metricBits += from.metricBits
                columns[c].metricValid.append(contentsOf: from.metricValid, range: 0..<from.metricValid.count)
            } else {
                for row in 0..<from.metricBits.count {
                    if let v = part.metric(pc, row) { setMetric(c, row: base + row, v) }
                }
            }
        }
    }

    private static func sameKind(_ a: RunMetrics.Value?, _ b: RunMetrics.Value) -> Bool {
        switch (a, b) {
        case (.double?, .double), (.int?, .int), (.timestamp?, .timestamp): return true
        default: return false
        }
    }

    private mutating func reserveMetric(_ c: Int) {
        guard columns[c].metricBits.isEmpty else { return }
        columns[c].metricBits.reserveCapacity(expectedRows)
        columns[c].metricValid.words.reserveCapacity((expectedRows + 63) / 64)
    }

    /// The metric of column `c` at `row`, nil when the run has none.
    func metric(_ c: Int, _ row: Int) -> RunMetrics.Value? {
        let col = columns[c]
        guard row < col.metricBits.count, col.metricValid[row], let kind = col.metricKind else { return nil }
        let bits = col.metricBits[row]
        switch kind {
        case .double: return .double(Double(bitPattern: bits))
        case .int: return .int(Int64(bitPattern: bits))
        case .timestamp: return .timestamp(Int64(bitPattern: bits))
        }
    }

    /// The metadata value of column `c` at `row`.
    func metadata(_ c: Int, _ row: Int) -> String? {
        columns[c].metadata[row]
    }

    /// Whether column `c` holds metric values (a metric hides a metadata key of the same name).
    func isMetric(_ c: Int) -> Bool { columns[c].metricKind != nil }

    /// The run id of `row`, given the path list.
    func runID(_ row: Int, paths: RunPathList) -> String {
        (row < runIDs.count ? runIDs[row] : nil) ?? RunFacts.stem(paths[Int(pathIndex[row])])
    }
}
