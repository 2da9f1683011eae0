import TapeFormat
import TapeIO

/// A `RowSink` that keeps every row.
final class CollectingSink: RowSink {
    var rows: [[Value]] = []
    func appendRow(_ values: [Value]) throws { rows.append(values) }
}
