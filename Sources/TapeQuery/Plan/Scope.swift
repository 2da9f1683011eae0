/// The FROM items a SELECT reads when FROM is not a single stored table (joins, subqueries, CTEs):
/// each item's columns, laid side by side. Slot `i` of the SELECT's input is column `i` of the
/// concatenation, which is what the FROM item's operator emits.
struct Scope {
    struct Relation {
        /// The name `t.col` uses: the alias, else the table or CTE name (nil for an unaliased subquery).
        let name: String?
        let columns: [OutputColumn]
        /// Index of the first column in the concatenation.
        let base: Int
        /// Columns an unqualified name skips (the right-hand copies of USING columns).
        var merged: Set<Int> = []
        /// Columns `*` shows as the merged column of the same name (USING under RIGHT/FULL JOIN).
        var starMerged: Set<Int> = []
        /// The merged USING columns of a RIGHT/FULL JOIN: reached unqualified, never by `*`.
        var isMergedColumns = false
    }

    private(set) var relations: [Relation] = []
    var width: Int { relations.last.map { $0.base + $0.columns.count } ?? 0 }

    mutating func add(name: String?, columns: [OutputColumn]) {
        relations.append(Relation(name: name, columns: columns, base: width))
    }

    /// Appends `other`'s relations after this scope's (a join's right side).
    mutating func append(_ other: Scope) {
        let w = width
        for r in other.relations {
            relations.append(Relation(name: r.name, columns: r.columns, base: w + r.base, merged: r.merged,
                                      starMerged: r.starMerged, isMergedColumns: r.isMergedColumns))
        }
    }

    /// Adds the merged USING columns of a RIGHT/FULL JOIN; `*` shows each at the place of the
    /// left copy (slot `replacing[i]`), which an unqualified name no longer reaches.
    mutating func addMerged(columns: [OutputColumn], replacing: [Int]) {
        for slot in replacing {
            for i in relations.indices where slot >= relations[i].base && slot < relations[i].base + relations[i].columns.count {
                relations[i].starMerged.insert(slot - relations[i].base)
            }
        }
        relations.append(Relation(name: nil, columns: columns, base: width, isMergedColumns: true))
    }

    /// The name of the column at `slot`.
    func columnName(_ slot: Int) -> String {
        for r in relations where slot >= r.base && slot < r.base + r.columns.count { return r.columns[slot - r.base].name }
        return ""
    }

    /// NATURAL JOIN's columns: the names (as this side spells them) that an unqualified `*` shows
    /// on both sides, case-insensitively, in this side's order.
    func commonColumns(with other: Scope) -> [String] {
        let theirs = Set(other.starNames.map { $0.lowercased() })
        var seen = Set<String>()
        return starNames.filter { theirs.contains($0.lowercased()) && seen.insert($0.lowercased()).inserted }
    }

    /// The column names `*` shows.
    private var starNames: [String] {
        relations.filter { !$0.isMergedColumns }.flatMap { r in r.columns.indices.filter { !r.columns[$0].hiddenFromStar && !r.merged.contains($0) }.map { r.columns[$0].name } }
            + relations.filter(\.isMergedColumns).flatMap { $0.columns.map(\.name) }
    }

    /// Marks column `slot` as reachable only through its qualifier.
    mutating func merge(slot: Int) {
        for i in relations.indices where slot >= relations[i].base && slot < relations[i].base + relations[i].columns.count {
            relations[i].merged.insert(slot - relations[i].base)
        }
    }

    /// Every column, in slot order, as the SELECT's input slots.
    var slots: [InputSlot] {
        relations.flatMap { r in r.columns.map { c in InputSlot.input(name: r.name.map { "\($0).\(c.name)" } ?? c.name, type: c.type) } }
    }

    /// The slot of a column reference, nil when no column has that name; throws for an unknown
    /// qualifier or a name in several FROM items (naming them).
    func resolve(_ name: String, quoted: Bool, qualifier: String?, at position: Int) throws(QueryError) -> Int? {
        var candidates = relations
        if let qualifier {
            candidates = relations.filter { $0.name == qualifier }
            if candidates.isEmpty { candidates = relations.filter { $0.name?.lowercased() == qualifier.lowercased() } }
            guard !candidates.isEmpty else {
                let names = relations.compactMap(\.name)
                throw QueryError(.binding, "no table '\(qualifier)' in FROM (\(names.isEmpty ? "its items have no names" : "it has " + names.map { "'\($0)'" }.joined(separator: ", ")))", at: position)
            }
        }
        func matches(_ exact: Bool) -> [(Relation, Int)] {
            candidates.flatMap { r in
                r.columns.indices.filter { i in
                    (qualifier != nil || !r.merged.contains(i))
                        && (exact ? r.columns[i].name == name : r.columns[i].name.lowercased() == name.lowercased())
                }.map { (r, $0) }
            }
        }
        var found = matches(true)
        if found.isEmpty && !quoted { found = matches(false) }
        // A stored column beats a run's metadata key of the same name.
        if found.count > 1, case let real = found.filter({ !$0.0.columns[$0.1].hiddenFromStar }), !real.isEmpty { found = real }
        guard let first = found.first else { return nil }
        if found.count > 1 {
            let owners = found.map { "'\($0.0.name ?? "(subquery)")'" }
            throw QueryError(.binding, "column reference '\(name)' is ambiguous: it is in \(owners.joined(separator: " and ")) (qualify it, e.g. \(found[0].0.name ?? "t").\(name))", at: position)
        }
        return first.0.base + first.1
    }

    func unknownColumn(_ name: String, at position: Int) -> QueryError {
        let known = relations.flatMap { r in r.columns.map(\.name) }
        var msg = "no column '\(name)' in FROM"
        if let s = known.min(by: { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }),
           editDistance(s.lowercased(), name.lowercased()) <= max(2, name.count / 3) {
            msg += " (did you mean '\(s)'?)"
        } else if !known.isEmpty {
            msg += " (columns: \(known.prefix(20).joined(separator: ", "))\(known.count > 20 ? ", …" : ""))"
        }
        return QueryError(.binding, msg, at: position)
    }

    /// A select item with `*` or `t.*` expanded into qualified column references.
    func expandStar(_ item: SelectItem) throws(QueryError) -> [SelectItem] {
        let pos = item.expr.position
        var chosen: [Relation]
        switch item.expr.kind {
        case .star:
            chosen = relations
        case .qualifiedStar(let t):
            chosen = relations.filter { $0.name?.lowercased() == t.lowercased() }
            guard !chosen.isEmpty else { throw QueryError(.binding, "no table '\(t)' in FROM", at: pos) }
        default:
            return [item]
        }
        var out: [SelectItem] = []
        for r in chosen where !r.isMergedColumns {
            for (i, c) in r.columns.enumerated() {
                if !item.expr.kind.isQualifiedStar && r.starMerged.contains(i) {
                    out.append(SelectItem(expr: Expr(.column(c.name, quoted: true), at: pos), alias: nil, text: c.name))
                    continue
                }
                guard !c.hiddenFromStar && (item.expr.kind.isQualifiedStar || !r.merged.contains(i)) else { continue }
                let ref = r.name.map { Expr(.qualified(table: $0, column: c.name, quoted: true), at: pos) } ?? Expr(.column(c.name, quoted: true), at: pos)
                out.append(SelectItem(expr: ref, alias: nil, text: c.name))
            }
        }
        return out
    }
}

extension Expr.Kind {
    var isQualifiedStar: Bool { if case .qualifiedStar = self { return true } else { return false } }
}
