/// Bounded, helpful lists of names for error messages ("no table 'x' (tables: …)").
///
/// A file may hold tens of thousands of tables or columns: a message lists at most `limit` of
/// them, the ones closest to the name asked for first (edit distance, ties in the given order),
/// then says how many it left out: `tables: equity, equities, … and 34,990 more`.
public enum NameList {
    /// `label: a, b, c` with at most `limit` names, closest to `target` first, then
    /// `… and N more` when some were left out; `empty` when `names` is empty.
    public static func describe(_ names: [String], near target: String, label: String,
                                empty: String, limit: Int = 10) -> String {
        guard !names.isEmpty else { return empty }
        let t = Array(target.lowercased().prefix(maxCompared))
        let shown = names.enumerated()
            .map { (distance: editDistance(Array($0.element.lowercased().prefix(maxCompared)), t), order: $0.offset, name: $0.element) }
            .sorted { ($0.distance, $0.order) < ($1.distance, $1.order) }
            .map(\.name)
        return "\(label): " + bounded(shown, limit: limit)
    }

    /// The first `limit` items joined by `, `, then `, … and N more` when some were left out.
    public static func bounded(_ items: [String], limit: Int = 10) -> String {
        let shown = items.prefix(max(1, limit))
        let rest = items.count - shown.count
        return shown.joined(separator: ", ") + (rest > 0 ? ", … and \(grouped(rest)) more" : "")
    }

    /// Characters of each name compared (bounds the cost of a message to O(names × 64²)).
    private static let maxCompared = 64

    /// Levenshtein distance between `a` and `b` (insertions, deletions, substitutions of characters).
    public static func editDistance(_ a: String, _ b: String) -> Int { editDistance(Array(a), Array(b)) }

    static func editDistance(_ x: [Character], _ y: [Character]) -> Int {
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = prev
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// `34990` as `34,990`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
