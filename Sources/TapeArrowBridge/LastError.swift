import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The message of the last failed libTapeArrow call, per calling thread (as `errno`), for
/// `tape_last_error`. A thread's text stays valid until its next failing call replaces it.
enum LastError {
    /// A malloc'ed C string, owned by the table below and only freed under its lock.
    private struct Text: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<CChar>
    }

    private static let messages = Mutex<[UInt: Text]>([:])

    private static var thread: UInt { UInt(pthread_self()) }

    static func set(_ message: String) {
        guard let copy = strdup(message) else { return }
        let text = Text(pointer: copy)
        let key = thread
        messages.withLock { m in
            if let old = m[key] { free(old.pointer) }
            m[key] = text
        }
    }

    static func get() -> UnsafePointer<CChar>? {
        let key = thread
        return messages.withLock { m in m[key].map { UnsafePointer($0.pointer) } }
    }
}
