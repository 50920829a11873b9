import Foundation

/// A zero-cost proxy: how differently an untrained network responds to the
/// images of one real batch ("jacob_cov" in Abdelfattah et al., "Zero-Cost
/// Proxies for Lightweight NAS", ICLR 2021, after Mellor et al., "Neural
/// Architecture Search without Training", 2020, first version).
///
/// For a batch of N images, `J_n = ∂(Σ_{m,c} y_mc)/∂x_n` is each image's
/// input gradient of the summed outputs, flattened. With `Σ` the N × N
/// correlation matrix of the `J_n` and `λ_i` its eigenvalues,
///
///     score = −Σ_i (log(λ_i + k) + 1 / (λ_i + k)),   k = 10⁻⁵,
///
/// averaged over a few initialisations. A network whose Jacobians are
/// uncorrelated across images (all `λ_i` near 1) scores highest; a linear
/// map, whose Jacobian is the same for every image, scores lowest.
///
/// ```swift
/// let proxy = JacobianCovarianceProxy(images: batch.images)
/// let score = proxy.score(Sequential.mlpLearner(), seed: 1)
/// ```
///
/// - Complexity: one forward and one backward pass of the batch per
///   initialisation, and O(N²·D + N³) for the correlation matrix of
///   D-pixel images and its eigenvalues.
public struct JacobianCovarianceProxy: ArchitectureEvaluator {
  /// One real batch, `[N, C, H, W]` with N ≥ 2.
  public var images: Tensor
  /// Fresh initialisations averaged over.
  public var initializations: Int

  /// The constant added to the eigenvalues.
  public static let k = 1e-5

  public init(images: Tensor, initializations: Int = 1) {
    precondition(images.rank >= 2 && images.shape[0] >= 2, "JacobianCovarianceProxy needs a batch of at least 2 images, got \(images.shape)")
    precondition(initializations >= 1, "JacobianCovarianceProxy needs at least one initialisation")
    self.images = images
    self.initializations = initializations
  }

  public func score(_ learner: any Learner, seed: UInt64) -> Double {
    var rng = SplitMix64(seed: seed)
    var total = 0.0
    for _ in 0..<initializations {
      let parameters = learner.makeParameters(using: &rng).map { Variable($0) }
      let input = Variable(images, requiresGradient: true)
      let jacobian = gradients(of: learner(input, parameters: parameters[...]).sum(), withRespectTo: [input])[0].value
      total += Self.score(correlationEigenvalues: Self.eigenvalues(ofSymmetric: Self.correlation(ofRows: jacobian)))
    }
    return total / Double(initializations)
  }

  /// `−Σ (log(λ + k) + 1/(λ + k))`.
  static func score(correlationEigenvalues values: [Double]) -> Double {
    -values.reduce(0) { $0 + Foundation.log($1 + k) + 1 / ($1 + k) }
  }

  /// The N × N correlation matrix (row-major) of the N rows of `tensor`
  /// (its first axis), each flattened. A row without variance correlates 0
  /// with the others and 1 with itself.
  static func correlation(ofRows tensor: Tensor) -> [Double] {
    let n = tensor.shape[0]
    let d = tensor.scalarCount / n
    var centered = [Double](repeating: 0, count: n * d)
    var norms = [Double](repeating: 0, count: n)
    tensor.withUnsafeBufferPointer { p in
      for r in 0..<n {
        let row = p[(r * d)..<((r + 1) * d)]
        let mean = row.reduce(0.0) { $0 + Double($1) } / Double(d)
        var squares = 0.0
        for (j, x) in row.enumerated() {
          let c = Double(x) - mean
          centered[r * d + j] = c
          squares += c * c
        }
        norms[r] = squares.squareRoot()
      }
    }
    var matrix = [Double](repeating: 0, count: n * n)
    for a in 0..<n {
      matrix[a * n + a] = 1
      for b in (a + 1)..<n where norms[a] > 0 && norms[b] > 0 {
        var dot = 0.0
        for j in 0..<d { dot += centered[a * d + j] * centered[b * d + j] }
        let value = dot / (norms[a] * norms[b])
        matrix[a * n + b] = value
        matrix[b * n + a] = value
      }
    }
    return matrix
  }

  /// The eigenvalues of the symmetric n × n matrix `matrix` (row-major), in
  /// ascending order, by cyclic Jacobi rotations.
  static func eigenvalues(ofSymmetric matrix: [Double]) -> [Double] {
    let n = Int(Double(matrix.count).squareRoot().rounded())
    precondition(n * n == matrix.count, "eigenvalues: \(matrix.count) entries is not a square matrix")
    var a = matrix
    for _ in 0..<100 {
      var offDiagonal = 0.0
      for p in 0..<n { for q in (p + 1)..<n { offDiagonal += a[p * n + q] * a[p * n + q] } }
      var diagonal = 0.0
      for p in 0..<n { diagonal += a[p * n + p] * a[p * n + p] }
      if offDiagonal <= 1e-24 * Swift.max(diagonal, 1e-300) { break }
      for p in 0..<n {
        for q in (p + 1)..<n where a[p * n + q] != 0 {
          let apq = a[p * n + q]
          let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
          let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for r in 0..<n {
            let (arp, arq) = (a[r * n + p], a[r * n + q])
            a[r * n + p] = c * arp - s * arq
            a[r * n + q] = s * arp + c * arq
          }
          for r in 0..<n {
            let (apr, aqr) = (a[p * n + r], a[q * n + r])
            a[p * n + r] = c * apr - s * aqr
            a[q * n + r] = s * apr + c * aqr
          }
        }
      }
    }
    return (0..<n).map { a[$0 * n + $0] }.sorted()
  }
}
