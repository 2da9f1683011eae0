import Foundation

/// A fresh temporary directory; remove it with `cleanup()`.
public struct TempDir: Sendable {
    public let url: URL
    public init() {
        self.init(under: FileManager.default.temporaryDirectory.path)
    }
    /// A fresh directory inside `parent` (e.g. /dev/shm for a test that must not wait on fsync).
    public init(under parent: String) {
        url = URL(fileURLWithPath: parent).appendingPathComponent("tape-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}
