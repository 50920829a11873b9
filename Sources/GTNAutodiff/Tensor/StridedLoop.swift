/// Iteration over an n-d index space in contiguous runs, used by the
/// broadcasting and reduction kernels.
///
/// The index space is `shape`; each of up to three operands walks it with its
/// own strides (0 along broadcast dimensions). Adjacent dimensions that every
/// operand traverses contiguously are merged first, so the innermost run is as
/// long as possible and the per-run overhead is paid rarely.
@usableFromInline
internal struct StridedLoop {
  var shape: [Int]
  var strides: [[Int]]

  /// Row-major strides of `shape`, with 0 wherever the dimension has extent 1
  /// in `operandShape` (right-aligned broadcasting).
  static func broadcastStrides(of operandShape: [Int], to shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: shape.count)
    var step = 1
    let offset = shape.count - operandShape.count
    for i in stride(from: operandShape.count - 1, through: 0, by: -1) {
      let d = operandShape[i]
      precondition(
        d == shape[i + offset] || d == 1,
        "shape \(operandShape) does not broadcast to \(shape)")
      strides[i + offset] = d == 1 ? 0 : step
      step *= d
    }
    return strides
  }

  init(shape: [Int], strides: [[Int]]) {
    // Drop extent-1 dimensions, then merge dimensions that stay contiguous.
    var s: [Int] = []
    var st: [[Int]] = Array(repeating: [], count: strides.count)
    for (i, d) in shape.enumerated() where d != 1 {
      if let last = s.last,
        strides.indices.allSatisfy({ k in strides[k][i] * d == st[k].last! })
      {
        s[s.count - 1] = last * d
        for k in strides.indices { st[k][st[k].count - 1] = strides[k][i] }
      } else {
        s.append(d)
        for k in strides.indices { st[k].append(strides[k][i]) }
      }
    }
    if s.isEmpty {
      s = [1]
      for k in strides.indices { st[k] = [0] }
    }
    self.shape = s
    self.strides = st
  }

  /// How many slices the loop can be split into: the extent of its
  /// outermost (merged) dimension, or 1 for a single run.
  var outerCount: Int { shape.count >= 2 ? shape[0] : 1 }

  /// Calls `body(offsets, count, steps)` once per innermost run, for the
  /// slices `outer` of the outermost dimension (all of them by default).
  @inline(__always)
  func forEachRun(
    outer: Range<Int>? = nil,
    _ body: (_ offsets: UnsafePointer<Int>, _ count: Int, _ steps: UnsafePointer<Int>) -> Void
  ) {
    let rank = shape.count
    let operands = strides.count
    let inner = shape[rank - 1]
    if shape.contains(0) { return }
    let slices = outer ?? 0..<outerCount
    precondition(slices.lowerBound >= 0 && slices.upperBound <= outerCount, "slices \(slices) outside 0..<\(outerCount)")
    if slices.isEmpty { return }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: operands * 2 + rank) { scratch in
      let offsets = scratch.baseAddress!
      let steps = offsets + operands
      let counter = steps + operands
      for k in 0..<operands {
        offsets[k] = rank >= 2 ? strides[k][0] * slices.lowerBound : 0
        steps[k] = strides[k][rank - 1]
      }
      for d in 0..<rank { counter[d] = 0 }
      if rank >= 2 { counter[0] = slices.lowerBound }
      while true {
        body(UnsafePointer(offsets), inner, UnsafePointer(steps))
        // Advance the outer counter (dimensions 0..<rank-1), odometer style.
        var d = rank - 2
        while d >= 0 {
          counter[d] += 1
          for k in 0..<operands { offsets[k] += strides[k][d] }
          if counter[d] < (d == 0 ? slices.upperBound : shape[d]) { break }
          for k in 0..<operands { offsets[k] -= strides[k][d] * shape[d] }
          counter[d] = 0
          d -= 1
        }
        if d < 0 { return }
      }
    }
  }

  /// Into how many shares of the outermost dimension a loop over
  /// `elementCount` elements is worth splitting across ``Parallelism``'s
  /// threads: 1 (serial) below two shares' worth of elements or with a
  /// single slice.
  func shareCount(elementCount: Int) -> Int {
    Parallelism.shareCount(elements: elementCount, pieces: outerCount)
  }
}

public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
  let rank = Swift.max(a.count, b.count)
  var result = [Int](repeating: 1, count: rank)
  for i in 0..<rank {
    let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
    let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
    precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
    result[i] = da == 1 ? db : da
  }
  return result
}
