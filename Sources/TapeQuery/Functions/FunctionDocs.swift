/// The function reference printed from the registry: README's table (`markdown`), `tape sql
/// --functions` (`text`) and the name lists in `tape sql --help` (`names(_:)`). Nothing here is
/// written by hand, so the three agree with each other and with what the binder accepts.
public enum FunctionDocs {
    /// The markers around README's generated table.
    public static let beginMarker = "<!-- sql-functions:begin (generated from Sources/TapeQuery/Functions by `make docs`; edit the entries there) -->"
    public static let endMarker = "<!-- sql-functions:end -->"

    static let headings: [(FunctionKind, String)] = [
        (.scalar, "Scalar function"), (.aggregate, "Aggregate"), (.window, "Window function (needs OVER)"),
    ]

    static func listed(_ kind: FunctionKind) -> [any SQLFunction] {
        FunctionRegistry.all.filter { $0.kind == kind && $0.isListed }
    }

    /// The description with the facts every kind adds (aliases, window use of an aggregate).
    static func description(_ f: any SQLFunction) -> String {
        var d = f.doc
        if let a = f as? AggregateEntry, a.window != nil { d += "; also over a window" }
        if !f.aliases.isEmpty { d += " (also: \(f.aliases.joined(separator: ", ")))" }
        return d
    }

    /// README's table: one row per function, grouped by kind.
    public static func markdown() -> String {
        var out = ""
        for (kind, heading) in headings {
            out += "\n| \(heading) | Description | Example |\n|---|---|---|\n"
            for f in listed(kind) {
                let cell = { (s: String) in s.replacingOccurrences(of: "|", with: "\\|") }
                out += "| `\(cell(f.signature))` | \(cell(description(f))) | `\(cell(f.example ?? ""))` |\n"
            }
        }
        return out
    }

    /// `tape sql --functions`: every function with its signature and description, by kind.
    public static func text() -> String {
        var out = ""
        for (kind, heading) in headings {
            out += (out.isEmpty ? "" : "\n") + heading + "s:\n"
            let fs = listed(kind)
            let width = min(40, fs.map(\.signature.count).max() ?? 0)
            for f in fs {
                let sig = f.signature.count < width ? f.signature + String(repeating: " ", count: width - f.signature.count) : f.signature
                out += "  \(sig)  \(description(f))\n"
            }
        }
        return out
    }

    /// The names of the scalar functions, comma-separated, aliases after a slash (`ceil/ceiling`).
    public static var scalarNames: String { names(.scalar) }
    /// The names of the aggregates, likewise.
    public static var aggregateNames: String { names(.aggregate) }
    /// The names of the ranking and navigation functions, likewise.
    public static var windowNames: String { names(.window) }

    static func names(_ kind: FunctionKind) -> String {
        listed(kind).map { $0.names.joined(separator: "/") }.joined(separator: ", ")
    }
}
