extension Binder {
    mutating func bindJoin(_ kind: JoinKind, _ l: TableRef, _ r: TableRef, on: Expr?, using: [String], at position: Int) throws(QueryError) -> BoundFrom {
        throw QueryError(.binding, "\(kind.rawValue) JOIN is not supported yet", at: position)
    }
}
