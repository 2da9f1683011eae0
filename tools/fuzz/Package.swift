// swift-tools-version:6.0
// libFuzzer targets for Tape. A separate package: the root package's `swift build` / `swift test`
// never build these (an executable made only of an LLVMFuzzerTestOneInput entry point has no
// `main` without the fuzzer runtime). Built and run by `make fuzz`; see tools/fuzz/README.md.
import PackageDescription

let package = Package(
    name: "TapeFuzz",
    dependencies: [.package(name: "Tape", path: "../..")],
    targets: [
        .executableTarget(name: "fuzz-reader", dependencies: [.product(name: "Tape", package: "Tape")]),
    ],
    swiftLanguageModes: [.v6]
)
