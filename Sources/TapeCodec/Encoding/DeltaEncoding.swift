import TapeFormat

/// DELTA (format-spec §5.1): patched frame-of-reference over wrapping 64-bit deltas.
///
///   first       i64                          value 0 (absent when m = 0)
///   miniblocks  ceil((m - 1) / 1024) × {     each covers up to 1024 consecutive deltas
///     base        svarint                    the minimum delta of the miniblock
///     width       u8                         0...64
///     exc_count   varint
///     packed      ceil(c × width / 8) bytes  (d - base) as u64, truncated to width bits
///     exceptions  exc_count × { index varint (strictly increasing), value varint (full d - base) }
///   }
///
/// The writer picks, per miniblock, the width minimising packed + exception bytes, from a histogram
/// of bit lengths: a constant step costs width 0 (about 8 bytes per 1024 values).
enum DeltaEncoding {
    static let miniblockSize = 1024

    /// Upper bound of the encoded size of `m` values (the chosen width never costs more than 64).
    static func maxEncodedSize(count m: Int) -> Int {
        guard m > 1 else { return 8 * m }
        let miniblocks = (m - 1 + miniblockSize - 1) / miniblockSize
        return 8 + miniblocks * (10 + 1 + 10 + 8 * miniblockSize + 16)
    }

    /// Appends the DELTA form of `values`.
    static func encode(_ values: UnsafeBufferPointer<Int64>, into w: inout RawWriter) {
        let m = values.count
        guard m > 0 else { return }
        w.reserve(maxEncodedSize(count: m))
        w.writeU64(UInt64(bitPattern: values[0]))
        guard m > 1 else { return }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: miniblockSize) { u in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * 130) { hist in
                var start = 1
                while start < m {
                    let c = min(miniblockSize, m - start)
                    encodeMiniblock(values, start: start, count: c, u: u, hist: hist, into: &w)
                    start += c
                }
            }
        }
    }

    /// Encodes deltas `start..<start+c` (of values[k] - values[k-1]).
    @inline(__always)
    private static func encodeMiniblock(_ v: UnsafeBufferPointer<Int64>, start: Int, count c: Int,
                                        u: UnsafeMutableBufferPointer<UInt64>, hist: UnsafeMutableBufferPointer<Int>,
                                        into w: inout RawWriter) {
        var minD = Int64.max
        var maxD = Int64.min
        var prev = v[start - 1]
        for k in 0..<c {
            let x = v[start + k]
            let d = x &- prev
            prev = x
            u[k] = UInt64(bitPattern: d)
            minD = min(minD, d)
            maxD = max(maxD, d)
        }
        w.writeSignedVarint(minD)
        if minD == maxD {  // constant step
            w.writeU8(0)
            w.writeU8(0)
            return
        }
        let base = UInt64(bitPattern: minD)
        let range = UInt64(bitPattern: maxD) &- base
        let rangeWidth = BitPacking.bitLength(range)
        // hist[L]: deltas of bit length L at index < 128 (1-byte index varint); hist[65 + L]: the rest.
        // Counted in four interleaved tables (4 × 130 slots) so that runs of equal lengths do not
        // serialise on one counter, then summed into the first.
        hist.update(repeating: 0)
        let low = min(c, 128)
        var k = 0
        while k < c {
            let offset = k < low ? 0 : 65
            let end = k < low ? low : c
            while k + 4 <= end {
                let x0 = u[k] &- base, x1 = u[k + 1] &- base, x2 = u[k + 2] &- base, x3 = u[k + 3] &- base
                u[k] = x0; u[k + 1] = x1; u[k + 2] = x2; u[k + 3] = x3
                hist[offset + BitPacking.bitLength(x0)] += 1
                hist[130 + offset + BitPacking.bitLength(x1)] += 1
                hist[260 + offset + BitPacking.bitLength(x2)] += 1
                hist[390 + offset + BitPacking.bitLength(x3)] += 1
                k += 4
            }
            while k < end {
                let x = u[k] &- base
                u[k] = x
                hist[offset + BitPacking.bitLength(x)] += 1
                k += 1
            }
        }
        for slot in 0..<130 { hist[slot] += hist[130 + slot] + hist[260 + slot] + hist[390 + slot] }
        // Cost of width `bw`: packed bytes + exceptions (every value of bit length > bw).
        var bestWidth = rangeWidth
        var bestCost = BitPacking.byteCount(count: c, width: rangeWidth) + 1
        var excCount = 0
        var excBytes = 0
        var bw = rangeWidth - 1
        while bw >= 0 {
            let l = bw + 1
            let n1 = hist[l], n2 = hist[65 + l]
            excCount += n1 + n2
            excBytes += (n1 + n2) * ((l + 6) / 7) + n1 + 2 * n2
            let cost = BitPacking.byteCount(count: c, width: bw) + excBytes + varintSize(UInt64(excCount))
            if cost < bestCost {
                bestCost = cost
                bestWidth = bw
            }
            bw -= 1
        }
        w.writeU8(UInt8(bestWidth))
        let limit: UInt64 = bestWidth == 64 ? .max : (1 << UInt64(bestWidth)) &- 1
        var exceptions = 0
        if bestWidth < rangeWidth {
            for k in 0..<c where u[k] > limit { exceptions += 1 }
        }
        w.writeVarint(UInt64(exceptions))
        let packed = BitPacking.byteCount(count: c, width: bestWidth)
        w.reserve(packed)
        BitPacking.pack(UnsafeBufferPointer(rebasing: u[0..<c]), width: bestWidth, into: w.end)
        w.advance(packed)
        if exceptions > 0 {
            for k in 0..<c where u[k] > limit {
                w.writeVarint(UInt64(k))
                w.writeVarint(u[k])
            }
        }
    }

    /// Decodes `m` values into `out`.
    /// REQUIRES: `out` has `m` writable slots.
    static func decode(_ r: inout PayloadReader, count m: Int, into out: UnsafeMutablePointer<Int64>) throws(FormatError) {
        guard m > 0 else { return }
        var prev = try r.readI64("delta first value")
        out[0] = prev
        var start = 1
        while start < m {
            let c = min(miniblockSize, m - start)
            let base = try r.readSignedVarint("delta miniblock base")
            let widthAt = r.position
            let width = Int(try r.readU8("delta miniblock width"))
            guard width <= 64 else { throw r.invalid("delta miniblock width", at: widthAt, "bit width \(width) > 64") }
            let excCount = try r.readCount("delta exception count", limit: c)
            let packed = try r.take(BitPacking.byteCount(count: c, width: width), "delta packed deltas")
            let dst = out + start
            dst.withMemoryRebound(to: UInt64.self, capacity: c) { BitPacking.unpack(packed, count: c, width: width, into: $0) }
            var last = -1
            for _ in 0..<excCount {
                let at = r.position
                let index = try r.readCount("delta exception index", limit: c - 1)
                guard index > last else { throw r.invalid("delta exception index", at: at, "index \(index) not after \(last)") }
                last = index
                dst[index] = Int64(bitPattern: try r.readVarint("delta exception value"))
            }
            for k in 0..<c {
                prev = prev &+ base &+ dst[k]
                dst[k] = prev
            }
            start += c
        }
    }
}
