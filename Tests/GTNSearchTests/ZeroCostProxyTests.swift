// The zero-cost proxies against closed forms: synflow of a bias-free stack
// of linear layers (each layer's flow equals the network's output sum), the
// Jacobian covariance of a linear map (one Jacobian for every image: the
// lowest score) and the eigenvalue solver on matrices with known spectra.

import Foundation
@testable import GTNSearch
import Testing

@Suite struct ZeroCostProxyTests {
  /// Two linear layers (biases start at zero) and no activation.
  static let linear = Sequential(Flatten(), Linear(12, 5), Linear(5, 3))

  @Test func synflowOfALinearStackIsItsDepthTimesItsOutput() {
    let proxy = SynFlowProxy(imageShape: [1, 3, 4])
    var rng = SplitMix64(seed: 9)
    let p = Self.linear.makeParameters(using: &rng).map { $0.map(abs) }
    // R = 1ᵀ·|W2|·|W1|·1; with zero biases, Σ θ·∂R/∂θ over each layer's
    // weights is R itself (the flow is conserved layer by layer).
    let hidden = Tensor.matmul(Tensor(ones: [1, 12]), p[0], transposingB: true)
    let r = Double(Tensor.matmul(hidden, p[2], transposingB: true).sum().scalars[0])
    let score = proxy.score(Self.linear, seed: 9)
    #expect(abs(score - log(2 * r)) < 1e-5, "synflow \(exp(score)), expected 2R = \(2 * r)")
    #expect(proxy.score(Self.linear, seed: 9) == score, "deterministic given the seed")
  }

  @Test func eigenvaluesOfKnownSpectra() {
    // diag(3, 1) rotated by 30°, and the all-ones 4 × 4 matrix (4, 0, 0, 0).
    let (c, s) = (cos(Double.pi / 6), sin(Double.pi / 6))
    let rotated = [3 * c * c + s * s, 2 * c * s, 2 * c * s, 3 * s * s + c * c]
    let values = JacobianCovarianceProxy.eigenvalues(ofSymmetric: rotated)
    #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12, "\(values)")
    let ones = JacobianCovarianceProxy.eigenvalues(ofSymmetric: [Double](repeating: 1, count: 16))
    #expect(zip(ones, [0.0, 0, 0, 4]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(ones)")
    // A random symmetric matrix: the eigenvalues sum to the trace and their
    // squares to the squared Frobenius norm.
    var rng = SplitMix64(seed: 3)
    let n = 12
    let m = Tensor(randomNormal: [n, n], using: &rng).scalars.map(Double.init)
    let symmetric = (0..<(n * n)).map { (m[$0] + m[($0 % n) * n + $0 / n]) / 2 }
    let spectrum = JacobianCovarianceProxy.eigenvalues(ofSymmetric: symmetric)
    let trace = (0..<n).reduce(0.0) { $0 + symmetric[$1 * n + $1] }
    #expect(abs(spectrum.reduce(0, +) - trace) < 1e-9)
    #expect(abs(spectrum.reduce(0) { $0 + $1 * $1 } - symmetric.reduce(0) { $0 + $1 * $1 }) < 1e-9)
  }

  @Test func aLinearMapScoresLowestAndANonlinearOneHigher() {
    var rng = SplitMix64(seed: 4)
    let images = Tensor(randomNormal: [16, 1, 3, 4], using: &rng)
    let proxy = JacobianCovarianceProxy(images: images)
    // A linear map's Jacobian is the same for every image: every
    // correlation is 1, the spectrum is (N, 0, …, 0).
    let lowest = JacobianCovarianceProxy.score(correlationEigenvalues: [16] + [Double](repeating: 0, count: 15))
    #expect(abs(proxy.score(Self.linear, seed: 1) - lowest) < 1e-3 * abs(lowest))
    let nonlinear = Sequential(Flatten(), Linear(12, 32), LeakyReLU(0.1), Linear(32, 3))
    #expect(proxy.score(nonlinear, seed: 1) > lowest + 1_000)
  }
}
