// The run report's parts: the per-iteration history kept in training.csv
// (written, read back, truncated for a resume, bad files named) and the
// HTML page (escaped text, embedded images, inline plots).

import Foundation
import GTNData
import Testing
import _GTNExamplesSupport

@Suite struct MetaTrainingHistoryTests {
  static func history(_ iterations: ClosedRange<Int>) -> MetaTrainingHistory {
    var history = MetaTrainingHistory()
    for i in iterations {
      history.append(.init(iteration: i, metaLoss: Float(10 - i) / 4, realBatchAccuracy: Double(i) / 10, seconds: Double(i) * 0.5))
    }
    return history
  }

  @Test func readsBackWhatItWrites() throws {
    let history = Self.history(1...5)
    let text = history.csv
    #expect(text.hasPrefix(MetaTrainingHistory.header + "\n1,2.25,0.1,0.500\n"))
    #expect(try MetaTrainingHistory(csv: text, file: "training.csv") == history)
    #expect(history.seconds == 2.5)
  }

  @Test func aResumeDropsTheRowsPastItsCheckpoint() {
    var history = Self.history(1...9)
    history.truncate(after: 6)
    #expect(history.rows.map(\.iteration) == Array(1...6) && history.seconds == 3)
  }

  @Test func smoothsOverATrailingWindow() {
    let history = Self.history(1...4)  // losses 2.25, 2, 1.75, 1.5
    #expect(history.smoothedMetaLoss(width: 2) == [2.25, 2.125, 1.875, 1.625])
    #expect(history.smoothedMetaLoss(width: 1) == history.rows.map { Double($0.metaLoss) })
  }

  @Test(arguments: [
    ("iteration,loss\n1,2\n", "the first line is not"),
    (MetaTrainingHistory.header + "\n1,2,0.5\n", "line 2: expected an iteration and three numbers, found \"1,2,0.5\""),
    (MetaTrainingHistory.header + "\n1,2,0.5,1\nx,2,0.5,1\n", "line 3: expected an iteration"),
    (MetaTrainingHistory.header + "\n2,2,0.5,1\n2,2,0.5,1\n", "line 3: iteration 2 does not follow 2"),
  ])
  func namesTheFileAndLineOfABadHistory(text: String, message: String) {
    do {
      _ = try MetaTrainingHistory(csv: text, file: "run/training.csv")
      Issue.record("\(text) was accepted")
    } catch {
      #expect("\(error)".contains("run/training.csv") && "\(error)".contains(message), "\(error)")
    }
  }
}

@Suite struct RunReportTests {
  @Test func escapesTextAndEmbedsImagesAndPlots() throws {
    var report = RunReport(title: "A <b> & \"c\"")
    report.add(heading: "x < y")
    report.add(paragraph: "1 & 2")
    report.add(code: "gtn train --output 'a b'")
    report.add(table: [["k", "GTN"], ["32", "<0.9>"]])
    var plot = LinePlot(title: "t", xLabel: "x", yLabel: "y")
    plot.add(series: "s", points: [(1, 0.1), (2, .nan), (4, 0.5)])
    report.add(svg: plot.svg(), caption: "plot")
    let png = try ImageGrid(images: Tensor(shape: [1, 1, 2, 2], scalars: [-1, 0, 0.5, 1]), rows: 1, columns: 1, range: -1...1).pngData()
    report.add(png: png, alternativeText: "a \"grid\"", caption: "grid")
    let page = report.html

    #expect(page.contains("<title>A &lt;b&gt; &amp; &quot;c&quot;</title>") && page.contains("<h2>x &lt; y</h2>"))
    #expect(page.contains("<p>1 &amp; 2</p>") && page.contains("<td>&lt;0.9&gt;</td>") && page.contains("<th>GTN</th>"))
    #expect(page.contains("<pre>gtn train --output 'a b'</pre>"))
    #expect(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && !page.contains("nan"))
    #expect(page.contains("<img src=\"data:image/png;base64,\(Data(png).base64EncodedString())\" alt=\"a &quot;grid&quot;\">"))
    #expect(!page.contains("<script") && page.hasPrefix("<!DOCTYPE html>"))
  }

  @Test func labelsRoundTicksWhenAnAxisHasManyValues() {
    var plot = LinePlot(title: "loss", xLabel: "iteration", yLabel: "loss", logarithmicX: false)
    plot.add(series: "loss", points: (1...800).map { (Double($0), 1 / Double($0)) })
    let svg = plot.svg()
    let labels = svg.components(separatedBy: "text-anchor=\"middle\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    #expect(labels.contains("200") && labels.contains("800") && !labels.contains("799"))
    #expect(!svg.contains("<circle"), "no markers on a curve of 800 points")
  }
}
