import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The Python interpreter with DuckDB, pyarrow and backtesting.py that `make test` prepares
/// (`make pyenv`) and passes in `TAPE_TEST_PYTHON`. Interop and differential tests are enabled
/// only when it is set, so `make test` always runs them.
public enum TestPython {
    /// Path of the interpreter, or nil when `TAPE_TEST_PYTHON` is unset or not executable.
    public static var path: String? {
        guard let p = ProcessInfo.processInfo.environment["TAPE_TEST_PYTHON"], !p.isEmpty,
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return p
    }

    public static var isAvailable: Bool { path != nil }

    /// Runs `script` (Python source) with `arguments`, returning stdout; throws with stderr on a
    /// non-zero exit.
    public static func run(_ script: String, arguments: [String] = [], stdin: Data? = nil) throws -> String {
        guard let py = path else { throw TestPythonError(message: "TAPE_TEST_PYTHON is not set") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        // Drain stderr and feed stdin on other threads so neither pipe can block the other; a
        // script that exits without reading its input gives EPIPE, not a SIGPIPE that kills us.
        let drained = DispatchGroup()
        let errData = LockedValue(Data())
        DispatchQueue.global().async(group: drained) { errData.current = err.fileHandleForReading.readDataToEndOfFile() }
        signal(SIGPIPE, SIG_IGN)
        DispatchQueue.global().async(group: drained) {
            if let stdin { try? inp.fileHandleForWriting.write(contentsOf: stdin) }
            try? inp.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        drained.wait()
        guard p.terminationStatus == 0 else {
            throw TestPythonError(message: "python exited \(p.terminationStatus): \(String(decoding: errData.current, as: UTF8.self))")
        }
        return String(decoding: outData, as: UTF8.self)
    }
}

public struct TestPythonError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
