/// Parameter values of runs in a sweep: a metadata key (`fast=10` stored as metadata `fast`), else
/// a `key=value` pair of the `params` metadata (`tape demo` writes `params=fast=5,slow=20,...`).
enum SweepParameters {
    /// The value of parameter `name` for a run with `metadata`, nil when it has none.
    static func value(_ name: String, in metadata: [String: String]) -> String? {
        if let v = metadata[name] { return v }
        guard let params = metadata["params"] else { return nil }
        for pair in params.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == name { return kv[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// Distinct values in display order: numerically when every value is a finite number, else
    /// by text.
    static func axis(_ values: Set<String>) -> [String] {
        let numbers = values.map { Double($0) }
        if numbers.allSatisfy({ $0?.isFinite == true }) {
            return values.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
        }
        return values.sorted()
    }
}
