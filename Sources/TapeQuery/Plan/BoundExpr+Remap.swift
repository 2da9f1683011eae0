extension BoundExpr {
    /// The same expression with every column slot `s` replaced by `map(s)`.
    func remappingSlots(_ map: (Int) -> Int) -> BoundExpr {
        func r(_ e: BoundExpr) -> BoundExpr { e.remappingSlots(map) }
        let k: Kind
        switch kind {
        case .column(let s, let name):
            let t = map(s)
            if t == s { return self }
            k = .column(slot: t, name: name)
        case .constant: return self
        case .negate(let a): k = .negate(r(a))
        case .not(let a): k = .not(r(a))
        case .arithmetic(let op, let a, let b): k = .arithmetic(op, r(a), r(b))
        case .compare(let op, let a, let b): k = .compare(op, r(a), r(b))
        case .and(let a, let b): k = .and(r(a), r(b))
        case .or(let a, let b): k = .or(r(a), r(b))
        case .isNull(let a, let n): k = .isNull(r(a), negated: n)
        case .inList(let a, let set, let hasNull, let n): k = .inList(r(a), set, hasNull: hasNull, negated: n)
        case .like(let a, let p, let n): k = .like(r(a), p, negated: n)
        case .cast(let a, let t): k = .cast(r(a), t)
        case .caseWhen(let whens, let otherwise): k = .caseWhen(whens.map { (r($0.0), r($0.1)) }, otherwise: r(otherwise))
        case .function(let f, let args): k = .function(f, args.map(r))
        }
        return BoundExpr(k, type, at: position)
    }
}
