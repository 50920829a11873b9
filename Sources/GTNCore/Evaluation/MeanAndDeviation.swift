/// The mean and the (population) standard deviation of a sample.
public struct MeanAndDeviation: Sendable, Codable, Hashable, CustomStringConvertible {
  public var mean: Double
  public var standardDeviation: Double
  public var count: Int

  public init(_ values: [Double]) {
    count = values.count
    mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    let m = mean
    standardDeviation = values.isEmpty ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
  }

  public var description: String {
    "\((mean * 10000).rounded() / 100)% ± \((standardDeviation * 10000).rounded() / 100)"
  }
}
