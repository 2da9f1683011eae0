import Synchronization

/// A value shared between threads, read and written under a lock: e.g. what a background pipe
/// reader read, picked up by the thread that waited for it.
public final class LockedValue<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ initial: Value) {
        value = Mutex(initial)
    }

    public var current: Value {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
