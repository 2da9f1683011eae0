import Dispatch

/// The file system side of `tape summary`'s cache rewrites, on a thread of its own: creating and
/// writing a directory's new cache, renaming it into place and then emptying the directory's
/// journal may each wait on the file system's own journal (milliseconds; a million runs' first
/// summary rewrites a thousand caches), while the loader's threads go on decoding the next
/// directories.
///
/// Work runs in the order submitted. At most `backlog` items wait (each holds one cache's bytes
/// not yet written, about a megabyte at most: `SummaryCacheWriter` writes larger caches out as it
/// goes), so `submit` blocks when the disk falls behind. `wait()` returns when everything
/// submitted is done: the loader calls it before handing back its table, so a summary's caches
/// and journals are settled when it returns.
final class SummaryCommits: Sendable {
    private let queue = DispatchQueue(label: "tape.summary.commits")
    private let group = DispatchGroup()
    private let slots: DispatchSemaphore

    init(backlog: Int = 8) {
        slots = DispatchSemaphore(value: max(1, backlog))
    }

    /// Runs `work` after everything submitted before it.
    func submit(_ work: @escaping @Sendable () -> Void) {
        slots.wait()
        queue.async(group: group) { [slots] in
            work()
            slots.signal()
        }
    }

    /// Waits for everything submitted.
    func wait() { group.wait() }
}
