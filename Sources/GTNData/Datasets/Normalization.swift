/// How a loader turns 8-bit pixel values into `Float`s.
///
/// Pick the normalisation that matches what a model expects; a generator
/// whose output goes through `tanh` pairs naturally with ``minusOneToOne``,
/// a classifier trained as in the GTN paper with ``standardized``.
///
/// ```swift
/// let train = try Dataset.mnist(split: .train, normalization: .standardized)
/// // pixel p becomes (p − 33.32) / 78.57
/// ```
public enum Normalization: Sendable, Equatable {
  /// The raw byte values 0…255 as floats.
  case raw
  /// `p / 255`, in `[0, 1]`.
  case zeroToOne
  /// `p / 127.5 − 1`, in `[−1, 1]`.
  case minusOneToOne
  /// `(p − mean[c]) / std[c]` with the dataset's own published statistics
  /// (see ``ChannelStatistics``); for a dataset without published statistics
  /// they are computed from its pixels.
  case standardized
  /// `(p − mean[c]) / std[c]` with the given statistics (on the 0…255 scale).
  case standardizedWith(ChannelStatistics)

  /// The 256-entry table mapping each byte value to its normalised value,
  /// for channel `channel`.
  func table(channel: Int, statistics: ChannelStatistics) -> [Float] {
    (0..<256).map { value(Float($0), channel: channel, statistics: statistics) }
  }

  /// The normalised value of pixel `p` (0…255) in channel `channel`.
  func value(_ p: Float, channel: Int, statistics: ChannelStatistics) -> Float {
    switch self {
    case .raw: return p
    case .zeroToOne: return p / 255
    case .minusOneToOne: return p / 127.5 - 1
    case .standardized:
      return (p - statistics.mean[channel]) / statistics.standardDeviation[channel]
    case .standardizedWith(let s):
      precondition(
        s.mean.count > channel && s.standardDeviation.count > channel,
        "statistics \(s) have no entry for channel \(channel)")
      return (p - s.mean[channel]) / s.standardDeviation[channel]
    }
  }

  /// The normalised values of the byte values 0 and 255 in `channel`; the
  /// range to pass to exporters to recover the original bytes.
  ///
  /// - Parameters:
  ///   - channel: The channel index.
  ///   - statistics: The statistics used by ``standardized``.
  public func range(channel: Int = 0, statistics: ChannelStatistics) -> ClosedRange<Float> {
    value(0, channel: channel, statistics: statistics)...value(255, channel: channel, statistics: statistics)
  }
}

/// Per-channel mean and standard deviation of pixel values on the 0…255 scale.
///
/// ```swift
/// let s = ChannelStatistics.cifar10
/// print(s.mean)   // [125.31, 122.95, 113.87]
/// ```
public struct ChannelStatistics: Sendable, Equatable {
  /// The mean of each channel.
  public var mean: [Float]
  /// The standard deviation of each channel.
  public var standardDeviation: [Float]

  /// Creates statistics for `mean.count` channels.
  ///
  /// - Precondition: `mean` and `standardDeviation` have the same non-zero
  ///   count and every deviation is positive.
  public init(mean: [Float], standardDeviation: [Float]) {
    precondition(
      !mean.isEmpty && mean.count == standardDeviation.count,
      "ChannelStatistics needs equal, non-zero counts, got \(mean.count) means and \(standardDeviation.count) deviations")
    precondition(standardDeviation.allSatisfy { $0 > 0 }, "standard deviations \(standardDeviation) must be positive")
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// MNIST training set: mean 33.32, standard deviation 78.57.
  public static let mnist = ChannelStatistics(mean: [33.32], standardDeviation: [78.57])
  /// Fashion-MNIST training set: mean 72.94, standard deviation 90.02.
  public static let fashionMNIST = ChannelStatistics(mean: [72.94], standardDeviation: [90.02])
  /// CIFAR-10 training set, channels R, G, B.
  public static let cifar10 = ChannelStatistics(
    mean: [125.31, 122.95, 113.87], standardDeviation: [62.99, 62.09, 66.70])

  /// Computes the exact statistics of planar 8-bit images.
  ///
  /// ```swift
  /// let s = ChannelStatistics(pixels: batch.pixels, channels: 3, planeSize: 1024)
  /// ```
  ///
  /// - Parameters:
  ///   - pixels: Images of `channels × planeSize` bytes each, channel planes
  ///     one after the other.
  ///   - channels: The number of channels.
  ///   - planeSize: The number of pixels in one channel plane (height × width).
  /// - Complexity: O(n) for n bytes.
  public init(pixels: [UInt8], channels: Int, planeSize: Int) {
    let imageSize = channels * planeSize
    precondition(
      channels > 0 && planeSize > 0 && !pixels.isEmpty && pixels.count % imageSize == 0,
      "cannot compute statistics of \(pixels.count) bytes as images of \(channels)×\(planeSize)")
    // Exact per-channel histograms; mean and variance follow from them.
    var histograms = [Int](repeating: 0, count: 256 * channels)
    pixels.withUnsafeBufferPointer { p in
      histograms.withUnsafeMutableBufferPointer { h in
        var offset = 0
        while offset < p.count {
          for c in 0..<channels {
            let base = 256 * c
            for i in offset..<(offset + planeSize) { h[base + Int(p[i])] &+= 1 }
            offset += planeSize
          }
        }
      }
    }
    let n = Double(pixels.count / channels)
    var means: [Float] = []
    var deviations: [Float] = []
    for c in 0..<channels {
      var sum = 0.0
      var sumSquares = 0.0
      for v in 0..<256 {
        let k = Double(histograms[256 * c + v])
        sum += Double(v) * k
        sumSquares += Double(v * v) * k
      }
      let mean = sum / n
      means.append(Float(mean))
      deviations.append(Float(Swift.max(sumSquares / n - mean * mean, 1e-6).squareRoot()))
    }
    self.init(mean: means, standardDeviation: deviations)
  }
}
