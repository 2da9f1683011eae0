import Foundation
import Synchronization

/// A fresh temporary directory; remove it with `cleanup()`. Whatever is still there when the test
/// process exits is removed then (fixtures shared through a `static let` have no other place to go).
public struct TempDir: Sendable {
    public let url: URL
    public init() {
        self.init(under: FileManager.default.temporaryDirectory.path)
    }
    /// A fresh directory inside `parent` (e.g. /dev/shm for a test that must not wait on fsync).
    public init(under parent: String) {
        url = URL(fileURLWithPath: parent).appendingPathComponent("tape-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TempDir.removeAtExit(url)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// Directories to remove at exit; the handler is installed with the first one.
    private static let leftovers = Mutex<[String]>([])

    private static func removeAtExit(_ url: URL) {
        let first = leftovers.withLock { list in
            list.append(url.path)
            return list.count == 1
        }
        if first { atexit { TempDir.removeLeftovers() } }
    }

    private static func removeLeftovers() {
        for path in leftovers.withLock({ $0 }) where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
