import Foundation

/// A fresh temporary directory; remove it with `cleanup()`.
public struct TempDir: Sendable {
    public let url: URL
    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tape-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}
