/// One logical cell value, used where convenience matters more than speed (row-at-a-time import,
/// printing, tests). Hot paths use typed setters and `ColumnData` instead. The same type as a SQL
/// scalar: see `Datum`.
public typealias Value = Datum
