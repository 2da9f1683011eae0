import TapeFormat

/// The footer section that stores a run's metrics (format-spec §6.1, tag 1):
///
///     version  u8 = 1
///     count    varint
///     count × { name string, kind u8 (0 = f64, 1 = i64, 2 = timestamp i64 ns), value 8 bytes LE }
///
/// Every value is 8 bytes whatever its kind, so a reader skips names and kinds it does not know.
extension RunMetrics {
    /// Footer section tag of the metrics section.
    public static let sectionTag: UInt64 = 1
    /// Layout version written by this build.
    static let sectionVersion: UInt8 = 1

    /// The section's bytes.
    public func sectionBytes() -> [UInt8] {
        var w = ByteWriter()
        w.writeU8(Self.sectionVersion)
        w.writeVarint(UInt64(entries.count))
        for (name, value) in entries {
            w.writeString(name)
            switch value {
            case .double(let d): w.writeU8(0); w.writeU64(d.bitPattern)
            case .int(let i): w.writeU8(1); w.writeI64(i)
            case .timestamp(let t): w.writeU8(2); w.writeI64(t)
            }
        }
        return w.bytes
    }

    /// Decodes a metrics section; entries of unknown kinds are skipped. `offset` is where the
    /// section's bytes are (for error messages).
    public init(section bytes: [UInt8], offset: Int = 0) throws(FormatError) {
        var r = ByteReader(bytes, baseOffset: offset)
        let version = try r.readU8("metrics section version")
        guard version == Self.sectionVersion else {
            throw .invalid(what: "metrics section", offset: offset, reason: "unknown version \(version)")
        }
        let count = try r.readCount("metrics count", limit: r.remaining / 10)
        var entries: [(name: String, value: Value)] = []
        for _ in 0..<count {
            let name = try r.readString("metric name")
            let kind = try r.readU8("metric kind")
            let raw = try r.readU64("metric value")
            switch kind {
            case 0: entries.append((name, .double(Double(bitPattern: raw))))
            case 1: entries.append((name, .int(Int64(bitPattern: raw))))
            case 2: entries.append((name, .timestamp(Int64(bitPattern: raw))))
            default: continue
            }
        }
        try r.requireAtEnd("metrics section")
        self.init(entries: Self.upgradingExpectancy(entries))
        self = upgradingLegacyCAGR()
    }

    /// Runs written before `expectancy_r` existed stored the ratio avg_trade / |avg_loss| under
    /// the name `expectancy` (always beside `avg_loss`). Such a section — `expectancy` and
    /// `avg_loss` present, `expectancy_r` absent — reads with that value as `expectancy_r` and
    /// `expectancy` = `avg_trade` (currency per trade), as a run written now stores them.
    static func upgradingExpectancy(_ entries: [(name: String, value: Value)]) -> [(name: String, value: Value)] {
        // Linear scans, not a set: this runs for every footer read (a million for `tape summary`).
        func has(_ name: String) -> Bool { entries.contains { $0.name == name } }
        guard has("expectancy"), has("avg_loss"), !has("expectancy_r"),
              let avg = entries.first(where: { $0.name == "avg_trade" })?.value else { return entries }
        var out: [(name: String, value: Value)] = []
        for e in entries {
            if e.name == "expectancy" {
                out.append(("expectancy_r", e.value))
                out.append(("expectancy", avg))
            } else {
                out.append(e)
            }
        }
        return out
    }

    /// The metrics stored in `footer`, nil when it has no metrics section.
    public init?(footer: Footer) throws(FormatError) {
        guard let s = footer.sections.last(where: { $0.tag == Self.sectionTag }) else { return nil }
        try self.init(section: s.bytes)
    }
}
