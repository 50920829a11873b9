import Foundation

/// A line plot written as a standalone SVG file, for curves such as test
/// accuracy against training steps.
///
/// ```swift
/// var plot = LinePlot(title: "MNIST", xLabel: "SGD steps", yLabel: "test accuracy")
/// plot.add(series: "GTN", points: [(1, 0.41), (8, 0.9), (32, 0.97)])
/// try plot.svg().write(to: url, atomically: true, encoding: .utf8)
/// ```
///
/// The x axis is logarithmic when ``logarithmicX`` is set (step counts
/// usually double).
public struct LinePlot: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var logarithmicX: Bool
  public private(set) var series: [(name: String, points: [(x: Double, y: Double)])] = []

  public init(title: String, xLabel: String, yLabel: String, logarithmicX: Bool = true) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.logarithmicX = logarithmicX
  }

  /// Adds a named curve; points are drawn in x order, and points with a
  /// non-finite coordinate (a diverged loss) are left out.
  public mutating func add(series name: String, points: [(x: Double, y: Double)]) {
    series.append((name, points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }))
  }

  /// The plot as SVG text (640×400).
  public func svg() -> String {
    let (width, height) = (640.0, 400.0)
    let (left, right, top, bottom) = (70.0, 150.0, 40.0, 50.0)
    let all = series.flatMap(\.points)
    func tx(_ x: Double) -> Double { logarithmicX ? Foundation.log2(Swift.max(x, 1e-9)) : x }
    let xs = all.map { tx($0.x) }
    let ys = all.map(\.y)
    let (x0, x1) = (xs.min() ?? 0, Swift.max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
    var (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
    if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
    let pad = (y1 - y0) * 0.05
    (y0, y1) = (y0 - pad, y1 + pad)
    func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * (width - left - right) }
    func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
    let f = SVGPlotting.coordinate, escape = SVGPlotting.escaped
    let colors = SVGPlotting.colors
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f(width / 2 - right / 2 + left / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
      <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="black"/>
      <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="black"/>

      """
    // Ticks: the distinct x values when there are few, else round values
    // (powers of two on a logarithmic axis); five y levels.
    for x in xTicks(all.map(\.x)) {
      svg += "<line x1=\"\(f(px(x)))\" y1=\"\(f(height - bottom))\" x2=\"\(f(px(x)))\" y2=\"\(f(height - bottom + 5))\" stroke=\"black\"/>"
      svg += "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\">\(SVGPlotting.tickLabel(x))</text>\n"
    }
    for k in 0...4 {
      let y = y0 + (y1 - y0) * Double(k) / 4
      svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" stroke=\"#ddd\"/>"
      svg += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(String(format: "%.3g", y))</text>\n"
    }
    svg += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
    svg += "<text transform=\"translate(18 \(f((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
    for (i, s) in series.enumerated() {
      let color = colors[i % colors.count]
      let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
      svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
      if s.points.count <= Self.markerLimit {
        for p in s.points { svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(color)\"/>" }
      }
      let ly = top + 20 + Double(i) * 20
      svg += "\n<line x1=\"\(f(width - right + 15))\" y1=\"\(f(ly))\" x2=\"\(f(width - right + 40))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
      svg += "<text x=\"\(f(width - right + 45))\" y=\"\(f(ly + 4))\">\(escape(s.name))</text>\n"
    }
    return svg + "</svg>\n"
  }

  /// Curves with more points than this are drawn without point markers.
  public static let markerLimit = 50

  /// The x values to label: every distinct value when there are at most 12,
  /// else about six round values spanning them.
  func xTicks(_ values: [Double]) -> [Double] {
    let distinct = Set(values).sorted()
    guard distinct.count > 12, let low = distinct.first, let high = distinct.last, high > low else { return distinct }
    if logarithmicX {
      let (a, b) = (Foundation.log2(Swift.max(low, 1e-9)).rounded(.up), Foundation.log2(high).rounded(.down))
      let stride = Swift.max(1, ((b - a) / 5).rounded(.up))
      return Swift.stride(from: a, through: b, by: stride).map { Foundation.pow(2, $0) }
    }
    return SVGPlotting.roundTicks(from: low, through: high)
  }
}
