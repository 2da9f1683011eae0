import Synchronization
import TapeCodec
import TapeFormat

/// A `BlockEncoder` (zstd context and scratch buffers) that the writer's encoding threads can
/// share. The lock is taken once per column and is uncontended (worker `w` only uses encoder `w`);
/// it lets the compiler check that no encoder is ever used by two threads at once.
final class SharedEncoder: Sendable {
    private let encoder: Mutex<BlockEncoder>

    init(codec: Codec, rowsPerPage: Int, pagesPerGroup: Int) {
        encoder = Mutex(BlockEncoder(codec: codec, rowsPerPage: rowsPerPage, pagesPerGroup: pagesPerGroup))
    }

    /// `BlockEncoder.encode(_:encoding:into:)` under this encoder's lock.
    func encode(_ column: ColumnData, encoding: Encoding?, into body: inout ByteWriter) -> BlockDescriptor {
        encoder.withLock { $0.encode(column, encoding: encoding, into: &body) }
    }
}

/// One chunk's columns encoded by several threads. A worker takes the next column together with
/// that column's reused output buffer (moved out of the shared state while it is encoded), then
/// puts the buffer and the block descriptor back. The lock is held only to hand out and return a
/// column, never while encoding.
final class ParallelEncoding: Sendable {
    private struct State {
        var next = 0
        var outputs: [ByteWriter]
        var blocks: [BlockDescriptor?]
    }

    private let state: Mutex<State>

    /// REQUIRES: `outputs.count >= count` (their contents are discarded by the workers).
    init(outputs: [ByteWriter], count: Int) {
        state = Mutex(State(outputs: outputs, blocks: Array(repeating: nil, count: count)))
    }

    /// The next column to encode and its output buffer, or nil when every column is taken.
    func next() -> (column: Int, output: ByteWriter)? {
        state.withLock { s in
            guard s.next < s.blocks.count else { return nil }
            let i = s.next
            s.next += 1
            var out = ByteWriter()
            swap(&out, &s.outputs[i])
            return (i, out)
        }
    }

    /// Column `column` is encoded into `output`, described by `block`.
    func finish(_ column: Int, output: ByteWriter, block: BlockDescriptor) {
        state.withLock { s in
            s.outputs[column] = output
            s.blocks[column] = block
        }
    }

    /// Once every worker has finished: the output buffers and the descriptors, in column order.
    func results() -> (outputs: [ByteWriter], blocks: [BlockDescriptor?]) {
        state.withLock { ($0.outputs, $0.blocks) }
    }
}
