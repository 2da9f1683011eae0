/// A grow-only typed buffer reused between blocks: `prepare(n)` returns at least `n` slots whose
/// contents are unspecified. Not copyable; freed with its owner.
struct Scratch<T: BitwiseCopyable>: ~Copyable {
    private var base: UnsafeMutablePointer<T>
    private var capacity: Int

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// A pointer to at least `n` writable slots (previous contents are not kept).
    mutating func prepare(_ n: Int) -> UnsafeMutablePointer<T> {
        if n > capacity {
            base.deallocate()
            capacity = max(n, capacity * 2)
            base = .allocate(capacity: capacity)
        }
        return base
    }
}
