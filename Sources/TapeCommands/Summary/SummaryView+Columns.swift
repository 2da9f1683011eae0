import Tape
import TapeCodec
import TapeFormat
import TapeQuery

extension SummaryView {
    /// The values of `source` for `rows` (table rows) as a column of `type(source)`'s storage
    /// type, built straight from the table's columns: what `datum(_:_:)` gives row by row, without
    /// a `Datum` per cell. Metadata keeps its
    /// per-run codes: a string key becomes a dictionary column over its distinct values, a typed
    /// key (BIGINT, DOUBLE, BOOLEAN, TIMESTAMP) is parsed once per distinct value.
    func column(_ source: Source, rows: ArraySlice<Int32>) throws -> ColumnData {
        let n = rows.count
        let type = self.type(source).columnType
        switch source {
        case .absent:
            return ColumnData(type: type, storage: .placeholder(type, count: n), validity: Bitmap(count: n, value: false))
        case .status:
            let entries = try StringArray(RunStatus.allCases.map(\.description))
            let index = Dictionary(uniqueKeysWithValues: RunStatus.allCases.enumerated().map { ($1, UInt32($0)) })
            let indices = rows.map { index[table.status[Int($0)]] ?? 0 }
            return ColumnData(type: type, storage: .dictionary(entries: entries, indices: indices), validity: nil)
        case .run:
            var s = StringArray()
            for r in rows { try s.append(table.runID(Int(r), paths: paths)) }
            return ColumnData(type: type, storage: .strings(s), validity: nil)
        case .path:
            var s = StringArray()
            for r in rows {
                try paths.utf8(Int(table.pathIndex[Int(r)])).withUnsafeBytes { try s.append(utf8: $0) }
            }
            return ColumnData(type: type, storage: .strings(s), validity: nil)
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
            return ColumnData(type: type, storage: storage, validity: validity)
        case .column(let c):
            let metadata = table.columns[c].metadata
            let codes = metadata.codes(of: rows)
            let values = metadata.codedValues
            var validity = Bitmap(count: n, value: false)
            for (k, code) in codes.enumerated() where code != 0 { validity[k] = true }
            guard types[c] != .string else {
                return ColumnData(type: type, storage: .dictionary(entries: try StringArray(values), indices: codes), validity: validity)
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
            return ColumnData(type: type, storage: storage, validity: validity)
        }
    }
}
