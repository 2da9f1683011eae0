/// One scalar JSON value of an NDJSON object.
///
/// Numbers keep their literal text unless it is exactly an Int64's canonical decimal form, so a
/// number going into a string column (or into run metadata) is stored as it was written
/// (`12345678901234567890123`, `1E2`, `-0`), never re-printed from a double.
public enum JSONScalar: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// A JSON number written without fraction or exponent that fits in Int64, in canonical form
    /// (no `-0`).
    case int(Int64)
    /// Any other JSON number, as its literal text: a fraction or exponent, `-0`, or an integer
    /// outside Int64.
    case number(String)
    case string(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .number(let text): return text
        case .string(let s): return s
        }
    }

    /// A JSON number's value as the nearest double (correctly rounded); nil for other scalars.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .number(var text): return text.withUTF8 { NumberParsing.parseDouble(UnsafeRawBufferPointer($0)) }
        default: return nil
        }
    }

    /// A JSON number's value as an Int64 when it is exactly an integer in range (`1E2`, `-0`,
    /// `5.0`, `1e18`); nil otherwise (fractions, out of range, non-numbers).
    public var exactInt64: Int64? {
        switch self {
        case .int(let v): return v
        case .number(var text): return text.withUTF8 { NumberParsing.exactInt64(UnsafeRawBufferPointer($0)) }
        default: return nil
        }
    }
}
