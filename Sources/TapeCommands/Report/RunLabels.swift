import Foundation

/// Names that tell runs apart in legends and tables: each run's id (`RunRecord.run`), and for ids
/// shared by several runs (e.g. many `demo.tape` files) the id with its parent directory, else its
/// path.
enum RunLabels {
    static func unique(_ records: [RunRecord]) -> [String] {
        var counts: [String: Int] = [:]
        for r in records { counts[r.run, default: 0] += 1 }
        var labels = records.map { r -> String in
            guard counts[r.run, default: 0] > 1 else { return r.run }
            let parent = ((r.path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            return parent.isEmpty ? r.path : "\(r.run) · \(parent)"
        }
        var again: [String: Int] = [:]
        for l in labels { again[l, default: 0] += 1 }
        for i in labels.indices where again[labels[i], default: 0] > 1 { labels[i] = records[i].path }
        return labels
    }
}
