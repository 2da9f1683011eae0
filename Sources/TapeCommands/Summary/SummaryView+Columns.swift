import Tape
import TapeCodec
import TapeFormat
import TapeQuery

extension SummaryView {
    /// The values of `source` for `rows` (table rows) as a column of `type` (`self.type(source)`'s
    /// storage type), built straight from the table's columns: what `datum(_:_:)` gives row by row
    /// (a value that does not fit `type` is null), without a `Datum` per cell. Metadata keeps its
    /// per-run codes: a string key becomes a dictionary column over its distinct values, a typed
    /// key (BIGINT, DOUBLE, BOOLEAN, TIMESTAMP) is parsed once per distinct value.
    func column(_ source: Source, rows: ArraySlice<Int32>, type: ColumnType) throws -> ColumnData {
        let n = rows.count
        switch source {
        case .absent:
            return ColumnData(type: type, storage: Self.placeholder(type, n), validity: Bitmap(count: n, value: false))
        case .status:
            let entries = try StringArray(RunStatus.allCases.map(\.description))
            let index = Dictionary(uniqueKeysWithValues: RunStatus.allCases.enumerated().map { ($1, UInt32($0)) })
            let indices = rows.map { index[table.status[Int($0)]] ?? 0 }
            return try Self.typed(.dictionary(entries: entries, indices: indices), as: type, validity: nil, count: n)
        case .run:
            var s = StringArray()
            for r in rows { try s.append(table.runID(Int(r), paths: paths)) }
            return try Self.typed(.strings(s), as: type, validity: nil, count: n)
        case .path:
            var s = StringArray()
            for r in rows {
                try paths.utf8(Int(table.pathIndex[Int(r)])).withUnsafeBytes { try s.append(utf8: $0) }
            }
            return try Self.typed(.strings(s), as: type, validity: nil, count: n)
        case .column(let c) where table.isMetric(c):
            let col = table.columns[c]
            var validity = Bitmap(count: n, value: false)
            var bits = [UInt64](repeating: 0, count: n)
            for (k, r) in rows.enumerated() where Int(r) < col.metricBits.count && col.metricValid[Int(r)] {
                bits[k] = col.metricBits[Int(r)]
                validity[k] = true
            }
            let storage: ColumnLayout
            switch col.metricKind {
            case .double?: storage = .float64(bits.map { Double(bitPattern: $0) })
            default: storage = .int64(bits.map { Int64(bitPattern: $0) })
            }
            return try Self.typed(storage, as: type, validity: validity, count: n)
        case .column(let c):
            let metadata = table.columns[c].metadata
            let codes = metadata.codes(of: rows)
            let values = metadata.codedValues
            var validity = Bitmap(count: n, value: false)
            for (k, code) in codes.enumerated() where code != 0 { validity[k] = true }
            guard types[c] != .string else {
                return try Self.typed(.dictionary(entries: try StringArray(values), indices: codes), as: type, validity: validity, count: n)
            }
            // Each distinct value parsed once; one that does not parse is null (as `datum`).
            let parsed = values.map { RunSet.datum($0, as: types[c]) }
            for (k, code) in codes.enumerated() where code != 0 && parsed[Int(code)].isNull { validity[k] = false }
            let storage: ColumnLayout
            switch types[c] {
            case .double:
                storage = .float64(codes.map { if case .double(let d) = parsed[Int($0)] { return d } else { return 0 } })
            case .bool:
                storage = .bool(Bitmap(codes.lazy.map { parsed[Int($0)] == .bool(true) }))
            default:
                storage = .int64(codes.map { code -> Int64 in
                    switch parsed[Int(code)] {
                    case .int(let i), .timestamp(let i): return i
                    default: return 0
                    }
                })
            }
            return try Self.typed(storage, as: type, validity: validity, count: n)
        }
    }

    /// `storage` as a column of `type`: as is when it already has `type`'s layout, else every row
    /// null (a source whose values cannot be of that type; `SummaryTable` asks each source for its
    /// own type, so this only guards the contract).
    private static func typed(_ storage: ColumnLayout, as type: ColumnType, validity: Bitmap?, count: Int) throws -> ColumnData {
        let fits: Bool
        switch (storage, type) {
        case (.float64, .float64), (.int64, .int64), (.int64, .timestamp), (.int64, .duration), (.bool, .bool),
             (.strings, .string), (.dictionary, .string):
            fits = true
        default:
            fits = false
        }
        guard fits else {
            return ColumnData(type: type, storage: placeholder(type, count), validity: Bitmap(count: count, value: false))
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }

    /// All-placeholder storage of `type` for `count` rows.
    private static func placeholder(_ type: ColumnType, _ count: Int) -> ColumnLayout {
        switch type {
        case .float64: return .float64([Double](repeating: 0, count: count))
        case .int64, .timestamp, .duration: return .int64([Int64](repeating: 0, count: count))
        case .bool: return .bool(Bitmap(count: count, value: false))
        case .string: return .dictionary(entries: .oneEmptyString, indices: [UInt32](repeating: 0, count: count))
        }
    }
}
