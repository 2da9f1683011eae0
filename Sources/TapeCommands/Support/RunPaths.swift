import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Expands command-line run arguments into `.tape` file paths: the one code path of every command
/// that takes runs (`cat`, `info`, `export`, `sql`, `trades`, `summary`, `plot`, `verify`,
/// `compact`, `recover`, `top`): a file is taken as is, a directory
/// contributes every `*.tape` file below it (recursively), and an argument that does not exist but
/// contains `*`, `?` or `[` is expanded as a glob (for patterns the shell did not expand, e.g.
/// quoted ones). The result is sorted within each argument and free of duplicates. An argument
/// that names nothing, or a directory or pattern holding no `.tape` file, is an error (exit 1).
enum RunPaths {
    /// The one run `argument` names (a file, or a directory or pattern holding exactly one run).
    static func single(_ argument: String) throws -> String {
        let paths = try expand([argument])
        guard paths.count == 1 else {
            throw RunPathsError(message: "'\(argument)' names \(paths.count) runs; this command reads one (give one file)")
        }
        return paths[0]
    }

    static func expand(_ arguments: [String]) throws -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ p: String) { if seen.insert(p).inserted { out.append(p) } }
        let fm = FileManager.default
        for arg in arguments {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: arg, isDirectory: &isDir) {
                if isDir.boolValue {
                    let found = try tapeFiles(under: arg)
                    guard !found.isEmpty else { throw RunPathsError(message: "no .tape file in directory '\(arg)'") }
                    found.forEach(add)
                } else {
                    add(arg)
                }
            } else if arg.contains(where: { "*?[".contains($0) }) {
                let matches = glob(arg)
                guard !matches.isEmpty else { throw RunPathsError(message: "no files match '\(arg)'") }
                for m in matches {
                    if fm.fileExists(atPath: m, isDirectory: &isDir), isDir.boolValue { try tapeFiles(under: m).forEach(add) } else { add(m) }
                }
            } else {
                throw RunPathsError(message: "no such file or directory: '\(arg)'")
            }
        }
        return out
    }

    /// Every regular `*.tape` file under `dir`, sorted.
    static func tapeFiles(under dir: String) throws -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else {
            throw RunPathsError(message: "cannot list directory '\(dir)'")
        }
        var files: [String] = []
        while let rel = e.nextObject() as? String {
            if rel.hasSuffix(".tape") { files.append((dir as NSString).appendingPathComponent(rel)) }
        }
        return files.sorted()
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }
}

/// A run argument that names nothing usable.
struct RunPathsError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
