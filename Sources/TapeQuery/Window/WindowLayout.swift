/// The rows of one window specification laid out for evaluation: sorted by the PARTITION BY keys,
/// then the ORDER BY keys (ties keep input order), cut into partitions and peer groups.
///
/// Positions (0..<count) index the sorted order; `rows[k]` is the input row at position k (nil
/// when the input already arrives in this order, e.g. `PARTITION BY run ORDER BY ts` over runs
/// scanned in time order, so no sort and no gathers are needed).
struct WindowLayout {
    let count: Int
    let rows: [Int32]?
    /// Start position of each partition, in order, with `count` appended.
    let partitionStarts: [Int]
    /// Per position: where its peer group (rows equal on every ORDER BY key, the whole partition
    /// without ORDER BY) starts and ends (exclusive).
    let peerStart: [Int32]
    let peerEnd: [Int32]

    /// REQUIRES: every vector has `count` rows; `order[i]` gives the direction of `orderKeys[i]`.
    init(partitionKeys: [Vector], orderKeys: [Vector], order: [(descending: Bool, nullsFirst: Bool)], count: Int) {
        self.count = count
        let part = partitionKeys.map { $0.materialized() }
        let ord = orderKeys.map { $0.materialized() }
        let partSort = part.indices.map { SortKey(column: $0, descending: false, nullsFirst: false) }
        let ordSort = order.enumerated().map { SortKey(column: $0.offset, descending: $0.element.descending, nullsFirst: $0.element.nullsFirst) }
        func cmp(_ a: Int, _ b: Int) -> Int {
            for (k, key) in partSort.enumerated() {
                let c = Sorter.compare(part[k], a, part[k], b, by: key)
                if c != 0 { return c }
            }
            for (k, key) in ordSort.enumerated() {
                let c = Sorter.compare(ord[k], a, ord[k], b, by: key)
                if c != 0 { return c }
            }
            return 0
        }
        var sorted = true
        if count > 1 { for i in 1..<count where cmp(i - 1, i) > 0 { sorted = false; break } }
        var perm: [Int32]?
        if !sorted {
            var idx = (0..<Int32(count)).map { $0 }
            idx.sort { a, b in
                let c = cmp(Int(a), Int(b))
                return c != 0 ? c < 0 : a < b
            }
            perm = idx
        }
        rows = perm
        @inline(__always) func row(_ k: Int) -> Int { perm.map { Int($0[k]) } ?? k }
        func samePartition(_ a: Int, _ b: Int) -> Bool {
            for (k, key) in partSort.enumerated() where Sorter.compare(part[k], a, part[k], b, by: key) != 0 { return false }
            return true
        }
        func samePeers(_ a: Int, _ b: Int) -> Bool {
            for (k, key) in ordSort.enumerated() where Sorter.compare(ord[k], a, ord[k], b, by: key) != 0 { return false }
            return true
        }
        var starts = [0]
        var ps = [Int32](repeating: 0, count: count), pe = [Int32](repeating: 0, count: count)
        var groupStart = 0
        for k in 0..<count {
            if k > 0 {
                let newPartition = !samePartition(row(k - 1), row(k))
                if newPartition { starts.append(k) }
                if newPartition || !samePeers(row(k - 1), row(k)) {
                    for j in groupStart..<k { pe[j] = Int32(k) }
                    groupStart = k
                }
            }
            ps[k] = Int32(groupStart)
        }
        for j in groupStart..<count { pe[j] = Int32(count) }
        if count == 0 { starts = [] }
        starts.append(count)
        partitionStarts = starts
        peerStart = ps
        peerEnd = pe
    }

    /// The partitions as position ranges, in order.
    var partitions: [Range<Int>] {
        (0..<max(0, partitionStarts.count - 1)).map { partitionStarts[$0]..<partitionStarts[$0 + 1] }
    }

    /// `v` in sorted order (itself when the input is already sorted).
    func sorted(_ v: Vector) -> Vector {
        guard let rows else { return v }
        return v.gather(rows)
    }

    /// A result computed in sorted order, put back in input order.
    func unsorted(_ v: Vector) -> Vector {
        guard let rows else { return v }
        var inverse = [Int32](repeating: 0, count: count)
        for (k, r) in rows.enumerated() { inverse[Int(r)] = Int32(k) }
        return v.gather(inverse)
    }
}
