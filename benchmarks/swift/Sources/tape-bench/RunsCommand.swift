import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Tape

/// `tape-bench runs DIR --count N`: writes N small, distinct runs for `tape summary` benchmarks
/// (benchmarks/summary_bench.py): each a 30-bar daily equity curve and 4 trades from its own seed,
/// metadata strategy/symbol/fast/slow/seed, metrics stored at close, spread over `--dirs`
/// sub-directories. Written in parallel without fsync (benchmark data, not durable data).
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Write many small runs for tape summary benchmarks.")

    @Argument var directory: String
    @Option var count: Int = 100_000
    @Option var dirs: Int = 100
    @Option var bars: Int = 30

    func run() throws {
        let fm = FileManager.default
        for d in 0..<dirs { try fm.createDirectory(atPath: "\(directory)/d\(String(format: "%03d", d))", withIntermediateDirectories: true) }
        let options = WriterOptions(codec: .none, durability: .none, encodingThreads: 1)
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let failed = Atomic<Int>(0)
        let dayNs: Int64 = 86_400_000_000_000, t0: Int64 = 1_704_067_200_000_000_000
        let (count, dirs, bars, directory) = (count, dirs, bars, directory)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count {
                defer { i += workers }
                var g = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1
                func next() -> Double {   // xorshift in [0, 1)
                    g ^= g << 13; g ^= g >> 7; g ^= g << 17
                    return Double(g >> 11) / Double(1 << 53)
                }
                let path = "\(directory)/d\(String(format: "%03d", i % dirs))/run\(String(format: "%07d", i)).tape"
                do {
                    let w = try TapeWriter(path: path, options: options, metadata: [
                        "strategy": ["sma", "breakout", "meanrev"][i % 3], "symbol": ["SPY", "QQQ", "IWM", "TLT"][i % 4],
                        "fast": String(5 + i % 20), "slow": String(20 + (i / 20) % 50), "seed": String(i),
                    ])
                    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
                    var e = 10_000.0
                    for b in 0..<bars {
                        e *= 1 + (next() - 0.49) * 0.02
                        try eq.append(values: [.timestamp(t0 + Int64(b) * dayNs), .double(e)])
                    }
                    let tr = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)])
                    for _ in 0..<4 { try tr.append(values: [.double((next() - 0.45) * 200)]) }
                    try w.close()
                } catch {
                    failed.add(1, ordering: .relaxed)
                }
            }
        }
        let bad = failed.load(ordering: .relaxed)
        if bad > 0 { throw ValidationError("\(bad) runs could not be written") }
    }
}
