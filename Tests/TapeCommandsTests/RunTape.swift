import Foundation
import Testing

/// What running the `tape` executable printed and returned.
struct TapeOutcome {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built `tape` executable with `args`, capturing stdout and stderr.
func runTape(_ args: [String]) throws -> TapeOutcome {
    let exe = try #require(tapeExecutable())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    var errData = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    group.wait()
    return TapeOutcome(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
}
