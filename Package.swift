// swift-tools-version:6.0
// Tape: a columnar storage engine and query tool for backtest artifacts.
//
// Layering (each target depends only on the ones above it):
//   CZstd, CLZ4   system C libraries (libzstd-dev, liblz4-dev), never vendored
//   CCRC32C       hardware CRC-32C (SSE4.2 crc32 instruction), Tape's own few lines of C
//   TapeFormat    bytes on disk: primitives, CRC32C, chunk/footer/trailer structures
//   TapeCodec     column encodings (delta, decimal, byte-stream-split, dictionary) and compression
//   Tape          the engine: streaming writer, reader with projection and zone-map pruning
//   TapeIO        text in and out: CSV/NDJSON parsing, type inference, value formatting
//   TapeQuery     SQL over runs: parser, binder, vectorized executor with zone-map pushdown
//   TapeCommands  the `tape` subcommands (swift-argument-parser), testable in-process
//   tape          the executable
//   CArrowABI, TapeArrowBridge  libTapeArrow: a C ABI streaming tables and SQL results through the
//                 Arrow C Stream Interface (for the Python package in tools/python)
import PackageDescription

let package = Package(
    name: "Tape",
    products: [
        .library(name: "Tape", targets: ["Tape"]),
        .library(name: "TapeQuery", targets: ["TapeQuery"]),
        .executable(name: "tape", targets: ["tape"]),
        .library(name: "TapeArrow", type: .dynamic, targets: ["TapeArrowBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "CCRC32C"),
        .target(name: "TapeFormat", dependencies: ["CCRC32C"]),
        .target(name: "TapeCodec", dependencies: ["TapeFormat", "CZstd", "CLZ4"]),
        .target(name: "Tape", dependencies: ["TapeFormat", "TapeCodec"]),
        .target(name: "TapeIO", dependencies: ["TapeFormat", "TapeCodec", "CArrowABI"]),
        .target(name: "TapeQuery", dependencies: ["Tape", "TapeFormat", "TapeCodec"]),
        .target(
            name: "TapeCommands",
            dependencies: [
                "Tape", "TapeIO", "TapeFormat", "TapeQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "tape", dependencies: ["TapeCommands"]),
        .target(name: "CArrowABI"),
        .target(name: "TapeArrowBridge", dependencies: ["CArrowABI", "TapeCommands", "TapeIO", "TapeQuery", "Tape", "TapeCodec", "TapeFormat"]),
        .target(name: "TapeTestSupport", dependencies: ["Tape"], path: "Tests/TapeTestSupport"),
        .testTarget(name: "TapeFormatTests", dependencies: ["TapeTestSupport", "TapeFormat"]),
        .testTarget(name: "TapeCodecTests", dependencies: ["TapeTestSupport", "TapeCodec", "TapeFormat"]),
        .testTarget(name: "TapeTests", dependencies: ["TapeTestSupport", "Tape", "TapeFormat", "TapeCodec"], exclude: ["Fixtures"]),
        .testTarget(name: "TapeIOTests", dependencies: ["TapeTestSupport", "TapeIO", "TapeFormat", "TapeCodec"]),
        .testTarget(
            name: "TapeQueryTests", dependencies: ["TapeTestSupport", "TapeQuery", "Tape", "TapeFormat", "TapeCodec"],
            resources: [.copy("Resources/duckdb_reference.py")]),
        .testTarget(name: "TapeArrowBridgeTests", dependencies: ["TapeTestSupport", "TapeArrowBridge", "CArrowABI", "Tape", "TapeCodec", "TapeFormat"]),
        .testTarget(name: "TapeCommandsTests", dependencies: ["TapeTestSupport", "TapeCommands", "Tape", "TapeIO", "TapeQuery"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
