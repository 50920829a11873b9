/// The geometry of a depthwise convolution — `[N, C, H, W]` input,
/// `[C, 1, KH, KW]` filter (one filter per channel), stride and zero
/// padding — and the phase layout its kernels run on.
///
/// ## Phases
///
/// Output (i, j) reads the zero-padded plane at row `i·s + a`, column
/// `j·s + b` for tap (a, b). Split the padded plane into its s² *phases*,
/// phase (α, β) holding rows `≡ α` and columns `≡ β` (mod s), each as a
/// plane of `Hq × Wq`: tap (a, b) then reads phase (a mod s, b mod s) at
/// row `i + a/s`, column `j + b/s`. Laid over the phase width, the output
/// plane becomes one flat vector `t = i·Wq + j` (columns j ≥ Wo are junk),
/// and every tap is one long contiguous product `w · phase[t + o]` at a
/// fixed offset `o = (a/s)·Wq + b/s`, which vectorises, instead of Ho short
/// strided rows. At stride 1 there is one phase, the padded plane itself.
/// The adjoints run on the same layout, with the output gradient spread
/// over the phase width and its junk columns zero.
struct DepthwiseConvolutionGeometry {
  let n: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int, s: Int, p: Int, ho: Int, wo: Int
  /// The sides of a phase plane.
  let hq: Int, wq: Int

  init(input: [Int], filter: [Int], stride: Int, padding: Int) {
    precondition(input.count == 4 && filter.count == 4 && filter[0] == input[1] && filter[1] == 1, "depthwiseConv2d needs input [N, C, H, W] and filter [C, 1, KH, KW], got \(input) and \(filter)")
    precondition(stride >= 1 && padding >= 0, "depthwiseConv2d needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding)")
    (n, c, h, w) = (input[0], input[1], input[2], input[3])
    (kh, kw, s, p) = (filter[2], filter[3], stride, padding)
    precondition(h + 2 * p >= kh && w + 2 * p >= kw, "depthwiseConv2d kernel \(filter) larger than padded input \(input) (padding \(padding))")
    ho = (h + 2 * p - kh) / s + 1
    wo = (w + 2 * p - kw) / s + 1
    hq = (h + 2 * p + s - 1) / s
    // Wide enough that a tap reaching left of a row's start lands in the
    // previous row's junk columns (Wq − (KW − 1)/s ≥ Wo).
    wq = Swift.max((w + 2 * p + s - 1) / s, wo + (kw - 1) / s)
  }

  var inputShape: [Int] { [n, c, h, w] }
  var filterShape: [Int] { [c, 1, kh, kw] }
  var outputShape: [Int] { [n, c, ho, wo] }
  var planeCount: Int { n * c }
  var taps: Int { kh * kw }

  /// Scalars of one phase: `Hq·Wq` and the slack the flat loops read past
  /// it (the last tap of the last flat output reaches `(KW − 1)/s` past).
  var phaseSize: Int { hq * wq + kw }
  var phasesSize: Int { s * s * phaseSize }
  var flatOutputCount: Int { ho * wq }

  /// The phase tap `k` (row-major in the filter) reads.
  func phase(ofTap k: Int) -> Int { (k / kw % s) * s + k % kw % s }
  /// Where tap `k` reads in its phase, relative to the flat output position.
  func offset(ofTap k: Int) -> Int { (k / kw / s) * wq + k % kw / s }

  /// How many shares the planes of a kernel touching about `elements`
  /// scalars split into.
  func planeShares(elements: Int) -> Int { Parallelism.shareCount(elements: elements, pieces: planeCount) }

  /// Copies input plane `plane` into its phases (`phasesSize` scalars whose
  /// padding, junk and slack are already zero).
  @inline(__always)
  func split(_ x: UnsafePointer<Float>, plane: Int, into phases: UnsafeMutablePointer<Float>) {
    let source = x + plane * h * w
    if s == 1 {
      for r in 0..<h { (phases + (r + p) * wq + p).update(from: source + r * w, count: w) }
      return
    }
    for r in 0..<h {
      let (rq, alpha) = ((r + p) / s, (r + p) % s)
      for beta in 0..<s {
        // Columns col with (col + p) ≡ β (mod s), at phase column (col + p)/s.
        let first = ((beta - p) % s + s) % s
        guard first < w else { continue }
        let target = phases + (alpha * s + beta) * phaseSize + rq * wq + (first + p) / s
        var q = 0
        for col in stride(from: first, to: w, by: s) {
          target[q] = source[r * w + col]
          q += 1
        }
      }
    }
  }

  /// Copies output-gradient plane `plane` into `flat` at row stride Wq,
  /// junk columns zero (`flat` holds `Ho·Wq` scalars).
  @inline(__always)
  func spread(_ dy: UnsafePointer<Float>, plane: Int, into flat: UnsafeMutablePointer<Float>) {
    for i in 0..<ho {
      (flat + i * wq).update(from: dy + (plane * ho + i) * wo, count: wo)
      (flat + i * wq + wo).update(repeating: 0, count: wq - wo)
    }
  }

  /// Runs a kernel over every plane, the planes split across threads (each
  /// pass over a plane touches about `scratchCount` scalars per tap). Every
  /// share owns a buffer of `zeroedCount` scalars, zero once at its start,
  /// and one of `scratchCount` left uninitialised; `prepare` sees them once
  /// per share (to lay out what depends only on them, such as the taps'
  /// source pointers) and returns the body run for each of the share's planes.
  @inline(__always)
  func forEachPlane(zeroed zeroedCount: Int, scratch scratchCount: Int,
                    _ prepare: (_ zeroed: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>) -> (_ plane: Int) -> Void) {
    Parallelism.forEachShare(planeShares(elements: planeCount * scratchCount * taps), of: planeCount) { _, planes in
      let zeroed = UnsafeMutablePointer<Float>.allocate(capacity: zeroedCount)
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
      defer { zeroed.deallocate(); scratch.deallocate() }
      zeroed.initialize(repeating: 0, count: zeroedCount)
      let body = prepare(zeroed, scratch)
      for plane in planes { body(plane) }
    }
  }

  /// `out[t] = Σ_k weights[k] · sources[k][t]` for `t < count`, sixteen
  /// lanes at a time, taps in order (zero for no taps).
  @inline(__always)
  static func correlate(_ sources: UnsafeBufferPointer<UnsafePointer<Float>>, _ weights: UnsafePointer<Float>,
                        into out: UnsafeMutablePointer<Float>, count: Int) {
    var t = 0
    while t + 16 <= count {
      var sum = SIMD16<Float>()
      for k in 0..<sources.count { sum += weights[k] * UnsafeRawPointer(sources[k] + t).loadUnaligned(as: SIMD16<Float>.self) }
      UnsafeMutableRawPointer(out + t).storeBytes(of: sum, as: SIMD16<Float>.self)
      t += 16
    }
    while t < count {
      var sum: Float = 0
      for k in 0..<sources.count { sum += weights[k] * sources[k][t] }
      out[t] = sum
      t += 1
    }
  }

  /// `Σ_t a[t] · b[t]` for `t < count` in a fixed order (sixteen lanes, then
  /// the rest), so equal inputs give equal sums.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD16<Float>()
    var t = 0
    while t + 16 <= count {
      lanes += UnsafeRawPointer(a + t).loadUnaligned(as: SIMD16<Float>.self) * UnsafeRawPointer(b + t).loadUnaligned(as: SIMD16<Float>.self)
      t += 16
    }
    var sum = lanes.sum()
    while t < count { sum += a[t] * b[t]; t += 1 }
    return sum
  }
}
