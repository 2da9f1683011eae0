// libFuzzer entry point for the .tape reader. Holds only the @_cdecl function: libFuzzer's
// runtime provides `main` (see ../../README.md for why SwiftPM's own `main` must not exist).
import Foundation
import Tape

/// The mutated bytes are written to a file in /dev/shm (the reader reads files), then opened and
/// every table scanned with and without checksum verification. Any crash, hang, sanitizer report
/// or out-of-memory is a finding; typed errors are the expected outcome for most inputs.
private let scratch: String = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (dir as NSString).appendingPathComponent("tape-fuzz-\(getpid()).tape")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard (try? bytes.write(to: URL(fileURLWithPath: scratch))) != nil else { return 0 }
    for verify in [false, true] {
        guard let reader = try? TapeReader(path: scratch, options: ReaderOptions(verifyChecksums: verify)) else { continue }
        for table in reader.tables {
            guard let scan = try? reader.scan(table.name) else { continue }
            var rows = 0
            while let batch = try? scan.nextBatch() { rows += batch.count }
            if rows > table.rowCount { abort() }   // never more rows than the footer declares
        }
    }
    return 0
}
