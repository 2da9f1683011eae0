import TapeCodec

extension StringArray {
    /// `appendString`, the 4 GiB overflow thrown as `QueryError.stringsTooLarge` naming `what`
    /// (the function or operator building the strings).
    mutating func appendString(in what: @autoclosure () -> String, _ build: (inout [UInt8]) -> Void) throws(QueryError) {
        do { try appendString(build) } catch { throw .stringsTooLarge(error, in: what()) }
    }

    /// An array of the one string `s`.
    static func one(_ s: String) throws(QueryError) -> StringArray {
        do { return try StringArray([s]) } catch { throw .stringsTooLarge(error, in: "a string value") }
    }
}
