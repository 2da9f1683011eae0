import CArrowABI
import TapeCodec
#if canImport(Glibc)
import Glibc
#endif

/// Fills C `ArrowArray` structures for a batch: a struct array (no validity, null_count 0) whose
/// children are the columns' arrays (see `ArrowColumnBuffers` for their buffers).
///
/// Ownership mirrors `SchemaOwner`: each structure's `private_data` is a retained `ArrayOwner`
/// holding its buffers and its `buffers` pointer array; the parent's owner also holds the
/// children's structures. `release` releases children not moved out, frees, sets release = NULL.
final class ArrayOwner {
    var buffers: [ArrowBuffer] = []
    var bufferPointers: UnsafeMutablePointer<UnsafeRawPointer?>?
    var children: UnsafeMutablePointer<ArrowArray>?
    var childPointers: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?
    var childCount = 0

    deinit {
        bufferPointers?.deallocate()
        if let children {
            children.deinitialize(count: childCount)
            children.deallocate()
        }
        childPointers?.deallocate()
    }
}

enum ArrowArrayExport {
    /// Converts every column of `batch` first (so a failure leaves `out` untouched), then writes
    /// the struct array into `out`.
    static func export(_ batch: RecordBatch, into out: UnsafeMutablePointer<ArrowArray>) throws(BridgeError) {
        var columns: [ArrowColumnBuffers] = []
        columns.reserveCapacity(batch.columns.count)
        for c in batch.columns { columns.append(try ArrowColumnBuffers(c)) }

        let n = columns.count
        let owner = ArrayOwner()
        let children = UnsafeMutablePointer<ArrowArray>.allocate(capacity: n)
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: n)
        for (i, column) in columns.enumerated() {
            let childOwner = ArrayOwner()
            let bufferPointers = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: column.buffers.count)
            for (j, b) in column.buffers.enumerated() {
                bufferPointers[j] = b.map { UnsafeRawPointer($0.pointer) }
                if let b { childOwner.buffers.append(b) }
            }
            childOwner.bufferPointers = bufferPointers
            (children + i).initialize(to: ArrowArray(
                length: Int64(batch.count), null_count: Int64(column.nullCount), offset: 0,
                n_buffers: Int64(column.buffers.count), n_children: 0,
                buffers: UnsafeMutablePointer(mutating: bufferPointers).withMemoryRebound(to: UnsafeRawPointer?.self, capacity: column.buffers.count) { UnsafeMutablePointer($0) },
                children: nil, dictionary: nil,
                release: releaseArray, private_data: Unmanaged.passRetained(childOwner).toOpaque()))
            pointers[i] = children + i
        }
        let topBuffers = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: 1)
        topBuffers[0] = nil
        owner.bufferPointers = topBuffers
        owner.children = children
        owner.childPointers = pointers
        owner.childCount = n
        out.initialize(to: ArrowArray(
            length: Int64(batch.count), null_count: 0, offset: 0, n_buffers: 1, n_children: Int64(n),
            buffers: topBuffers, children: pointers, dictionary: nil,
            release: releaseArray, private_data: Unmanaged.passRetained(owner).toOpaque()))
    }
}

/// The `release` callback of every array structure Tape exports.
private let releaseArray: @convention(c) (UnsafeMutablePointer<ArrowArray>?) -> Void = { array in
    guard let array, array.pointee.release != nil else { return }
    for i in 0..<Int(array.pointee.n_children) {
        if let child = array.pointee.children?[i], let release = child.pointee.release { release(child) }
    }
    if let owner = array.pointee.private_data { Unmanaged<ArrayOwner>.fromOpaque(owner).release() }
    array.pointee.release = nil
}
