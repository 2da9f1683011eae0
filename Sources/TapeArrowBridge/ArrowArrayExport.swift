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
    /// A dictionary-encoded column's dictionary array (released with the column's array).
    var dictionary: UnsafeMutablePointer<ArrowArray>?

    deinit {
        bufferPointers?.deallocate()
        if let dictionary {
            dictionary.deinitialize(count: 1)
            dictionary.deallocate()
        }
        if let children {
            children.deinitialize(count: childCount)
            children.deallocate()
        }
        childPointers?.deallocate()
    }
}

enum ArrowArrayExport {
    /// Converts every column of `batch` first (so a failure leaves `out` untouched), then writes
    /// the struct array into `out`. The string columns at `dictionaryColumns` are exported as
    /// dictionary arrays (the schema must say so: `ArrowSchemaExport`).
    static func export(_ batch: RecordBatch, dictionaryColumns: Set<Int> = [], into out: UnsafeMutablePointer<ArrowArray>) throws(BridgeError) {
        var columns: [ArrowColumnBuffers] = []
        columns.reserveCapacity(batch.columns.count)
        for (i, c) in batch.columns.enumerated() {
            columns.append(try ArrowColumnBuffers(c, asDictionary: dictionaryColumns.contains(i) && c.type == .string))
        }

        let n = columns.count
        let owner = ArrayOwner()
        let children = UnsafeMutablePointer<ArrowArray>.allocate(capacity: n)
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: n)
        for (i, column) in columns.enumerated() {
            var dictionary: UnsafeMutablePointer<ArrowArray>?
            if let d = column.dictionary {
                dictionary = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
                leaf(d.buffers, length: d.count, nullCount: 0, dictionary: nil, into: dictionary!)
            }
            leaf(column.buffers, length: batch.count, nullCount: column.nullCount, dictionary: dictionary, into: children + i)
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

extension ArrowArrayExport {
    /// Writes an array without children over `buffers` into `out`; its owner holds the buffers
    /// and `dictionary` (whose structure it frees).
    private static func leaf(_ buffers: [ArrowBuffer?], length: Int, nullCount: Int, dictionary: UnsafeMutablePointer<ArrowArray>?,
                             into out: UnsafeMutablePointer<ArrowArray>) {
        let owner = ArrayOwner()
        let bufferPointers = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: buffers.count)
        for (j, b) in buffers.enumerated() {
            bufferPointers[j] = b.map { UnsafeRawPointer($0.pointer) }
            if let b { owner.buffers.append(b) }
        }
        owner.bufferPointers = bufferPointers
        owner.dictionary = dictionary
        out.initialize(to: ArrowArray(
            length: Int64(length), null_count: Int64(nullCount), offset: 0,
            n_buffers: Int64(buffers.count), n_children: 0,
            buffers: bufferPointers, children: nil, dictionary: dictionary,
            release: releaseArray, private_data: Unmanaged.passRetained(owner).toOpaque()))
    }
}

/// The `release` callback of every array structure Tape exports.
private let releaseArray: @convention(c) (UnsafeMutablePointer<ArrowArray>?) -> Void = { array in
    guard let array, array.pointee.release != nil else { return }
    for i in 0..<Int(array.pointee.n_children) {
        if let child = array.pointee.children?[i], let release = child.pointee.release { release(child) }
    }
    if let d = array.pointee.dictionary, let release = d.pointee.release { release(d) }
    if let owner = array.pointee.private_data { Unmanaged<ArrayOwner>.fromOpaque(owner).release() }
    array.pointee.release = nil
}
