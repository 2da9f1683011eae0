import TapeFormat

/// Zone-map statistics as query values.
enum FooterStatistics {
    /// `stat` as a datum of `type` (nil when they do not match, so the caller reads the data).
    static func datum(_ stat: StatValue, as type: SQLType) -> Datum? {
        switch (stat, type) {
        case (.int(let v), .int): return .int(v)
        case (.int(let v), .timestamp): return .timestamp(v)
        case (.int(let v), .double): return .double(Double(v))
        case (.float(let v), .double): return .double(v)
        case (.bool(let v), .bool): return .bool(v)
        case (.string(let v), .string): return .string(v)
        default: return nil
        }
    }
}
