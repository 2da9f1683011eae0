import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TapeTestSupport
import Testing

/// What running the `tape` executable printed and returned.
struct TapeOutcome {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built `tape` executable with `args`, capturing stdout and stderr; `stdin` (if given)
/// is written to its standard input, which is then closed.
func runTape(_ args: [String], stdin: String? = nil) throws -> TapeOutcome {
    let exe = try #require(tapeExecutable())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let inp = Pipe()
    if stdin != nil { p.standardInput = inp }
    try p.run()
    let errData = LockedValue(Data())
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errData.current = err.fileHandleForReading.readDataToEndOfFile() }
    if let stdin {
        signal(SIGPIPE, SIG_IGN)  // tape may exit without reading all of it: EPIPE, not a signal
        DispatchQueue.global().async(group: group) {
            try? inp.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
            try? inp.fileHandleForWriting.close()
        }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    group.wait()
    return TapeOutcome(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData.current, as: UTF8.self))
}
