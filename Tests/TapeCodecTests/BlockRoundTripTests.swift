import Testing
import TapeFormat
@testable import TapeCodec

/// One column shape and forced encoding (nil: automatic) to round-trip.
struct RoundTripCase: Sendable, CustomTestStringConvertible {
    var type: ColumnType
    var storage: StringStorage = .strings
    var encoding: Encoding?
    var dataset: Dataset

    var testDescription: String {
        "\(type)\(type == .string ? "/\(storage.rawValue)" : "") \(encoding.map(\.description) ?? "auto") \(dataset.rawValue)"
    }

    static let all: [RoundTripCase] = {
        var cases: [RoundTripCase] = []
        for type in ColumnType.allCases {
            let encodings: [Encoding?] = [nil] + Encoding.allCases.filter { $0.supports(type) }.map { $0 }
            let storages: [StringStorage] = type == .string ? [.strings, .dictionary] : [.strings]
            for storage in storages {
                for encoding in encodings {
                    for dataset in Dataset.allCases {
                        cases.append(RoundTripCase(type: type, storage: storage, encoding: encoding, dataset: dataset))
                    }
                }
            }
        }
        return cases
    }()
}

let allCodecs: [Codec] = [.none, .lz4, .zstd(level: 3)]

@Suite struct BlockRoundTripTests {
    @Test(arguments: RoundTripCase.all, allCodecs)
    func roundTrip(_ c: RoundTripCase, codec: Codec) throws {
        let encoder = BlockEncoder(codec: codec)
        let decoder = BlockDecoder()
        for rows in [0, 1, 2, 1023, 1024, 1025] {
            for nulls in NullMode.allCases {
                try check(c, rows: rows, nulls: nulls, encoder: encoder, decoder: decoder)
            }
        }
        // One large block per case (the slow part in debug builds).
        try check(c, rows: 65536 + 7, nulls: .some, encoder: encoder, decoder: decoder)
    }

    private func check(_ c: RoundTripCase, rows: Int, nulls: NullMode, encoder: BlockEncoder, decoder: BlockDecoder) throws {
        let column = makeColumn(c.type, storage: c.storage, dataset: c.dataset, rows: rows, nulls: nulls)
        var body = ByteWriter()
        body.writeBytes([0xEE, 0xEE])  // the block lands after other bytes, as in a chunk body
        let d = encoder.encode(column, encoding: c.encoding, into: &body)
        #expect(body.count == 2 + d.storedLength)
        #expect(d.nullCount == column.nullCount)
        if d.codec == 0 { #expect(d.storedLength == d.rawLength) }
        #expect(Encoding(rawValue: d.encoding)?.supports(c.type) == true)
        if let forced = c.encoding, d.encoding != forced.rawValue {
            // Only DECIMAL on non-decimals, DICTIONARY without values, and DELTA/DECIMAL without values fall back.
            let m = rows - column.nullCount
            #expect(forced == .decimal || m == 0, "forced \(forced) became \(d.encoding)")
        }
        let decoded = try body.bytes.withUnsafeBytes { all in
            try decoder.decode(UnsafeRawBufferPointer(rebasing: all[2...]), descriptor: d, type: c.type, rowCount: rows, offset: 2)
        }
        expectSameRows(decoded, column)
        if c.type == .string, d.encoding == Encoding.dictionary.rawValue {
            guard case .dictionary(let entries, _) = decoded.storage else {
                Issue.record("DICTIONARY block did not decode to dictionary storage")
                return
            }
            #expect(entries.count <= rows - column.nullCount)
        }
        // The descriptor survives its own encoding.
        var w = ByteWriter()
        d.encode(type: c.type, into: &w)
        var r = ByteReader(w.bytes)
        #expect(try BlockDescriptor(decoding: &r, type: c.type, rowCount: rows) == d)
    }

    @Test func encoderReusesScratchAcrossTypes() throws {
        let encoder = BlockEncoder(codec: .zstd(level: 1))
        let decoder = BlockDecoder()
        for round in 0..<3 {
            for type in ColumnType.allCases {
                let column = makeColumn(type, dataset: round == 1 ? .edge : .regular, rows: 3000 - round * 1000, nulls: .some, seed: UInt64(round))
                var body = ByteWriter()
                let desc = encoder.encode(column, into: &body)
                expectSameRows(try decodeBlock(body.bytes, desc, type: type, rows: column.count, decoder: decoder), column)
            }
        }
    }
}
