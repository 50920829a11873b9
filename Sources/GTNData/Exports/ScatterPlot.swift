import Foundation

/// A scatter plot written as a standalone SVG file: one marker per item in
/// each named group, such as every architecture's rank by a proxy against
/// its rank by the ground truth.
///
/// ```swift
/// var plot = ScatterPlot(title: "GTN proxy", xLabel: "rank by ground truth", yLabel: "rank by proxy", showsDiagonal: true)
/// plot.add(series: "top half by proxy", points: [(1, 2), (2, 1)])
/// plot.add(series: "bottom half", points: [(3, 4), (4, 3)])
/// try plot.svg().write(to: url, atomically: true, encoding: .utf8)
/// ```
///
/// Both axes are linear and share no scale unless ``showsDiagonal`` is set,
/// which gives them the same range and draws the line y = x (where a
/// perfect proxy's ranks lie).
///
/// - Complexity: O(n) in the number of points.
public struct ScatterPlot: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  /// Whether both axes span the same range, with the line y = x drawn.
  public var showsDiagonal: Bool
  public private(set) var series: [(name: String, points: [(x: Double, y: Double)])] = []

  public init(title: String, xLabel: String, yLabel: String, showsDiagonal: Bool = false) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.showsDiagonal = showsDiagonal
  }

  /// Adds a named group of points; points with a non-finite coordinate are
  /// left out.
  public mutating func add(series name: String, points: [(x: Double, y: Double)]) {
    series.append((name, points.filter { $0.x.isFinite && $0.y.isFinite }))
  }

  /// The plot as SVG text (480×440: a square plotting area with the legend
  /// below it).
  public func svg() -> String {
    let (width, height) = (480.0, 440.0)
    let (left, right, top, bottom) = (70.0, 30.0, 40.0, 90.0)
    let all = series.flatMap(\.points)
    func span(_ values: [Double]) -> (Double, Double) {
      var (low, high) = (values.min() ?? 0, values.max() ?? 1)
      if high - low < 1e-9 { (low, high) = (low - 0.5, high + 0.5) }
      let pad = (high - low) * 0.05
      return (low - pad, high + pad)
    }
    var (x0, x1) = span(all.map(\.x))
    var (y0, y1) = span(all.map(\.y))
    if showsDiagonal { (x0, x1, y0, y1) = (Swift.min(x0, y0), Swift.max(x1, y1), Swift.min(x0, y0), Swift.max(x1, y1)) }
    func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (width - left - right) }
    func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
    let f = SVGPlotting.coordinate, escape = SVGPlotting.escaped
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f((left + width - right) / 2))" y="22" text-anchor="middle" font-size="14">\(escape(title))</text>
      <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="black"/>
      <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="black"/>

      """
    for x in SVGPlotting.roundTicks(from: x0, through: x1) {
      svg += "<line x1=\"\(f(px(x)))\" y1=\"\(f(height - bottom))\" x2=\"\(f(px(x)))\" y2=\"\(f(height - bottom + 5))\" stroke=\"black\"/>"
      svg += "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\">\(SVGPlotting.tickLabel(x))</text>\n"
    }
    for y in SVGPlotting.roundTicks(from: y0, through: y1) {
      svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" stroke=\"#ddd\"/>"
      svg += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(SVGPlotting.tickLabel(y))</text>\n"
    }
    svg += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - bottom + 36))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
    svg += "<text transform=\"translate(18 \(f((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
    if showsDiagonal {
      svg += "<line x1=\"\(f(px(x0)))\" y1=\"\(f(py(x0)))\" x2=\"\(f(px(x1)))\" y2=\"\(f(py(x1)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
    }
    for (i, s) in series.enumerated() {
      let color = SVGPlotting.colors[i % SVGPlotting.colors.count]
      for p in s.points {
        svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(color)\" fill-opacity=\"0.8\"/>"
      }
      let ly = height - bottom + 56 + Double(i / 2) * 18, lx = left + Double(i % 2) * (width - left - right) / 2
      svg += "\n<circle cx=\"\(f(lx + 6))\" cy=\"\(f(ly - 4))\" r=\"3.5\" fill=\"\(color)\"/>"
      svg += "<text x=\"\(f(lx + 16))\" y=\"\(f(ly))\">\(escape(s.name)) (\(s.points.count))</text>\n"
    }
    return svg + "</svg>\n"
  }
}
