import Foundation
import Testing
import _GTNExamplesSupport

struct ExampleOptionsTests {
  let defaults = ExampleOptions(dataset: "mnist")
  let datasets = ["mnist", "fashion-mnist"]

  @Test func parsesEveryFlag() throws {
    let o = try #require(try ExampleOptions.parse(
      ["--data-dir", "/d", "--dataset", "fashion-mnist", "--inner-steps", "8", "--batch-size", "16",
       "--outer-iterations", "3", "--seed", "9", "--output", "out", "--resume", "--learner", "conv-wn",
       "--generator", "conv", "--curriculum", "shuffled", "--soft-labels", "--intermediate-losses", "2",
       "--checkpoint-segment", "4", "--threads", "2", "--learning-rate", "0.005",
       "--inner-learning-rate", "0.05", "--inner-momentum", "0.9"],
      defaults: defaults, datasets: datasets))
    #expect(o.dataDirectory == "/d" && o.dataset == "fashion-mnist" && o.innerSteps == 8 && o.batchSize == 16)
    #expect(o.outerIterations == 3 && o.seed == 9 && o.output == "out" && o.resume && o.learner == "conv-wn")
    #expect(o.generator == "conv" && o.curriculum == "shuffled" && o.softLabels && o.intermediateLosses == 2)
    #expect(o.checkpointSegment == 4 && o.threads == 2 && o.learningRate == 0.005)
    #expect(o.innerLearningRate == 0.05 && o.innerMomentum == 0.9)
  }

  @Test func paperSelectsThePapersSetup() throws {
    let o = try #require(try ExampleOptions.parse(["--paper"], defaults: defaults, datasets: datasets))
    #expect(o.learner == "paper" && o.generator == "paper" && o.noiseSize == 128 && o.innerSteps == 32)
    #expect(o.intermediateLosses == 1 && o.outerIterations == 2000)
  }

  @Test func parsesTheCIFARFlags() throws {
    let o = try #require(try ExampleOptions.parse(
      ["--learner", "strided", "--learner-width", "4", "--adam-beta2", "0.9", "--evaluation-steps", "64,8, 32,8",
       "--tune-each-step-count", "--augment"],
      defaults: defaults, datasets: datasets))
    #expect(o.learner == "strided" && o.learnerWidth == 4 && o.adamBeta2 == 0.9 && o.evaluationSteps == [8, 32, 64])
    #expect(o.tuneEachStepCount && o.augment)
    let off = try #require(try ExampleOptions.parse(["--no-augment"], defaults: o, datasets: datasets))
    #expect(!off.augment)
  }

  /// `--learner macro:…` names architectures of the macro search space;
  /// anything that is not one is a usage error naming the flag.
  @Test func parsesMacroSpaceLearners() throws {
    let o = try #require(try ExampleOptions.parse(["--learner", "macro:c16k3p-c32k3p,c8k5p"], defaults: defaults, datasets: datasets))
    #expect(o.learner == "macro:c16k3p-c32k3p,c8k5p")
    for bad in ["macro:", "macro:c16k3p,x7", "macro:k3"] {
      #expect(throws: UsageError.self) { try ExampleOptions.parse(["--learner", bad], defaults: defaults, datasets: datasets) }
    }
    #expect(throws: UsageError.self) { try ExampleOptions.parse(["--learner", "resnet"], defaults: defaults, datasets: datasets) }
  }

  @Test func paperOnCIFARSelectsThePapersCIFARSetup() throws {
    let o = try #require(try ExampleOptions.parse(["--paper"], defaults: ExampleOptions(dataset: "cifar10"), datasets: ["cifar10"]))
    #expect(o.learner == "paper" && o.generator == "paper" && o.innerSteps == 128 && o.batchSize == 128)
    #expect(o.realBatchSize == 256 && o.learningRate == 0.004 && o.adamBeta2 == 0.9 && o.augment)
    #expect(o.intermediateLosses == 16 && o.checkpointSegment == 16)
  }

  /// Checkpoints store the options; one written before a flag existed still
  /// loads, with that flag at its default, and every field round-trips.
  @Test func optionsFromOlderCheckpointsDecode() throws {
    let old = #"{"dataset":"mnist","innerSteps":16,"batchSize":64,"outerIterations":1500,"seed":3,"output":"o","resume":false,"learner":"conv-bn","generator":"mlp","curriculum":"learned","softLabels":false,"threads":1,"evaluationSeeds":5,"checkpointEvery":25,"realBatchSize":128,"learningRate":0.01,"innerLearningRate":0.05,"innerMomentum":0.5,"noiseSize":64,"augment":false,"quiet":false}"#
    let decoded = try JSONDecoder().decode(ExampleOptions.self, from: Data(old.utf8))
    #expect(decoded.innerSteps == 16 && decoded.batchSize == 64 && decoded.learner == "conv-bn" && decoded.seed == 3)
    #expect(decoded.innerLearningRate == 0.05)
    #expect(decoded.adamBeta2 == 0.999 && decoded.evaluationSteps == nil && decoded.learnerWidth == 16)
    var changed = ExampleOptions(dataset: "cifar10")
    changed.evaluationSteps = [4, 8]
    changed.adamBeta2 = 0.9
    changed.checkpointSegment = 8
    let again = try JSONDecoder().decode(ExampleOptions.self, from: JSONEncoder().encode(changed))
    #expect(again.evaluationSteps == [4, 8] && again.adamBeta2 == 0.9 && again.checkpointSegment == 8)
    #expect(again.dataset == "cifar10")
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(ExampleOptions.self, from: Data("{}".utf8)) }
  }

  @Test func helpReturnsNil() throws {
    #expect(try ExampleOptions.parse(["--help"], defaults: defaults, datasets: datasets) == nil)
  }

  @Test(arguments: [
    (["--inner-steps", "0"], "--inner-steps expects an integer ≥ 1, got '0'"),
    (["--dataset", "cifar"], "--dataset expects one of mnist, fashion-mnist, got 'cifar'"),
    (["--seed"], "--seed needs a value"),
    (["--inner-momentum", "1.5"], "--inner-momentum expects a number in (0, 1), got '1.5'"),
    (["--bogus"], "unknown argument '--bogus' (see --help)"),
    (["--evaluation-steps", "8,x"], "--evaluation-steps expects comma-separated integers ≥ 1, got '8,x'"),
    (["--adam-beta2", "1"], "--adam-beta2 expects a number in (0, 1), got '1'"),
  ])
  func badArgumentsAreNamed(arguments: [String], message: String) {
    do {
      _ = try ExampleOptions.parse(arguments, defaults: defaults, datasets: datasets)
      Issue.record("\(arguments) was accepted")
    } catch let error as UsageError {
      #expect(error.message == message)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }
}
