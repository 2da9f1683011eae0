import Testing
import TapeCodec
import TapeFormat
@testable import TapeQuery

/// Strings past the 4 GiB one string array addresses: a gather keeps rows as indices into the
/// original array (no copy, no error); builders and kernels throw a `QueryError` naming the
/// operator and what to do.
@Suite struct StringBoundTests {
    @Test func gatherPastTheLimitKeepsIndicesIntoTheOriginal() throws {
        let a = try StringArray(["long string", "b"])
        let v = Vector(type: .string, storage: .strings(a), count: 2)
        let rows: [Int32] = [0, 0, 0, 1]
        let within = v.gather(rows)
        guard case .strings(let copied) = within.storage else { Issue.record("expected plain strings"); return }
        #expect(copied.count == 4)
        let past = v.gather(rows, stringLimit: 20)
        guard case .dictionary(let entries, let idx) = past.storage else { Issue.record("expected a dictionary vector"); return }
        #expect(entries == a)
        #expect(idx == [0, 0, 0, 1])
        #expect((0..<4).map { past.datum($0) } == (0..<4).map { within.datum($0) })
    }

    @Test func overflowErrorNamesTheOperatorAndTheWayOut() {
        let e = QueryError.stringsTooLarge(StringArrayOverflow(bytes: 5_000_000_000, limit: StringArray.maxBytes), in: "ORDER BY")
        #expect(e.kind == .execution)
        #expect(e.message.hasPrefix("ORDER BY: the strings of one column would hold 5000000000 bytes"))
        #expect(e.message.contains("--memory-limit"))
        #expect(e.message.contains("fewer rows"))
    }
}
