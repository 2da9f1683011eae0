import Foundation
import Tape

/// The CLI's own machinery offered to other front ends (libTapeArrow's C ABI for Python), so that
/// they take run paths and report file facts exactly as the `tape` commands do.
public enum CommandLibrary {
    /// Run arguments (files, directories, globs) expanded into `.tape` paths as every command that
    /// takes runs expands them; throws with the CLI's message when an argument names nothing.
    public static func expandRunPaths(_ arguments: [String]) throws -> [String] {
        try RunPaths.expand(arguments)
    }

    /// What `tape info --json FILE` prints (without the trailing newline).
    public static func infoJSON(path: String, allowUnsealed: Bool = false) throws -> String {
        let reader = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: allowUnsealed))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(try FileInfo(reader: reader)), as: UTF8.self)
    }
}
