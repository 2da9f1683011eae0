import TapeCodec

// Definition levels of a flat OPTIONAL column (max level 1: 1 = value present, 0 = null) in
// Parquet's RLE / bit-packed hybrid, as a v1 data page stores them:
//
//   levels      := length: UInt32 little-endian, runs (length bytes)
//   run         := rle-run | bit-packed-run
//   rle-run     := varint(count << 1), value: 1 byte (bit width 1 rounds up to one byte)
//   bit-packed  := varint(groups << 1 | 1), groups bytes: 8 levels per byte, first level in the
//                  least significant bit; the last group may be padded with zeros past the end
//
// Runs of 8 or more equal levels become RLE runs; anything shorter is bit-packed.

enum ParquetLevels {
    /// Appends the definition levels of rows `range` of `validity` (nil: every row present).
    static func appendDefinitionLevels(_ validity: Bitmap?, range: Range<Int>, to out: inout [UInt8]) {
        let lengthAt = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        let start = out.count
        let n = range.count
        @inline(__always) func level(_ i: Int) -> Bool { validity.map { $0[range.lowerBound + i] } ?? true }
        var packed: [UInt8] = []
        func flushPacked() {
            guard !packed.isEmpty else { return }
            appendVarint(UInt64(packed.count) << 1 | 1, to: &out)
            out.append(contentsOf: packed)
            packed.removeAll(keepingCapacity: true)
        }
        var i = 0
        while i < n {
            let v = level(i)
            var j = i + 1
            while j < n && level(j) == v { j += 1 }
            if j - i >= 8 {
                flushPacked()
                appendVarint(UInt64(j - i) << 1, to: &out)
                out.append(v ? 1 : 0)
                i = j
            } else {
                var byte: UInt8 = 0
                for k in 0..<8 where i + k < n && level(i + k) { byte |= 1 << UInt8(k) }
                packed.append(byte)
                i += 8
            }
        }
        flushPacked()
        let length = UInt32(out.count - start)
        for k in 0..<4 { out[lengthAt + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
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
