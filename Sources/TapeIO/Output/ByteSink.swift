#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why output could not be written.
public enum OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reader went away (EPIPE), e.g. `tape cat | head`. The CLI should stop quietly and exit 0.
    case brokenPipe
    /// Any other write failure.
    case writeFailed(destination: String, errno: Int32)
    /// The output file could not be opened.
    case openFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .brokenPipe: return "broken pipe"
        case .writeFailed(let d, let e): return "cannot write \(d): \(String(cString: strerror(e)))"
        case .openFailed(let p, let e): return "cannot open \(p): \(String(cString: strerror(e)))"
        }
    }
}

/// A buffered byte sink over a file descriptor (standard output, a file) or memory.
///
/// Formatters append to `buffer` (through `append(_:)`), then call `flushIfNeeded()`; bytes go out
/// in large `write(2)` calls once the buffer passes `flushThreshold`. Writing to a descriptor
/// ignores SIGPIPE for the process (once), so a closed pipe surfaces as `OutputError.brokenPipe`
/// instead of killing the process.
public final class ByteSink {
    /// Bytes not yet written.
    public private(set) var buffer: [UInt8] = []
    /// Buffer size that triggers a write in `flushIfNeeded()`.
    public let flushThreshold: Int

    private enum Destination {
        case descriptor(Int32, name: String, owned: Bool)
        case memory
    }
    private let destination: Destination
    private var collected: [UInt8] = []
    private var closed = false

    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// A sink writing to an open descriptor (not closed by the sink), called `name` in errors.
    /// Defaults to standard output.
    public init(fileDescriptor: Int32 = STDOUT_FILENO, name: String? = nil, flushThreshold: Int = 1 << 20) {
        ByteSink.ignoreSIGPIPE
        destination = .descriptor(fileDescriptor, name: name ?? (fileDescriptor == STDOUT_FILENO ? "standard output" : "descriptor \(fileDescriptor)"), owned: false)
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 64 << 10)
    }

    /// A sink creating (or truncating) the file at `path`; `close()` closes it.
    public init(path: String, flushThreshold: Int = 1 << 20) throws {
        ByteSink.ignoreSIGPIPE
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError.openFailed(path: path, errno: errno) }
        destination = .descriptor(fd, name: path, owned: true)
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 64 << 10)
    }

    private init(memoryWithThreshold threshold: Int) {
        destination = .memory
        flushThreshold = threshold
    }

    /// A sink that keeps everything in memory (`contents`), for tests and small outputs.
    public static func inMemory(flushThreshold: Int = 1 << 16) -> ByteSink {
        ByteSink(memoryWithThreshold: flushThreshold)
    }

    deinit {
        if case .descriptor(let fd, _, true) = destination, !closed { _ = Glibc.close(fd) }
    }

    /// Everything written so far to an in-memory sink (including the unflushed buffer).
    public var contents: [UInt8] { collected + buffer }

    /// `contents` as text.
    public var text: String { String(decoding: contents, as: UTF8.self) }

    /// Lets `body` append to the buffer directly (the fast path for formatters).
    public func append<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R {
        try body(&buffer)
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// Appends the UTF-8 of `text`.
    public func write(_ text: String) { buffer.append(contentsOf: text.utf8) }

    /// Writes the buffer out if it has passed `flushThreshold`.
    public func flushIfNeeded() throws {
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes out everything buffered.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        switch destination {
        case .memory:
            collected.append(contentsOf: buffer)
        case .descriptor(let fd, let name, _):
            try buffer.withUnsafeBytes { try ByteSink.writeAll(fd, $0, name: name) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, then closes a file opened by `init(path:)`.
    public func close() throws {
        try flush()
        if case .descriptor(let fd, let name, true) = destination, !closed {
            closed = true
            if Glibc.close(fd) != 0 { throw OutputError.writeFailed(destination: name, errno: errno) }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EPIPE {
                throw OutputError.brokenPipe
            } else {
                throw OutputError.writeFailed(destination: name, errno: n < 0 ? errno : EIO)
            }
        }
    }
}
