// The checks a run makes before meta-training, so that a run that would fail
// at its end (hours later) fails in its first seconds with a message that
// says what to change: the data against the options, a checkpoint to resume
// against the options, and one trial of the final evaluation.

import Foundation
import GTNCore
import GTNData

extension ExampleRunner {
  /// Checks that the data can carry a run with these options to its end:
  /// non-empty splits of equal, non-empty image shapes and equal classes,
  /// the batch sizes within the training split, the curriculum within
  /// memory.
  ///
  /// - Parameter metaTraining: Whether the data must also carry
  ///   meta-training, whose real batches (`--real-batch-size`) come from the
  ///   training split; an evaluation of a trained GTN draws only batches of
  ///   `--batch-size` from it, for the real-data learners.
  /// - Throws: ``ExampleError`` naming the file and the flag to change.
  public func checkData(metaTraining: Bool = true) throws {
    let o = options
    let (training, validation, test) = (data.training, data.validation, data.test)
    let shape = training.imageShape
    guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
      throw ExampleError(message: "\(data.trainingSource): the images have shape \(shape) (channels, height, width); every side must be at least 1")
    }
    guard training.count > 0 else {
      throw ExampleError(message: "\(data.trainingSource): the training split is empty (lower --validation-count \(o.validationCount))")
    }
    guard validation.count > 0 else {
      throw ExampleError(message: "\(data.trainingSource): the validation split is empty (--validation-count must be at least 1)")
    }
    if o.evaluationSplit == .test {
      guard test.count > 0 else {
        throw ExampleError(
          message: "\(data.testSource): the test split holds no images, so there is nothing to measure accuracy on; give a test file "
            + "with images, or measure on the validation split with --evaluation-split validation")
      }
    }
    for (split, source) in [(test, data.testSource)] where split.count > 0 {
      guard split.imageShape == shape else {
        throw ExampleError(
          message: "\(source): the test images have shape \(split.imageShape), the training images (\(data.trainingSource)) "
            + "\(shape); the learners need one image shape")
      }
      guard split.classNames == training.classNames else {
        throw ExampleError(
          message: "\(source): the test split has \(split.classNames.count) classes, the training split \(training.classNames.count)")
      }
    }
    guard training.classNames.count >= 2 else {
      throw ExampleError(message: "\(data.trainingSource): \(training.classNames.count) class(es); a classifier needs at least 2")
    }
    // A lower bound of what meta-training holds: the curriculum's inputs
    // (and their two Adam moments) and one generated image batch per inner
    // step, in 4-byte floats.
    let pixels = shape.reduce(1, *)
    let perSample = o.curriculum == .pixels ? 3 * pixels : 3 * o.noiseSize + pixels
    let (samples, overflow1) = o.innerSteps.multipliedReportingOverflow(by: o.batchSize)
    let (floats, overflow2) = samples.multipliedReportingOverflow(by: perSample)
    let bytes = overflow1 || overflow2 ? Double.infinity : 4 * Double(floats)
    let memory = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes < memory else {
      let gigabytes = { (x: Double) in x.isFinite ? String(format: "%.1f GB", x / 1e9) : "more bytes than a 64-bit size holds" }
      let noise = o.curriculum == .pixels ? "" : " (--noise-size \(o.noiseSize))"
      throw ExampleError(
        message: "--inner-steps \(o.innerSteps) × --batch-size \(o.batchSize) synthetic images\(noise) need at least "
          + "\(gigabytes(bytes)), more than this machine's \(gigabytes(memory)): lower --inner-steps, --batch-size or --noise-size")
    }
    let batchSizes = [("--batch-size", o.batchSize)] + (metaTraining ? [("--real-batch-size", o.realBatchSize)] : [])
    for (flag, size) in batchSizes where size > training.count {
      throw ExampleError(
        message: "\(flag) \(size) is larger than the training split (\(training.count) images of \(data.trainingSource) after holding "
          + "out --validation-count \(o.validationCount)): lower \(flag) to at most \(training.count)")
    }
  }

  /// With `--resume` and a checkpoint at `checkpoint`: checks that it is a
  /// readable file written by a run with the same options (except those
  /// ``ExampleOptions/alwaysChangeableOnResume`` and `--allow-changes`
  /// name) and the same data, and not past `--outer-iterations`.
  ///
  /// - Throws: ``ExampleError`` listing every difference, with both values.
  func checkResumable(_ checkpoint: URL) throws {
    guard options.resume else { return }
    let path = checkpoint.path
    if let problem = fileProblem(path, missingIsFine: true) { throw ExampleError(message: "--resume: \(path) \(problem)") }
    guard FileManager.default.fileExists(atPath: path) else { return }
    let metadata = try Safetensors.read(from: checkpoint).metadata
    var problems: [String] = []
    var flags: [String] = []
    if let json = metadata["gtn.example_options"] {
      let recorded: ExampleOptions
      do { recorded = try JSONDecoder().decode(ExampleOptions.self, from: Data(json.utf8)) } catch {
        throw ExampleError(message: "--resume: \(path) records options that cannot be read (gtn.example_options): \(error)")
      }
      var differences = options.differences(fromRecorded: recorded)
      let allowsDataset = (options.allowedChanges ?? []).contains { ["dataset", "--dataset"].contains($0) }
      if let name = metadata["gtn.dataset"], name != data.name, !allowsDataset, !differences.contains(where: { $0.flag == "--dataset" }) {
        differences.append(OptionDifference(flag: "--dataset", old: name, new: data.name))
      }
      problems += differences.map { "  \($0.flag): \($0.old) in the checkpoint, \($0.new) now" }
      flags = differences.map { String($0.flag.dropFirst(2)) }
    } else {
      log("--resume: \(path) does not record its options; they are not compared")
    }
    if let iteration = metadata["gtn.iteration"].flatMap(Int.init), iteration > options.outerIterations {
      problems.append(
        "  the checkpoint is at iteration \(iteration), past --outer-iterations \(options.outerIterations) (give "
          + "--outer-iterations \(iteration) to evaluate it again, more to continue it)")
    }
    guard problems.isEmpty else {
      var advice = "resume with the checkpoint's options, or choose another --output"
      if !flags.isEmpty { advice = "resume with the checkpoint's options, allow the changes with --allow-changes \(flags.joined(separator: ",")), or choose another --output" }
      throw ExampleError(message: (["--resume: \(path) belongs to a different run:"] + problems + [advice]).joined(separator: "\n"))
    }
  }

  /// Runs the end of the run once on a tiny slice — the evaluation (one
  /// seed, the smallest step count, two images) and the curriculum images —
  /// so that a failure there shows in the first seconds.
  func rehearseEvaluation(_ trainer: MetaTrainer, splits: EvaluationSplits) throws {
    var quick = self
    quick.options.evaluationSeeds = 1
    let tiny = EvaluationSplits(
      evaluation: splits.evaluation.subset(0..<Swift.min(2, splits.evaluation.count)),
      tuning: splits.tuning.subset(0..<Swift.min(2, splits.tuning.count)))
    let steps = [evaluatedStepCounts().min() ?? 1]
    do {
      _ = try quick.evaluate(trainer, stepCounts: steps, splits: tiny)
      _ = try curriculumImages(trainer)
    } catch {
      throw ExampleError(message: "a trial of the final evaluation (1 learner, \(steps[0]) step(s), 2 images) failed: \(error)")
    }
  }
}
