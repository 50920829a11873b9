import Foundation

/// What ``LinePlot`` and ``ScatterPlot`` share: text escaping, coordinates
/// and round tick values.
enum SVGPlotting {
  /// `text` with the characters SVG's text nodes reserve escaped.
  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }

  /// A coordinate with one decimal.
  static func coordinate(_ value: Double) -> String { String(format: "%.1f", value) }

  /// About `count` round values from `low` through `high`, a step apart
  /// that is 1, 2 or 5 times a power of ten (the one nearest, by ratio, to
  /// the range over `count`).
  static func roundTicks(from low: Double, through high: Double, count: Int = 5) -> [Double] {
    guard high > low, count > 0 else { return [low] }
    let rough = (high - low) / Double(count)
    let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.min { abs(Foundation.log($0 / rough)) < abs(Foundation.log($1 / rough)) }!
    return Swift.stride(from: (low / step).rounded(.up) * step, through: high + step * 1e-9, by: step).map { $0 }
  }

  /// A tick label: an integer where the value is one, else 2 significant digits.
  static func tickLabel(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2g", value)
  }

  /// The eight series colours, in order.
  static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
}
