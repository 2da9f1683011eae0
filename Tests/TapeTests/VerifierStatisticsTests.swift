import Foundation
import Testing
import Tape
import TapeTestSupport

/// `verify` recomputes every block's statistics (format-spec §3.2): Tape's own files pass, whatever
/// their values (NaN, signed zeros, long strings, dictionaries, all-null blocks), and a block whose
/// statistics contradict its rows is reported.
@Suite struct VerifierStatisticsTests {
    @Test(arguments: [Codec.none, .zstd(level: 3)])
    func filesTapeWritesPass(_ codec: Codec) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("s.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(codec: codec, rowsPerChunk: 64))
        let t = try w.declareTable("t", columns: [ColumnDef("f", .float64), ColumnDef("s", .string), ColumnDef("d", .string),
                                                  ColumnDef("b", .bool), ColumnDef("n", .int64), ColumnDef("i", .int64)])
        let floats: [Double] = [-0.0, 0.0, .nan, 1.5, -.infinity, .infinity, 0.0, -0.0]
        for k in 0..<300 {
            try t.append(values: [
                k % 11 == 0 ? .null : .double(floats[k % floats.count]),
                .string(String(repeating: "é", count: k % 70) + "\(k)"),
                k % 5 == 0 ? .null : .string(["x", "y", "z"][k % 3]),
                k % 2 == 0 ? .null : .bool(k % 3 == 0),
                .null,
                .int(Int64(k % 13) - 6),
            ])
        }
        try w.close()
        let report = try Verifier.verify(path: path)
        #expect(report.ok, "\(report.problems)")
    }

    @Test func aNaNFlagOrMinThatLiesIsReported() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (name, edit) in [("nan", { (d: inout [BlockDescriptor]) in d[0].stats.hasNaN = false }),
                             ("min", { (d: inout [BlockDescriptor]) in d[0].stats.min = .float(0.75) }),
                             ("max", { (d: inout [BlockDescriptor]) in d[0].stats.max = .float(0.9) })] {
            var f = CraftedFile()
            f.chunk("t", [.init("x", .float64)], [ColumnData(type: .float64, storage: .float64([1.0, .nan, 0.5]))], edit: edit)
            f.seal()
            let path = dir.path("\(name).tape")
            try Data(f.bytes).write(to: URL(fileURLWithPath: path))
            let report = try Verifier.verify(path: path)
            #expect(report.problems.count == 1 && report.problems[0].contains("statistics say"), "\(name): \(report.problems)")
        }
    }
}
