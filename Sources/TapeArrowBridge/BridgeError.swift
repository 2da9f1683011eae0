#if canImport(Glibc)
import Glibc
#endif

/// Why a libTapeArrow call failed; `code` is the errno-compatible value the C functions and the
/// stream callbacks return (the C Stream Interface asks for errno codes).
struct BridgeError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { message }

    /// Bad arguments or a query that does not parse or bind.
    static func invalid(_ message: String) -> BridgeError { BridgeError(code: EINVAL, message: message) }
    /// A failure while reading or running.
    static func io(_ message: String) -> BridgeError { BridgeError(code: EIO, message: message) }

    static func stringsTooLarge(_ bytes: Int) -> BridgeError {
        BridgeError(code: EOVERFLOW, message: "a string column of one batch holds \(bytes) bytes, more than int32 offsets address (large_utf8 export is not implemented)")
    }
}
