import CArrowABI
import Tape
import TapeFormat
import TapeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import TapeArrowBridge

/// The ArrowArrayStream of tape_sql: schema, batches, end of stream, errors as codes + messages.
@Suite struct StreamTests {
    @Test func aQueryStreamsThenEnds() throws {
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        let array = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        let schema = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        defer { stream.deallocate(); array.deallocate(); schema.deallocate() }
        #expect(TapeArrowBridge.tape_sql("SELECT 1 AS one, 'x' AS s", nil, 0, stream) == 0)
        #expect(stream.pointee.get_schema(stream, schema) == 0)
        #expect(String(cString: schema.pointee.children[0]!.pointee.name) == "one")
        schema.pointee.release(schema)
        #expect(stream.pointee.get_next(stream, array) == 0)
        #expect(array.pointee.release != nil && array.pointee.length == 1)
        array.pointee.release(array)
        #expect(stream.pointee.get_next(stream, array) == 0)
        #expect(array.pointee.release == nil, "end of stream is a released array")
        stream.pointee.release(stream)
        #expect(stream.pointee.release == nil)
    }

    @Test func badSQLIsAnErrorCodeWithTheMessage() {
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        #expect(TapeArrowBridge.tape_sql("SELEC 1", nil, 0, stream) == EDOM)   // query errors: EDOM (ErrorCodes)
        #expect(String(cString: TapeArrowBridge.tape_last_error()!).contains("syntax error"))
        #expect(TapeArrowBridge.tape_scan(nil, 0, "t", nil, 0, nil, 0, 0, 0, nil, stream) == EINVAL)
        #expect(String(cString: TapeArrowBridge.tape_last_error()!) == "no run files given")
    }

    @Test func aRuntimeErrorComesBackFromGetNext() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("r.tape")
        let w = try TapeWriter(path: path)
        try w.declareTable("t", columns: [ColumnDef("x", .int64)]).append(values: [.int(1)])
        _ = try w.close()
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        let array = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { stream.deallocate(); array.deallocate() }
        let paths: [UnsafePointer<CChar>?] = [UnsafePointer(strdup(path))]
        defer { free(UnsafeMutablePointer(mutating: paths[0])) }
        #expect(TapeArrowBridge.tape_sql("SELECT x // 0 AS y FROM t", paths, 1, stream) == 0)
        let rc = stream.pointee.get_next(stream, array)
        #expect(rc != 0)
        #expect(String(cString: stream.pointee.get_last_error(stream)!).contains("division by zero"))
        stream.pointee.release(stream)
    }

    @Test func releasingBeforeTheEndStopsTheProducer() {
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        #expect(TapeArrowBridge.tape_sql("SELECT 1 AS x", nil, 0, stream) == 0)
        stream.pointee.release(stream)   // never read: no thread started, nothing leaks or hangs
        #expect(stream.pointee.release == nil)
    }
}
