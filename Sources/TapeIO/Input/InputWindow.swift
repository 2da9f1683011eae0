#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where text input comes from.
public enum TextSource: Sendable {
    /// A file opened (and closed) by the reader.
    case path(String)
    /// Standard input.
    case standardInput
    /// An open descriptor owned by the caller (not closed by the reader).
    case fileDescriptor(Int32)
    /// Bytes in memory (tests, small inputs).
    case bytes([UInt8])
}

/// A sliding window over an input stream, read in blocks.
///
/// Bytes `storage[start..<end]` have been read and not yet consumed. `refill(keepingFrom:)` moves the
/// kept tail to the front, grows the buffer only when the kept tail fills it (so memory is bounded by
/// the longest record, not the file), and reads the next block.
final class InputWindow {
    /// Default read size.
    static let defaultBlockSize = 256 << 10

    private(set) var storage: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// End of valid bytes in `storage`.
    private(set) var end = 0
    /// True once the source returned end-of-file.
    private(set) var isAtEOF = false

    private enum Source {
        case fd(Int32, owned: Bool, name: String)
        case memory([UInt8], offset: Int)
    }
    private var source: Source

    init(_ source: TextSource, blockSize: Int = InputWindow.defaultBlockSize) throws {
        capacity = max(blockSize, 4)
        switch source {
        case .path(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw TextInputError(.io("cannot open \(path): \(String(cString: strerror(errno)))"), line: 0)
            }
            self.source = .fd(fd, owned: true, name: path)
        case .standardInput:
            self.source = .fd(STDIN_FILENO, owned: false, name: "standard input")
        case .fileDescriptor(let fd):
            self.source = .fd(fd, owned: false, name: "descriptor \(fd)")
        case .bytes(let b):
            self.source = .memory(b, offset: 0)
        }
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
        if case .fd(let fd, true, _) = source { _ = close(fd) }
    }

    /// Discards `storage[0..<keep]`, moving the rest to the front, then reads more bytes.
    /// Returns the number of new bytes (0 only at end-of-file).
    /// After the call, former index `i >= keep` is at `i - keep`.
    @discardableResult
    func refill(keepingFrom keep: Int) throws -> Int {
        precondition(keep >= 0 && keep <= end)
        if keep > 0 {
            if end > keep { (storage).update(from: storage + keep, count: end - keep) }
            end -= keep
        }
        if isAtEOF { return 0 }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: storage, count: end)
            storage.deallocate()
            storage = bigger
            capacity *= 2
        }
        let n = try readBlock(into: storage + end, count: capacity - end)
        if n == 0 { isAtEOF = true }
        end += n
        return n
    }

    private func readBlock(into p: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        switch source {
        case .memory(let bytes, let offset):
            let n = min(count, bytes.count - offset)
            bytes.withUnsafeBufferPointer { src in
                if n > 0 { p.update(from: src.baseAddress! + offset, count: n) }
            }
            source = .memory(bytes, offset: offset + n)
            return n
        case .fd(let fd, _, let name):
            while true {
                let n = read(fd, p, count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw TextInputError(.io("cannot read \(name): \(String(cString: strerror(errno)))"), line: 0)
            }
        }
    }
}
