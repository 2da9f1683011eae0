import CArrowABI
import Foundation
import Tape
import TapeCodec
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

// The tape_writer_* functions of libTapeArrow (declared in Sources/CArrowABI/include/arrow_c_abi.h):
// a `BatchWriter` behind an opaque handle. Like the read functions they never trap on bad input:
// failures return an errno-style code with the message in tape_last_error().

private func handle(_ p: UnsafeMutableRawPointer?) throws -> BatchWriter {
    guard let p else { throw BridgeError.invalid("writer: NULL handle") }
    return Unmanaged<BatchWriter>.fromOpaque(p).takeUnretainedValue()
}

private func string(_ p: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let p else { throw BridgeError.invalid("\(what): NULL") }
    return String(cString: p)
}

private func publish(_ writer: TapeWriter, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
    out.pointee = Unmanaged.passRetained(BatchWriter(writer)).toOpaque()
}

@_cdecl("tape_writer_open")
public func tape_writer_open(_ path: UnsafePointer<CChar>?, _ keys: UnsafePointer<UnsafePointer<CChar>?>?,
                             _ values: UnsafePointer<UnsafePointer<CChar>?>?, _ nMetadata: Int64, _ zstdLevel: Int32,
                             _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 {
    guarded {
        guard let out else { throw BridgeError.invalid("out: NULL") }
        let k = try strings(keys, nMetadata, what: "metadata keys"), v = try strings(values, nMetadata, what: "metadata values")
        let metadata = Dictionary(zip(k, v), uniquingKeysWith: { _, last in last })
        var options = WriterOptions()
        if zstdLevel != 0 {
            guard (1...22).contains(zstdLevel) else { throw BridgeError.invalid("compression_level must be 1...22, got \(zstdLevel)") }
            options.codec = .zstd(level: zstdLevel)
        }
        publish(try TapeWriter(path: try string(path, "path"), options: options, metadata: metadata), out)
    }
}

@_cdecl("tape_writer_resume")
public func tape_writer_resume(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                               _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let out, let outJSON else { throw BridgeError.invalid("out: NULL") }
        let (writer, state) = try TapeWriter.resume(path: try string(path, "path"))
        var tables: [String: Any] = [:]
        for t in state.tables {
            tables[t.name] = ["rows": t.rowCount, "last_timestamp_ns": t.lastTimestamp.map { NSNumber(value: $0) } ?? NSNull()]
        }
        let r = state.recovery
        let json: [String: Any] = [
            "path": r.path, "tables": tables, "was_sealed": r.wasSealed, "chunks_kept": r.chunksKept,
            "bytes_dropped": r.bytesDropped, "stop_reason": r.stopReason ?? NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        outJSON.pointee = strdup(String(decoding: data, as: UTF8.self))
        publish(writer, out)
    }
}

@_cdecl("tape_writer_set_metadata")
public func tape_writer_set_metadata(_ w: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> Int32 {
    guarded { try handle(w).setMetadata(try string(key, "key"), try string(value, "value")) }
}

@_cdecl("tape_writer_expect_bars")
public func tape_writer_expect_bars(_ w: UnsafeMutableRawPointer?, _ count: Int64, _ table: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        guard count >= 0, count <= Int64(Int.max) else { throw BridgeError.invalid("expect_bars: \(count) is negative") }
        try handle(w).expectBars(Int(count), table: try string(table, "table"))
    }
}

@_cdecl("tape_writer_write_batch")
public func tape_writer_write_batch(_ w: UnsafeMutableRawPointer?, _ table: UnsafePointer<CChar>?,
                                    _ schema: UnsafeMutablePointer<ArrowSchema>?, _ array: UnsafeMutablePointer<ArrowArray>?) -> Int32 {
    // The batch is moved in: both structures are released whatever happens.
    defer {
        if let schema, let release = schema.pointee.release { release(schema) }
        if let array, let release = array.pointee.release { release(array) }
    }
    return guarded {
        guard let schema, let array else { throw BridgeError.invalid("schema or array: NULL") }
        try handle(w).write(table: try string(table, "table"), schema: schema, array: array)
    }
}

@_cdecl("tape_writer_close")
public func tape_writer_close(_ w: UnsafeMutableRawPointer?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let outJSON else { throw BridgeError.invalid("out: NULL") }
        outJSON.pointee = strdup(try handle(w).finish(cancelReason: nil, cancel: false))
    }
}

@_cdecl("tape_writer_cancel")
public func tape_writer_cancel(_ w: UnsafeMutableRawPointer?, _ reason: UnsafePointer<CChar>?,
                               _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let outJSON else { throw BridgeError.invalid("out: NULL") }
        outJSON.pointee = strdup(try handle(w).finish(cancelReason: reason.map { String(cString: $0) }, cancel: true))
    }
}

@_cdecl("tape_writer_free")
public func tape_writer_free(_ w: UnsafeMutableRawPointer?) {
    guard let w else { return }
    Unmanaged<BatchWriter>.fromOpaque(w).release()
}
