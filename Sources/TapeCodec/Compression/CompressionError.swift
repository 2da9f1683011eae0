/// Why a compression library call failed (the library's own message).
struct CompressionError: Error, CustomStringConvertible {
    var description: String
}
