// report.html: the run on one self-contained page.

import Foundation
import GTNCore
import GTNData

extension ExampleRunner {
  /// The run's page: results, accuracy by step count, the meta-training
  /// curves, the learned curriculum and schedule, timings and configuration.
  func makeReport(
    trainer: MetaTrainer, curriculum: (grid: [UInt8], preview: [UInt8]?), summary: RunSummary, training: MetaTrainingRecord,
    evaluation: [StepCountEvaluation], evaluationSeconds: Double
  ) throws -> RunReport {
    let split = options.evaluationSplit.rawValue
    var report = RunReport(title: "\(data.name): a generative teaching network")
    report.add(paragraph: "\(training.completedIterations) outer iterations of meta-training (\(formatDuration(training.history.seconds))) with the "
      + "\(options.learner) learner, the \(options.generator.rawValue) generator and the \(options.curriculum.rawValue) curriculum "
      + "of T = \(options.innerSteps) steps of B = \(options.batchSize) samples. Below, fresh learners trained for k SGD steps on "
      + "GTN data and on real data, \(options.evaluationSeeds) of each per k, measured on the \(split) split.")

    report.add(heading: "Accuracy after k steps")
    let realName = options.tuneEachStepCount ? "real data (learning rate tuned for each k)" : "real data"
    var rows = [["k", "GTN data", realName, "real-data learning rate", "real steps to GTN's accuracy"]]
    for e in evaluation {
      let matching = summary.accuracyBySteps?[String(e.steps)]?.realStepsMatchingGTN
      rows.append([
        String(e.steps), Self.percent(e.gtn), Self.percent(e.real), String(format: "%g", Double(e.realLearningRate)),
        matching.map { String(format: "%.0f (%.1f× k)", $0, $0 / Double(e.steps)) } ?? "–",
      ])
    }
    report.add(table: rows)
    if let steps = summary.gtnStepsToReachReal, let reference = summary.speedupReferenceSteps, let speedup = summary.speedup {
      report.add(paragraph: "GTN data reaches real data's accuracy after \(reference) steps in \(steps) steps (\(String(format: "%.1f", speedup))× fewer).")
    }
    var accuracy = LinePlot(title: "\(split) accuracy after k SGD steps", xLabel: "SGD steps k", yLabel: "\(split) accuracy")
    accuracy.add(series: "GTN data", points: evaluation.map { (Double($0.steps), $0.gtn.mean) })
    accuracy.add(series: "real data", points: evaluation.map { (Double($0.steps), $0.real.mean) })
    report.add(svg: accuracy.svg(), caption: "Mean \(split) accuracy of fresh learners after k SGD steps.")

    report.add(heading: "Meta-training")
    let history = training.history.rows
    if history.isEmpty {
      report.add(paragraph: "No iterations were recorded.")
    } else {
      let width = Swift.max(1, Swift.min(25, history.count / 10))
      var loss = LinePlot(title: "Meta-loss", xLabel: "outer iteration", yLabel: "meta-loss", logarithmicX: false)
      loss.add(series: "per iteration", points: history.map { (Double($0.iteration), Double($0.metaLoss)) })
      loss.add(series: "mean of \(width)", points: zip(history, training.history.smoothedMetaLoss(width: width)).map { (Double($0.iteration), $1) })
      report.add(svg: loss.svg(), caption: "The real-data loss that meta-training descends, at every outer iteration.")
      var batch = LinePlot(title: "Real-batch accuracy", xLabel: "outer iteration", yLabel: "accuracy", logarithmicX: false)
      batch.add(series: "per iteration", points: history.map { (Double($0.iteration), $0.realBatchAccuracy) })
      report.add(svg: batch.svg(), caption: "The inner learner's accuracy on each outer iteration's real batch.")
    }

    report.add(heading: "Learned curriculum")
    let (grid, preview) = curriculum
    report.add(png: grid, alternativeText: "The learned curriculum, one row per inner step",
               caption: "One row per inner step (T = \(options.innerSteps)), the first \(Swift.min(options.batchSize, 20)) samples of each batch.")
    if let preview {
      report.add(png: preview, alternativeText: "A preview of the learned curriculum", caption: "Up to 8 evenly spaced steps, larger.")
    }
    let schedule = trainer.syntheticData(seed: 0).schedule
    let keys = Set(schedule.flatMap(\.keys)).sorted()
    if !keys.isEmpty {
      var plot = LinePlot(title: "Inner optimiser, per step", xLabel: "inner step", yLabel: "value", logarithmicX: false)
      for key in keys {
        plot.add(series: key, points: schedule.enumerated().compactMap { step, values in values[key].map { (Double(step + 1), Double($0)) } })
      }
      report.add(svg: plot.svg(), caption: "The inner optimiser's learned hyper-parameters at each step (schedule.json of gtn sample).")
    }

    report.add(heading: "Timings")
    let megabytes = { (bytes: Int?) in bytes.map { String(format: "%.0f MB", Double($0) / 1_048_576) } ?? "not measured" }
    let iterations = training.completedIterations - training.firstIteration
    var timings = [
      ["", ""],
      ["meta-training, this run", String(format: "%.1f s for %d iterations", training.seconds, iterations)],
      ["seconds per iteration", iterations > 0 ? String(format: "%.3f", training.seconds / Double(iterations)) : "–"],
      ["evaluation", String(format: "%.1f s", evaluationSeconds)],
      ["peak resident memory, meta-training", megabytes(training.peakResidentBytes)],
      ["threads", String(options.threads)],
      ["precision of products", TrainingProgress.precisionLabel
        + (options.precision == Precision.current ? "" : ", \(options.precision.argumentDescription) asked for")],
      ["ranks", String(communicator.size)],
      ["BLAS kernel", BLASRuntime.coreName],
      ["CPU", Processor.current.description],
    ]
    if training.firstIteration > 0 {
      timings.insert(["meta-training, all runs", String(format: "%.1f s, resumed at iteration %d", training.history.seconds, training.firstIteration)], at: 2)
    }
    report.add(table: timings)

    report.add(heading: "Configuration")
    report.add(code: CommandLine.arguments.map(shellQuoted).joined(separator: " "))
    report.add(table: [["option", "value"]] + (try Self.optionRows(options)))
    return report
  }

  /// `mean ± std` in percent.
  static func percent(_ value: MeanAndDeviation) -> String {
    String(format: "%.1f%% ± %.1f", value.mean * 100, value.standardDeviation * 100)
  }

  /// The options as `options.json` has them, one row per key.
  static func optionRows(_ options: ExampleOptions) throws -> [[String]] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    guard let object = try JSONSerialization.jsonObject(with: encoder.encode(options)) as? [String: Any] else { return [] }
    return object.keys.sorted().map { key in
      guard let value = object[key] else { return [key, ""] }
      if let text = value as? String { return [key, text] }
      let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
      return [key, data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"]
    }
  }
}
