/// The bin of `value` among `bins` equal bins over `lo ... lo + width` (the last bin closed),
/// clamped; the middle bin when the width is zero, and the nearest end when the position is not
/// finite (values so far apart that the width overflows).
func histogramBin(_ value: Double, lo: Double, width: Double, bins: Int) -> Int {
    guard width > 0 else { return bins / 2 }
    let position = (value - lo) / width * Double(bins)
    guard position.isFinite else { return value > lo ? bins - 1 : 0 }
    return max(0, min(bins - 1, Int(position.rounded(.down))))
}
