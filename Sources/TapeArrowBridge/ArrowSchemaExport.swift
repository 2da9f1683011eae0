import CArrowABI
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

/// Fills C `ArrowSchema` structures for a batch schema: a struct (`+s`) whose children are the
/// columns, every child nullable.
///
/// Ownership: each structure's `private_data` is a retained `SchemaOwner` holding its C strings;
/// a parent's owner also holds its children's structures. `release` releases the children that
/// were not moved out (release != NULL), frees what the owner holds and sets `release` to NULL.
final class SchemaOwner {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    /// A dictionary-encoded column's dictionary schema (released with the column's schema).
    var dictionary: UnsafeMutablePointer<ArrowSchema>?
    /// The children's structures and the pointer array to them (a struct schema only).
    var children: UnsafeMutablePointer<ArrowSchema>?
    var childPointers: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>?
    var childCount = 0

    func cString(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        strings.append(p)
        return UnsafePointer(p)
    }

    deinit {
        for p in strings { free(p) }
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

enum ArrowSchemaExport {
    /// Writes the struct schema of `schema` into `out` (which the consumer owns and releases). The
    /// string columns at `dictionaryColumns` are `dictionary<values=utf8, indices=int32>`.
    static func export(_ schema: Schema, dictionaryColumns: Set<Int> = [], into out: UnsafeMutablePointer<ArrowSchema>) {
        let owner = SchemaOwner()
        let n = schema.count
        let children = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: n)
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>.allocate(capacity: n)
        for (i, c) in schema.columns.enumerated() {
            let childOwner = SchemaOwner()
            var format = ArrowColumnBuffers.format(of: c.type)
            if dictionaryColumns.contains(i) && c.type == .string {
                format = ArrowColumnBuffers.dictionaryIndexFormat
                let valuesOwner = SchemaOwner()
                let values = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
                values.initialize(to: ArrowSchema(
                    format: valuesOwner.cString(ArrowColumnBuffers.format(of: .string)), name: valuesOwner.cString(""),
                    metadata: nil, flags: 0, n_children: 0, children: nil, dictionary: nil,
                    release: releaseSchema, private_data: Unmanaged.passRetained(valuesOwner).toOpaque()))
                childOwner.dictionary = values
            }
            (children + i).initialize(to: ArrowSchema(
                format: childOwner.cString(format), name: childOwner.cString(c.name),
                metadata: nil, flags: Int64(ARROW_FLAG_NULLABLE), n_children: 0, children: nil, dictionary: childOwner.dictionary,
                release: releaseSchema, private_data: Unmanaged.passRetained(childOwner).toOpaque()))
            pointers[i] = children + i
        }
        owner.children = children
        owner.childPointers = pointers
        owner.childCount = n
        out.initialize(to: ArrowSchema(
            format: owner.cString("+s"), name: owner.cString(""), metadata: nil, flags: 0,
            n_children: Int64(n), children: pointers, dictionary: nil,
            release: releaseSchema, private_data: Unmanaged.passRetained(owner).toOpaque()))
    }
}

/// The `release` callback of every schema structure Tape exports.
private let releaseSchema: @convention(c) (UnsafeMutablePointer<ArrowSchema>?) -> Void = { schema in
    guard let schema, schema.pointee.release != nil else { return }
    for i in 0..<Int(schema.pointee.n_children) {
        if let child = schema.pointee.children?[i], let release = child.pointee.release { release(child) }
    }
    if let d = schema.pointee.dictionary, let release = d.pointee.release { release(d) }
    if let owner = schema.pointee.private_data { Unmanaged<SchemaOwner>.fromOpaque(owner).release() }
    schema.pointee.release = nil
}
