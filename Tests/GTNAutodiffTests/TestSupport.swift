import Foundation
@testable import GTNAutodiff
import Testing

// Shared helpers: deterministic inputs, Double reference implementations and
// a gradient-check runner that prints its report.

/// A stable 64-bit FNV-1a hash, so that seeds derived from names do not change
/// between runs (String.hashValue is randomised per process).
func stableSeed(_ text: String) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in text.utf8 {
    h ^= UInt64(byte)
    h = h &* 0x100_0000_01b3
  }
  return h
}

/// How the inputs of a gradient check are drawn.
enum InputDomain: Sendable {
  /// Standard normal, scaled.
  case normal(scale: Float)
  /// Uniform in [0.5, 2] (log, square root, divisors).
  case positive
  /// Magnitude uniform in [0.3, 1], random sign: never within a finite
  /// difference step of a ReLU kink.
  case awayFromZero
  /// Small noise plus a bump of 0.8 at every position whose row and column
  /// are multiples of `period`: a pooling window that contains exactly one
  /// such position has a maximum no finite-difference step can switch.
  case dominantLattice(period: Int)

  func sample(_ shape: [Int], using rng: inout SplitMix64) -> Tensor {
    switch self {
    case .normal(let scale):
      return Tensor(randomNormal: shape, using: &rng) * scale
    case .positive:
      return Tensor(randomUniform: shape, lowerBound: 0.5, upperBound: 2, using: &rng)
    case .awayFromZero:
      let magnitude = Tensor(randomUniform: shape, lowerBound: 0.3, upperBound: 1, using: &rng)
      let sign = Tensor(randomUniform: shape, using: &rng).map { $0 < 0.5 ? -1 : 1 }
      return magnitude * sign
    case .dominantLattice(let period):
      var t = Tensor(randomUniform: shape, lowerBound: -0.2, upperBound: 0.2, using: &rng)
      for a in 0..<shape[0] {
        for b in 0..<shape[1] {
          for i in stride(from: 0, to: shape[2], by: period) {
            for j in stride(from: 0, to: shape[3], by: period) { t[a, b, i, j] += 0.8 }
          }
        }
      }
      return t
    }
  }
}

/// One differentiable operation under test.
struct GradientCase: Sendable, CustomTestStringConvertible {
  var name: String
  var shapes: [[Int]]
  var domain: InputDomain = .normal(scale: 1)
  /// Piecewise-linear somewhere: kinks may be skipped, but only a few.
  var kinked = false
  var checker: GradientChecker
  var function: @Sendable ([Variable]) -> Variable

  var testDescription: String { name }

  /// Smooth functions are checked with a step of 0.1: the sixth-order
  /// stencil's truncation error stays far below the tolerance, and float32
  /// rounding is divided by a larger step. Kinked ones keep the checker's
  /// default 3·10⁻², so that fewer stencils reach across a kink.
  init(
    _ name: String, _ shapes: [[Int]], domain: InputDomain = .normal(scale: 0.5), kinked: Bool = false,
    checker: GradientChecker? = nil, _ function: @escaping @Sendable ([Variable]) -> Variable
  ) {
    self.name = name
    self.shapes = shapes
    self.domain = domain
    self.kinked = kinked
    self.checker = checker ?? GradientChecker(step: kinked ? 3e-2 : 1e-1)
    self.function = function
  }
}

/// Runs the gradient checker on a case (first and second order at tolerance
/// 1e-3 unless the case says otherwise), prints the report and expects it to
/// pass non-vacuously.
@discardableResult
func runGradientCheck(_ c: GradientCase, sourceLocation: SourceLocation = #_sourceLocation) -> GradientCheckReport {
  var rng = SplitMix64(seed: stableSeed(c.name))
  let points = c.shapes.map { c.domain.sample($0, using: &rng) }
  let report = c.checker.check(at: points, using: &rng, c.function)
  print("\(c.name): \(report)")
  #expect(c.checker.tolerance <= 1e-3, sourceLocation: sourceLocation)
  #expect(report.passed, "\(c.name): \(report)", sourceLocation: sourceLocation)
  let total = c.shapes.reduce(0) { $0 + Swift.min($1.reduce(1, *), c.checker.maximumCoordinatesPerInput) }
  // Step halving can also give up on a smooth component whose float32
  // rounding noise, amplified by the halved steps, exceeds a quarter of the
  // tolerance; the checker then counts it as a kink. Either way, only a small
  // fraction may go uncompared.
  #expect(report.skippedAtKinks * 10 <= total, "\(c.name): too many components skipped", sourceLocation: sourceLocation)
  #expect(report.firstOrderChecked * 10 >= total * 9, sourceLocation: sourceLocation)
  if !c.kinked {
    #expect(report.skippedAtKinks <= 2, "\(c.name): smooth function with many skipped components", sourceLocation: sourceLocation)
  }
  if c.checker.checksSecondOrder {
    #expect(report.secondOrderChecked > 0, "\(c.name): no Hessian–vector product compared", sourceLocation: sourceLocation)
  }
  return report
}

// MARK: - Comparisons

func expectClose(
  _ actual: Tensor, _ expected: [Double], shape: [Int], tolerance: Double = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == shape, sourceLocation: sourceLocation)
  #expect(actual.scalarCount == expected.count, sourceLocation: sourceLocation)
  guard actual.scalarCount == expected.count else { return }
  let scale = Swift.max(1, expected.map(abs).max() ?? 0)
  let worst = zip(actual.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
  #expect(worst <= tolerance * scale, "worst difference \(worst) (scale \(scale))", sourceLocation: sourceLocation)
}

func expectClose(
  _ actual: Tensor, _ expected: Tensor, tolerance: Double = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(actual, expected.scalars.map(Double.init), shape: expected.shape, tolerance: tolerance, sourceLocation: sourceLocation)
}

func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

func randomTensor(_ shape: [Int], _ rng: inout SplitMix64, scale: Float = 1) -> Tensor {
  Tensor(randomNormal: shape, using: &rng) * scale
}

// MARK: - Double reference implementations

func rowMajorStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
  return strides
}

func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
  var rest = flat
  var index = [Int](repeating: 0, count: shape.count)
  for d in stride(from: shape.count - 1, through: 0, by: -1) {
    index[d] = rest % shape[d]
    rest /= shape[d]
  }
  return index
}

/// NumPy broadcasting, one output element at a time.
func naiveBroadcast(_ a: Tensor, _ b: Tensor, _ op: (Double, Double) -> Double) -> (values: [Double], shape: [Int]) {
  let rank = Swift.max(a.rank, b.rank)
  let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
  let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
  let shape = zip(pa, pb).map { Swift.max($0, $1) }
  let (sa, sb) = (rowMajorStrides(pa), rowMajorStrides(pb))
  let (xa, xb) = (doubles(a), doubles(b))
  let count = shape.reduce(1, *)
  let values = (0..<count).map { flat -> Double in
    let index = multiIndex(flat, shape)
    var ia = 0
    var ib = 0
    for d in 0..<rank {
      ia += (pa[d] == 1 ? 0 : index[d]) * sa[d]
      ib += (pb[d] == 1 ? 0 : index[d]) * sb[d]
    }
    return op(xa[ia], xb[ib])
  }
  return (values, shape)
}

/// `op(a) · op(b)` with three loops in Double.
func naiveMatmul(_ a: Tensor, _ b: Tensor, transposingA: Bool, transposingB: Bool) -> [Double] {
  let m = transposingA ? a.shape[1] : a.shape[0]
  let k = transposingA ? a.shape[0] : a.shape[1]
  let n = transposingB ? b.shape[0] : b.shape[1]
  var out = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s = 0.0
      for l in 0..<k {
        let x = transposingA ? a[l, i] : a[i, l]
        let y = transposingB ? b[j, l] : b[l, j]
        s += Double(x) * Double(y)
      }
      out[i * n + j] = s
    }
  }
  return out
}

struct ConvConfig: Sendable, CustomTestStringConvertible {
  var input: [Int]   // N, C, H, W
  var filter: [Int]  // O, C, KH, KW
  var stride: Int
  var padding: Int
  var outputHeight: Int { (input[2] + 2 * padding - filter[2]) / stride + 1 }
  var outputWidth: Int { (input[3] + 2 * padding - filter[3]) / stride + 1 }
  var output: [Int] { [input[0], filter[0], outputHeight, outputWidth] }
  var testDescription: String {
    "x\(input.map(String.init).joined(separator: "×")) w\(filter.map(String.init).joined(separator: "×")) s\(stride) p\(padding)"
  }
}

/// The seven-loop convolution in Double.
func naiveConv2d(_ x: Tensor, _ w: Tensor, _ g: ConvConfig) -> [Double] {
  let (n, c, h, wd) = (g.input[0], g.input[1], g.input[2], g.input[3])
  let (o, kh, kw) = (g.filter[0], g.filter[2], g.filter[3])
  let (ho, wo) = (g.outputHeight, g.outputWidth)
  var out = [Double](repeating: 0, count: n * o * ho * wo)
  let (xs, ws) = (x.scalars, w.scalars)
  for b in 0..<n {
    for f in 0..<o {
      for i in 0..<ho {
        for j in 0..<wo {
          var s = 0.0
          for ch in 0..<c {
            for a in 0..<kh {
              for q in 0..<kw {
                let r = i * g.stride - g.padding + a
                let col = j * g.stride - g.padding + q
                if r < 0 || r >= h || col < 0 || col >= wd { continue }
                s += Double(ws[((f * c + ch) * kh + a) * kw + q]) * Double(xs[((b * c + ch) * h + r) * wd + col])
              }
            }
          }
          out[((b * o + f) * ho + i) * wo + j] = s
        }
      }
    }
  }
  return out
}

/// The transposed convolution (input gradient) in Double: scatters each
/// `dy[n, o, i, j] · w[o, c, a, b]` to `dx[n, c, i·s − p + a, j·s − p + b]`.
func naiveConv2dInputGradient(_ dy: Tensor, _ w: Tensor, _ g: ConvConfig) -> [Double] {
  let (n, c, h, wd) = (g.input[0], g.input[1], g.input[2], g.input[3])
  let (o, kh, kw) = (g.filter[0], g.filter[2], g.filter[3])
  var out = [Double](repeating: 0, count: n * c * h * wd)
  let (dys, ws) = (dy.scalars, w.scalars)
  let (ho, wo) = (g.outputHeight, g.outputWidth)
  for b in 0..<n {
    for f in 0..<o {
      for i in 0..<g.outputHeight {
        for j in 0..<g.outputWidth {
          for ch in 0..<c {
            for a in 0..<kh {
              for q in 0..<kw {
                let r = i * g.stride - g.padding + a
                let col = j * g.stride - g.padding + q
                if r < 0 || r >= h || col < 0 || col >= wd { continue }
                out[((b * c + ch) * h + r) * wd + col] += Double(dys[((b * o + f) * ho + i) * wo + j]) * Double(ws[((f * c + ch) * kh + a) * kw + q])
              }
            }
          }
        }
      }
    }
  }
  return out
}

/// The filter gradient in Double.
func naiveConv2dFilterGradient(_ x: Tensor, _ dy: Tensor, _ g: ConvConfig) -> [Double] {
  let (n, c, h, wd) = (g.input[0], g.input[1], g.input[2], g.input[3])
  let (o, kh, kw) = (g.filter[0], g.filter[2], g.filter[3])
  var out = [Double](repeating: 0, count: o * c * kh * kw)
  let (xs, dys) = (x.scalars, dy.scalars)
  let (ho, wo) = (g.outputHeight, g.outputWidth)
  for f in 0..<o {
    for ch in 0..<c {
      for a in 0..<kh {
        for q in 0..<kw {
          var s = 0.0
          for b in 0..<n {
            for i in 0..<g.outputHeight {
              for j in 0..<g.outputWidth {
                let r = i * g.stride - g.padding + a
                let col = j * g.stride - g.padding + q
                if r < 0 || r >= h || col < 0 || col >= wd { continue }
                s += Double(dys[((b * o + f) * ho + i) * wo + j]) * Double(xs[((b * c + ch) * h + r) * wd + col])
              }
            }
          }
          out[((f * c + ch) * kh + a) * kw + q] = s
        }
      }
    }
  }
  return out
}

/// Pooling over `k×k` windows with padding; `nil` entries are padding.
func naivePool(
  _ x: Tensor, kernel k: Int, stride s: Int, padding p: Int, _ reduce: ([Double?]) -> Double
) -> (values: [Double], shape: [Int]) {
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let ho = (h + 2 * p - k) / s + 1
  let wo = (w + 2 * p - k) / s + 1
  var out: [Double] = []
  for b in 0..<n {
    for ch in 0..<c {
      for i in 0..<ho {
        for j in 0..<wo {
          var window: [Double?] = []
          for a in 0..<k {
            for q in 0..<k {
              let r = i * s - p + a
              let col = j * s - p + q
              window.append(r < 0 || r >= h || col < 0 || col >= w ? nil : Double(x[b, ch, r, col]))
            }
          }
          out.append(reduce(window))
        }
      }
    }
  }
  return (out, [n, c, ho, wo])
}

/// ⟨a, b⟩ in Double.
func dot(_ a: Tensor, _ b: Tensor) -> Double {
  zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}
