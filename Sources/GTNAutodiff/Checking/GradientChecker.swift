/// Checks the derivatives of a differentiable function — first order and
/// Hessian–vector products — against finite differences.
///
/// The function's output is projected to a scalar with a fixed random tensor
/// `r`: `L(x) = Σ r ⊙ f(x)`, accumulated in `Double`. First-order gradients of
/// `L` are compared coordinate by coordinate with a fourth-order central
/// difference of sixth order,
///
/// `L'(x) ≈ (45(L₊₁ − L₋₁) − 9(L₊₂ − L₋₂) + (L₊₃ − L₋₃)) / 60h`, `L₊ₖ = L(x + kh)`,
///
/// whose truncation error is O(h⁶), so a step large enough to drown float32
/// rounding (h = 3·10⁻² by default) stays accurate. The actual perturbation is
/// recomputed in `Double` after rounding the perturbed input to `Float`.
/// Second order: the Hessian–vector product `∇(⟨∇L, v⟩)` from the retained
/// graph is compared with the same stencil applied to the autodiff gradient
/// along a random direction `v`.
///
/// **Kinks.** ReLU, LeakyReLU and max pooling have step-function
/// derivatives; a stencil that straddles a step gives a wrong estimate, not a
/// loose one. Every estimate is therefore repeated with the step halved until
/// two successive estimates agree to half the tolerance (a straddled step
/// changes the estimate by a factor near 2 per halving; float32 rounding
/// noise in a gradient component that is small next to the largest one
/// moves it by a few 10⁻⁴); if four halvings do not settle it, the coordinate (or direction) is counted in
/// ``GradientCheckReport/skippedAtKinks`` instead of being compared. The
/// tolerance itself is never loosened.
///
/// The relative error of a component is `|a − n| / (|n| + 0.01·‖n‖∞ + 10⁻⁶)`
/// for autodiff value `a` and numeric value `n`: relative where the
/// component matters, and not blown up by components that are negligible
/// next to the rest of the gradient.
///
/// ```swift
/// var rng = SplitMix64(seed: 7)
/// let report = GradientChecker().check(at: [Tensor(randomNormal: [3, 4], using: &rng)], using: &rng) { x in
///   x[0].tanh().squared()
/// }
/// print(report)               // worst relative errors, first and second order
/// assert(report.passed)
/// ```
public struct GradientChecker: Sendable {
  /// The initial finite-difference step, relative to `max(1, |x|)`.
  public var step: Double
  /// The largest acceptable relative error.
  public var tolerance: Double
  /// At most this many coordinates of each input are checked (chosen at
  /// random when an input has more).
  public var maximumCoordinatesPerInput: Int
  /// Whether to check Hessian–vector products too.
  public var checksSecondOrder: Bool
  /// How many random directions to check Hessian–vector products along.
  public var secondOrderDirections: Int

  public init(
    step: Double = 3e-2, tolerance: Double = 1e-3, maximumCoordinatesPerInput: Int = 48,
    checksSecondOrder: Bool = true, secondOrderDirections: Int = 2
  ) {
    self.step = step
    self.tolerance = tolerance
    self.maximumCoordinatesPerInput = maximumCoordinatesPerInput
    self.checksSecondOrder = checksSecondOrder
    self.secondOrderDirections = secondOrderDirections
  }

  /// Checks `function`'s derivatives at `points`.
  ///
  /// - Parameters:
  ///   - points: The inputs at which to check; all are differentiated.
  ///   - generator: Chooses the projection, the coordinates and the
  ///     directions.
  ///   - function: The function under test, from variables to a variable of
  ///     any shape.
  /// - Returns: The worst relative errors and how much was checked.
  /// - Complexity: About `6·k` evaluations of `function` per checked
  ///   coordinate and `6·k` gradient evaluations per direction, where
  ///   `k ≤ 5` is the number of step sizes tried.
  public func check(
    at points: [Tensor], using generator: inout some RandomNumberGenerator,
    _ function: ([Variable]) -> Variable
  ) -> GradientCheckReport {
    // The function is evaluated with recording on: its inputs are constants,
    // so nothing is recorded unless it differentiates something itself (an
    // unrolled inner loop), and then it needs recording to compute its value.
    let outputShape = withGradientRecording(true) { function(points.map { Variable($0) }).shape }
    let projection = Tensor(randomUniform: outputShape, lowerBound: 0.5, upperBound: 1.5, using: &generator)
    let r = projection.scalars.map(Double.init)

    func loss(_ inputs: [Tensor]) -> Double {
      let y = withGradientRecording(true) { function(inputs.map { Variable($0) }).value }
      return y.withUnsafeBufferPointer { p in zip(p, r).reduce(0) { $0 + Double($1.0) * $1.1 } }
    }
    func gradient(_ inputs: [Tensor], retaining: Bool) -> ([Variable], [Variable]) {
      withGradientRecording(true) {
        let variables = inputs.map { Variable($0, requiresGradient: true) }
        let l = (function(variables) * projection).sum()
        return (variables, gradients(of: l, withRespectTo: variables, retainingGraph: retaining))
      }
    }

    var report = GradientCheckReport(tolerance: tolerance)
    let (variables, analytic) = gradient(points, retaining: checksSecondOrder)

    // First order, coordinate by coordinate.
    for (i, point) in points.enumerated() {
      let count = point.scalarCount
      var coordinates = Array(0..<count)
      if count > maximumCoordinatesPerInput {
        coordinates.shuffle(using: &generator)
        coordinates = Array(coordinates.prefix(maximumCoordinatesPerInput))
      }
      let a = analytic[i].value.scalars.map(Double.init)
      let analyticScale = a.map(abs).max() ?? 0
      var numeric: [(index: Int, value: Double)] = []
      for j in coordinates {
        let x0 = Double(point.storage[j])
        let estimate = settledEstimate(initialStep: step * Swift.max(1, abs(x0)), scale: analyticScale) { h in
          [stencil(h) { t in
            var moved = points
            moved[i].storage[j] = Float(x0 + t)
            return (loss(moved), Double(moved[i].storage[j]) - x0)
          }]
        }
        if let estimate { numeric.append((j, estimate[0])) } else { report.skippedAtKinks += 1 }
      }
      let scale = numeric.map { abs($0.value) }.max() ?? 0
      for (j, n) in numeric {
        report.record(firstOrder: relativeError(a[j], n, scale: scale))
      }
    }

    // Second order: Hessian–vector products along random directions.
    guard checksSecondOrder else { return report }
    for _ in 0..<secondOrderDirections {
      let directions = points.map { Tensor(randomNormal: $0.shape, using: &generator) }
      let maxNorm = directions.flatMap { $0.scalars.map { abs(Double($0)) } }.max() ?? 1
      let v = directions.map { $0 * Float(1 / Swift.max(maxNorm, 1e-12)) }
      let hvp = withGradientRecording(true) {
        let inner = zip(analytic, v).map { ($0 * $1).sum() }.reduce(Variable(0), +)
        return gradients(of: inner, withRespectTo: variables).map { $0.value.scalars.map(Double.init) }
      }
      let h0 = step * Swift.max(1, points.flatMap { $0.scalars.map { abs(Double($0)) } }.max() ?? 1)
      let flat = hvp.flatMap { $0 }
      let estimate = settledEstimate(initialStep: h0, scale: flat.map(abs).max() ?? 0) { h in
        stencilVector(h) { t in
          let moved = zip(points, v).map { $0 + $1 * Float(t) }
          return gradient(moved, retaining: false).1.flatMap { $0.value.scalars.map(Double.init) }
        }
      }
      guard let estimate else {
        report.skippedAtKinks += 1
        continue
      }
      let scale = estimate.map(abs).max() ?? 0
      for (a, n) in zip(flat, estimate) {
        report.record(secondOrder: relativeError(a, n, scale: scale))
      }
    }
    return report
  }

  /// The sixth-order central difference of a scalar function; `evaluate(t)`
  /// returns the value and the perturbation actually applied.
  private func stencil(_ h: Double, _ evaluate: (Double) -> (Double, Double)) -> Double {
    // Central differences over the realised steps at h, 2h and 3h, combined
    // by Richardson extrapolation to cancel the h² and h⁴ terms.
    let d = (1...3).map { k -> Double in
      let (fp, hp) = evaluate(Double(k) * h)
      let (fm, hm) = evaluate(-Double(k) * h)
      return (fp - fm) / (hp - hm)
    }
    return (15 * d[0] - 6 * d[1] + d[2]) / 10
  }

  private func stencilVector(_ h: Double, _ evaluate: (Double) -> [Double]) -> [Double] {
    let samples = [1.0, -1, 2, -2, 3, -3].map { evaluate($0 * h) }
    return (0..<samples[0].count).map { k in
      (45 * (samples[0][k] - samples[1][k]) - 9 * (samples[2][k] - samples[3][k]) + (samples[4][k] - samples[5][k])) / (60 * h)
    }
  }

  /// Repeats `estimate` with halving steps until two successive results
  /// agree; `nil` when they never do (a kink lies within reach).
  private func settledEstimate(
    initialStep: Double, scale: Double, _ estimate: (Double) -> [Double]
  ) -> [Double]? {
    var h = initialStep
    var previous = estimate(h)
    for _ in 0..<4 {
      h /= 2
      let next = estimate(h)
      let settled = zip(previous, next).allSatisfy { relativeError($0, $1, scale: scale) <= tolerance / 2 }
      if settled { return next }
      previous = next
    }
    return nil
  }

  private func relativeError(_ a: Double, _ n: Double, scale: Double) -> Double {
    abs(a - n) / (abs(n) + 0.01 * scale + 1e-6)
  }
}

/// The outcome of a ``GradientChecker`` run.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
  /// The tolerance the errors are judged against.
  public var tolerance: Double
  /// The worst relative error among checked first-order components.
  public var firstOrderWorstRelativeError: Double = 0
  /// The worst relative error among checked Hessian–vector components.
  public var secondOrderWorstRelativeError: Double = 0
  /// How many first-order components were compared.
  public var firstOrderChecked = 0
  /// How many Hessian–vector components were compared.
  public var secondOrderChecked = 0
  /// Coordinates or directions whose finite difference straddled a kink and
  /// were therefore not compared.
  public var skippedAtKinks = 0

  init(tolerance: Double) { self.tolerance = tolerance }

  mutating func record(firstOrder error: Double) {
    firstOrderChecked += 1
    firstOrderWorstRelativeError = Swift.max(firstOrderWorstRelativeError, error.isNaN ? .infinity : error)
  }

  mutating func record(secondOrder error: Double) {
    secondOrderChecked += 1
    secondOrderWorstRelativeError = Swift.max(secondOrderWorstRelativeError, error.isNaN ? .infinity : error)
  }

  /// Whether every compared component is within tolerance and something was
  /// compared at all.
  public var passed: Bool {
    firstOrderChecked > 0 && firstOrderWorstRelativeError <= tolerance
      && secondOrderWorstRelativeError <= tolerance
  }

  public var description: String {
    func f(_ x: Double) -> String {
      // NaN errors are recorded as infinity; neither has a decimal exponent.
      guard x.isFinite else { return "\(x)" }
      let exponent = x == 0 ? 0 : Int((_log(x) / _log(10)).rounded(.down))
      let mantissa = x == 0 ? 0 : x / pow10(exponent)
      return "\(Double(Int(mantissa * 100)) / 100)e\(exponent)"
    }
    func pow10(_ e: Int) -> Double { e >= 0 ? (0..<e).reduce(1) { r, _ in r * 10 } : 1 / pow10(-e) }
    return "first order: worst relative error \(f(firstOrderWorstRelativeError)) over \(firstOrderChecked) components; "
      + "second order: \(f(secondOrderWorstRelativeError)) over \(secondOrderChecked); "
      + "skipped at kinks: \(skippedAtKinks); tolerance \(f(tolerance)): \(passed ? "passed" : "FAILED")"
  }
}
