import Testing
import TapeFormat
@testable import TapeCodec

/// The decoder meets damaged blocks: it must throw `FormatError` or return data, never trap.
@Suite struct CorruptionTests {
    /// Small valid blocks of every type and encoding, stored with `codec`.
    static func samples(codec: Codec) -> [(ColumnData, [UInt8], BlockDescriptor)] {
        var out: [(ColumnData, [UInt8], BlockDescriptor)] = []
        for c in RoundTripCase.all where c.dataset == .regular || c.type == .string {
            for nulls in [NullMode.none, .some] {
                let column = makeColumn(c.type, storage: c.storage, dataset: c.dataset, rows: 40, nulls: nulls, seed: 5)
                let (bytes, d) = encodeBlock(column, codec: codec, encoding: c.encoding)
                out.append((column, bytes, d))
            }
        }
        return out
    }

    /// Decodes, accepting success or a thrown FormatError (anything else would trap the process).
    @discardableResult
    static func tryDecode(_ bytes: [UInt8], _ d: BlockDescriptor, _ type: ColumnType, rows: Int, _ decoder: BlockDecoder) -> ColumnData? {
        do {
            let c = try decodeBlock(bytes, d, type: type, rows: rows, decoder: decoder)
            #expect(c.count == rows)
            return c
        } catch {
            #expect(!error.description.isEmpty)
            return nil
        }
    }

    @Test(arguments: allCodecs)
    func flippedBytes(_ codec: Codec) {
        let decoder = BlockDecoder()
        for (column, bytes, d) in Self.samples(codec: codec) {
            for i in 0..<bytes.count {
                for flip: UInt8 in [0xFF, 0x01, 0x80] {
                    var damaged = bytes
                    damaged[i] ^= flip
                    Self.tryDecode(damaged, d, column.type, rows: column.count, decoder)
                }
            }
        }
    }

    @Test(arguments: allCodecs)
    func truncatedAndExtended(_ codec: Codec) {
        let decoder = BlockDecoder()
        for (column, bytes, d) in Self.samples(codec: codec) {
            for length in 0..<bytes.count {
                let cut = Array(bytes[0..<length])
                var desc = d
                desc.storedLength = length
                if d.codec == 0 { desc.rawLength = length }
                #expect(Self.tryDecode(cut, desc, column.type, rows: column.count, decoder) == nil, "cut at \(length) decoded")
            }
            var longer = d
            longer.storedLength += 3
            if d.codec == 0 { longer.rawLength += 3 }
            #expect(Self.tryDecode(bytes + [0, 0, 0], longer, column.type, rows: column.count, decoder) == nil)
        }
    }

    @Test(arguments: allCodecs)
    func wrongDescriptorFields(_ codec: Codec) {
        let decoder = BlockDecoder()
        for (column, bytes, d) in Self.samples(codec: codec) {
            let n = column.count
            for delta in [-1, 1, 1000] {
                var desc = d
                desc.rawLength += delta
                #expect(Self.tryDecode(bytes, desc, column.type, rows: n, decoder) == nil)
            }
            for encoding: UInt8 in [0, 1, 2, 3, 4, 5, 200] where encoding != d.encoding {
                var desc = d
                desc.encoding = encoding
                Self.tryDecode(bytes, desc, column.type, rows: n, decoder)
            }
            for codecId: UInt8 in [0, 1, 2, 3] where codecId != d.codec {
                var desc = d
                desc.codec = codecId
                Self.tryDecode(bytes, desc, column.type, rows: n, decoder)
            }
            for nullCount in [0, 1, d.nullCount + 1, n, n + 1] where nullCount != d.nullCount {
                var desc = d
                desc.nullCount = nullCount
                #expect(Self.tryDecode(bytes, desc, column.type, rows: n, decoder) == nil, "null count \(nullCount) accepted")
            }
            for rows in [0, 1, n - 1, n + 1, n + 64] {
                Self.tryDecode(bytes, d, column.type, rows: rows, decoder)
            }
            for type in ColumnType.allCases where type != column.type {
                Self.tryDecode(bytes, d, type, rows: n, decoder)
            }
        }
    }

    @Test func specificErrors() throws {
        let decoder = BlockDecoder()
        func descriptor(_ enc: Encoding, raw: Int, nulls: Int = 0) -> BlockDescriptor {
            BlockDescriptor(encoding: enc.rawValue, codec: 0, storedLength: raw, rawLength: raw, nullCount: nulls, stats: .empty)
        }
        // Dictionary index past the entries: 2 entries "a","b", width 2, indices 0, 3.
        let dict: [UInt8] = [2, 1, 1, 0x61, 0x62, 2, 0b1100]
        #expect(throws: FormatError.self) { try decodeBlock(dict, descriptor(.dictionary, raw: dict.count), type: .string, rows: 2, decoder: decoder) }
        // Same with a valid index decodes.
        let ok: [UInt8] = [2, 1, 1, 0x61, 0x62, 2, 0b0100]
        let c = try decodeBlock(ok, descriptor(.dictionary, raw: ok.count), type: .string, rows: 2, decoder: decoder)
        #expect(c.string(at: 0) == "a" && c.string(at: 1) == "b")
        // Invalid UTF-8 in a plain string.
        let bad: [UInt8] = [2, 0xC3, 0x28]
        #expect(throws: FormatError.self) { try decodeBlock(bad, descriptor(.plain, raw: 3), type: .string, rows: 1, decoder: decoder) }
        // A string split in the middle of a multi-byte character.
        let split: [UInt8] = [1, 1, 0xC3, 0xA9]
        #expect(throws: FormatError.self) { try decodeBlock(split, descriptor(.plain, raw: 4), type: .string, rows: 2, decoder: decoder) }
        // DELTA width 65.
        var delta = ByteWriter()
        delta.writeI64(5)
        delta.writeSignedVarint(1)
        delta.writeU8(65)
        delta.writeVarint(0)
        #expect(throws: FormatError.self) { try decodeBlock(delta.bytes, descriptor(.delta, raw: delta.count), type: .int64, rows: 2, decoder: decoder) }
        // Exception indices not increasing.
        var exc = ByteWriter()
        exc.writeI64(0)
        exc.writeSignedVarint(0)
        exc.writeU8(0)
        exc.writeVarint(2)
        exc.writeVarint(1); exc.writeVarint(7)
        exc.writeVarint(1); exc.writeVarint(7)
        #expect(throws: FormatError.self) { try decodeBlock(exc.bytes, descriptor(.delta, raw: exc.count), type: .int64, rows: 3, decoder: decoder) }
        // Validity popcount disagrees with null_count: 3 rows, bitmap says 2 valid, null_count 2.
        let v: [UInt8] = [0b011] + [UInt8](repeating: 0, count: 8)
        #expect(throws: FormatError.self) { try decodeBlock(v, descriptor(.plain, raw: v.count, nulls: 2), type: .int64, rows: 3, decoder: decoder) }
        // Decimal exponent 19.
        #expect(throws: FormatError.self) { try decodeBlock([19], descriptor(.decimal, raw: 1), type: .float64, rows: 0, decoder: decoder) }
        // An encoding not valid for the type.
        #expect(throws: FormatError.self) { try decodeBlock([], descriptor(.dictionary, raw: 0), type: .int64, rows: 0, decoder: decoder) }
        // Garbage as zstd and lz4.
        for codecId: UInt8 in [1, 2] {
            let d = BlockDescriptor(encoding: 0, codec: codecId, storedLength: 4, rawLength: 8, nullCount: 0, stats: .empty)
            #expect(throws: FormatError.self) { try decodeBlock([1, 2, 3, 4], d, type: .int64, rows: 1, decoder: decoder) }
        }
    }

    @Test func errorsCarryTheBlockOffset() {
        let d = BlockDescriptor(encoding: 0, codec: 0, storedLength: 3, rawLength: 3, nullCount: 0, stats: .empty)
        do {
            _ = try decodeBlock([1, 2, 3], d, type: .int64, rows: 1)
            Issue.record("decoded a truncated block")
        } catch {
            guard case .truncated(_, let offset, let needed, let available) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(offset == 1000 && needed == 8 && available == 3)
        }
    }
}
