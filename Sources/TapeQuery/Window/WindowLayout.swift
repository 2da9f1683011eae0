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
        if partitionKeys.isEmpty, orderKeys.count == 1, count > 0,
           let peers = WindowLayout.inOrderPeers(orderKeys[0], descending: order[0].descending, count: count) {
            rows = nil
            partitionStarts = [0, count]
            peerStart = peers.start
            peerEnd = peers.end
            return
        }
        let part = partitionKeys.map { WindowLayout.comparator($0, descending: false, nullsFirst: false) }
        let ord = zip(orderKeys, order).map { WindowLayout.comparator($0.0, descending: $0.1.descending, nullsFirst: $0.1.nullsFirst) }
        let all = part + ord
        func cmp(_ a: Int, _ b: Int) -> Int {
            for c in all {
                let r = c(a, b)
                if r != 0 { return r }
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
        var starts = [0]
        var ps = [Int32](repeating: 0, count: count), pe = [Int32](repeating: 0, count: count)
        var groupStart = 0
        var prev = perm.map { Int($0.first ?? 0) } ?? 0
        for k in 0..<count {
            let row = perm.map { Int($0[k]) } ?? k
            if k > 0 {
                let newPartition = part.contains { $0(prev, row) != 0 }
                if newPartition { starts.append(k) }
                if newPartition || ord.contains(where: { $0(prev, row) != 0 }) {
                    for j in groupStart..<k { pe[j] = Int32(k) }
                    groupStart = k
                }
            }
            ps[k] = Int32(groupStart)
            prev = row
        }
        for j in groupStart..<count { pe[j] = Int32(count) }
        if count == 0 { starts = [] }
        starts.append(count)
        partitionStarts = starts
        peerStart = ps
        peerEnd = pe
    }

    /// One partition of `count` rows already in order with no ties (each row its own peer group):
    /// a time-ordered chunk of one run, as the streaming window sees it.
    init(orderedDistinct count: Int) {
        self.count = count
        rows = nil
        partitionStarts = count == 0 ? [0] : [0, count]
        peerStart = (0..<Int32(count)).map { $0 }
        peerEnd = (1..<Int32(count + 1)).map { $0 }
    }

    /// The peer groups of one key of 64-bit integers (BIGINT, TIMESTAMP) without NULLs whose rows
    /// already arrive in `descending` order (ties allowed), found with one typed pass comparing as
    /// `rowOrder` does; nil when the key is of another kind or out of order (the general path then sorts).
    static func inOrderPeers(_ key: Vector, descending: Bool, count: Int) -> (start: [Int32], end: [Int32])? {
        guard key.validity == nil, case .int64(let a) = key.storage, a.count == count else { return nil }
        return a.withUnsafeBufferPointer { v -> (start: [Int32], end: [Int32])? in
            if descending {
                for i in 1..<count where v[i - 1] < v[i] { return nil }
            } else {
                for i in 1..<count where v[i - 1] > v[i] { return nil }
            }
            var ps = [Int32](repeating: 0, count: count), pe = [Int32](repeating: Int32(count), count: count)
            var groupStart = 0
            for k in 1..<count {
                if v[k] != v[k - 1] {
                    for j in groupStart..<k { pe[j] = Int32(k) }
                    groupStart = k
                }
                ps[k] = Int32(groupStart)
            }
            return (ps, pe)
        }
    }

    /// -1/0/1 ordering of two input rows by one key in its direction, NULLs placed by `nullsFirst`.
    static func comparator(_ v: Vector, descending: Bool, nullsFirst: Bool) -> (Int, Int) -> Int {
        let m = v.materialized()
        let values = m.rowOrder()
        let directed: (Int, Int) -> Int = descending ? { values($1, $0) } : values
        guard let valid = m.validity else { return directed }
        return { a, b in
            let an = !valid[a], bn = !valid[b]
            if an || bn { return an && bn ? 0 : (an == nullsFirst ? -1 : 1) }
            return directed(a, b)
        }
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
