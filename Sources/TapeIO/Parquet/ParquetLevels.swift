import TapeCodec

// Parquet's RLE / bit-packed hybrid of unsigned values of `bitWidth` bits:
//
//   hybrid      := run*
//   run         := rle-run | bit-packed-run
//   rle-run     := varint(count << 1), value in ceil(bitWidth / 8) bytes little-endian
//   bit-packed  := varint(groups << 1 | 1), groups × bitWidth bytes: 8 values per group packed
//                  least significant bit first; the last group may be padded with zeros
//
// Runs of 8 or more equal values become RLE runs; anything shorter is bit-packed. Definition
// levels of a flat OPTIONAL column (max level 1: 1 = value present, 0 = null) are the hybrid of
// width 1 with a UInt32 little-endian byte length in front, as a v1 data page stores them;
// RLE_DICTIONARY data is one byte of bit width followed by the hybrid of the indices.

enum ParquetLevels {
    /// Appends the definition levels of rows `range` of `validity` (nil: every row present).
    static func appendDefinitionLevels(_ validity: Bitmap?, range: Range<Int>, to out: inout [UInt8]) {
        let lengthAt = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        let start = out.count
        appendHybrid(count: range.count, bitWidth: 1, to: &out) { i in
            validity.map { $0[range.lowerBound + i] ? 1 : 0 } ?? 1
        }
        let length = UInt32(out.count - start)
        for k in 0..<4 { out[lengthAt + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
    }

    /// Appends the hybrid encoding of `value(0) ..< value(count)`, each below `1 << bitWidth`.
    static func appendHybrid(count n: Int, bitWidth: Int, to out: inout [UInt8], _ value: (Int) -> UInt32) {
        let valueBytes = (bitWidth + 7) / 8
        var packed: [UInt8] = []
        var groups = 0
        func flushPacked() {
            guard groups > 0 else { return }
            appendVarint(UInt64(groups) << 1 | 1, to: &out)
            out.append(contentsOf: packed)
            packed.removeAll(keepingCapacity: true)
            groups = 0
        }
        var i = 0
        while i < n {
            let v = value(i)
            var j = i + 1
            while j < n && value(j) == v { j += 1 }
            if j - i >= 8 {
                flushPacked()
                appendVarint(UInt64(j - i) << 1, to: &out)
                for k in 0..<valueBytes { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
                i = j
            } else {
                // One group of 8 values: bitWidth bytes, value k at bits k*bitWidth ..< (k+1)*bitWidth.
                var acc: UInt64 = 0, bits = 0
                for k in 0..<8 {
                    let x = i + k < n ? UInt64(value(i + k)) : 0
                    acc |= x << UInt64(bits)
                    bits += bitWidth
                    while bits >= 8 {
                        packed.append(UInt8(truncatingIfNeeded: acc))
                        acc >>= 8
                        bits -= 8
                    }
                }
                groups += 1
                i += 8
            }
        }
        flushPacked()
    }

    static func appendVarint(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
