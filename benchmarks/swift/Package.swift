// swift-tools-version:6.0
// The benchmark tools of Tape. A separate package (as swift-nio keeps its benchmarks) so that
// nothing here is built or run by the root package's `swift build` / `swift test`.
//
//   swift build -c release --package-path benchmarks/swift --scratch-path benchmarks/swift/.build
//
// `benchmarks/run.py` builds and drives it; see benchmarks/README.md.
import PackageDescription

let package = Package(
    name: "TapeBenchmarks",
    dependencies: [
        .package(name: "Tape", path: "../.."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "tape-bench",
            dependencies: [
                .product(name: "Tape", package: "Tape"),
                .product(name: "TapeQuery", package: "Tape"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
