import Foundation

/// One self-contained HTML page: headings, paragraphs, tables, inline SVG
/// plots and PNG images embedded as `data:` URLs, so the single file can be
/// opened, mailed or archived without the files beside it.
///
/// ```swift
/// var report = RunReport(title: "MNIST GTN")
/// report.add(heading: "Accuracy")
/// report.add(table: [["k", "GTN"], ["32", "0.895"]])
/// report.add(svg: plot.svg(), caption: "Accuracy after k steps")
/// try writeAtomically(report.html, to: folder.appendingPathComponent("report.html"))
/// ```
///
/// The page loads nothing and runs no script.
public struct RunReport: Sendable {
  /// The page's title and first heading.
  public var title: String
  /// The body's parts, HTML, in order.
  private var parts: [String] = []

  public init(title: String) { self.title = title }

  /// A section heading.
  public mutating func add(heading: String) {
    parts.append("<h2>\(Self.escaped(heading))</h2>")
  }

  /// A paragraph of plain text.
  public mutating func add(paragraph: String) {
    parts.append("<p>\(Self.escaped(paragraph))</p>")
  }

  /// A preformatted line or block, such as a command.
  public mutating func add(code: String) {
    parts.append("<pre>\(Self.escaped(code))</pre>")
  }

  /// A table whose first row is its header.
  public mutating func add(table rows: [[String]]) {
    guard let header = rows.first else { return }
    var html = "<table>\n<tr>" + header.map { "<th>\(Self.escaped($0))</th>" }.joined() + "</tr>\n"
    for row in rows.dropFirst() {
      html += "<tr>" + row.map { "<td>\(Self.escaped($0))</td>" }.joined() + "</tr>\n"
    }
    parts.append(html + "</table>")
  }

  /// An SVG document (such as `LinePlot.svg()`) drawn inline, with a caption.
  public mutating func add(svg: String, caption: String) {
    var body = svg
    if body.hasPrefix("<?xml"), let end = body.range(of: "?>") { body = String(body[end.upperBound...]) }
    parts.append("<figure>\n\(body.trimmingCharacters(in: .whitespacesAndNewlines))\n<figcaption>\(Self.escaped(caption))</figcaption>\n</figure>")
  }

  /// A PNG image embedded as a `data:` URL, drawn at its pixel size without
  /// smoothing, with alternative text and a caption.
  public mutating func add(png: [UInt8], alternativeText: String, caption: String) {
    let source = "data:image/png;base64," + Data(png).base64EncodedString()
    parts.append("<figure>\n<img src=\"\(source)\" alt=\"\(Self.escaped(alternativeText))\">\n<figcaption>\(Self.escaped(caption))</figcaption>\n</figure>")
  }

  /// The page.
  public var html: String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(Self.escaped(title))</title>
    <style>
    body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
    h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
    table { border-collapse: collapse; margin: 0.5rem 0; } th, td { padding: 0.2rem 0.8rem; border-bottom: 1px solid #eee; text-align: left; }
    td { font-variant-numeric: tabular-nums; } pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
    figure { margin: 1rem 0; overflow-x: auto; } figcaption { color: #555; font-size: 0.9rem; }
    img { image-rendering: pixelated; }
    </style>
    </head>
    <body>
    <h1>\(Self.escaped(title))</h1>
    \(parts.joined(separator: "\n"))
    </body>
    </html>

    """
  }

  /// `text` with the characters HTML gives a meaning escaped.
  static func escaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      default: result.append(character)
      }
    }
    return result
  }
}
