/// How the images a checkpoint's GTN learned to imitate were scaled: stored
/// as JSON in the checkpoint's `gtn.normalization` entry, so exports map
/// generated values back to pixels.
public struct CheckpointNormalization: Codable, Sendable, Equatable {
  /// The scaling's name (`minus-one-to-one`: 0…255 to [-1, 1]).
  public var name: String
  /// The values pixel 0 and pixel 255 became.
  public var range: [Double]
  /// The training split's per-channel pixel mean on the 0…255 scale.
  public var trainingPixelMean: [Double]
  /// The training split's per-channel pixel standard deviation on the
  /// 0…255 scale.
  public var trainingPixelStandardDeviation: [Double]

  /// A record of the scaling `name` onto `range`, with the training split's
  /// statistics.
  public init(name: String, range: [Double], trainingPixelMean: [Double], trainingPixelStandardDeviation: [Double]) {
    self.name = name
    self.range = range
    self.trainingPixelMean = trainingPixelMean
    self.trainingPixelStandardDeviation = trainingPixelStandardDeviation
  }

  enum CodingKeys: String, CodingKey {
    case name, range
    case trainingPixelMean = "training_pixel_mean"
    case trainingPixelStandardDeviation = "training_pixel_std"
  }
}
