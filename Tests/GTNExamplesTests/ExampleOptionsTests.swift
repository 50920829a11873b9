import Foundation
import Testing
import _GTNExamplesSupport

struct ExampleOptionsTests {
  let defaults = ExampleOptions(dataset: .mnist)
  let datasets: [DatasetKind] = [.mnist, .fashionMNIST]

  func parse(_ arguments: [String], defaults: ExampleOptions? = nil, datasets: [DatasetKind]? = nil) throws -> ExampleOptions {
    try #require(try ExampleOptions.parse(arguments, defaults: defaults ?? self.defaults, datasets: datasets ?? self.datasets))
  }

  @Test func parsesEveryFlag() throws {
    let o = try parse(
      ["--data-dir", "/d", "--dataset", "fashion-mnist", "--inner-steps", "8", "--batch-size", "16",
       "--outer-iterations", "3", "--seed", "9", "--output", "out", "--resume", "--learner", "conv-wn",
       "--generator", "conv", "--curriculum", "pixels", "--soft-labels", "--pixel-initialization", "real", "--intermediate-losses", "2",
       "--checkpoint-segment", "4", "--threads", "2", "--learning-rate", "0.005",
       "--inner-learning-rate", "0.05", "--inner-momentum", "0.9", "--noise-size", "32", "--real-batch-size", "64",
       "--evaluation-seeds", "3", "--checkpoint-every", "7", "--quiet", "--time-budget", "90.5",
       "--evaluation-split", "validation"])
    #expect(o.dataDirectory == "/d" && o.dataset == .fashionMNIST && o.innerSteps == 8 && o.batchSize == 16)
    #expect(o.outerIterations == 3 && o.seed == 9 && o.output == "out" && o.resume && o.learner == .named(.convWeightNorm))
    #expect(o.generator == .conv && o.curriculum == .pixels && o.softLabels && o.pixelInitialization == .real && o.intermediateLosses == 2)
    #expect(o.checkpointSegment == 4 && o.threads == 2 && o.learningRate == 0.005)
    #expect(o.innerLearningRate == 0.05 && o.innerMomentum == 0.9 && o.noiseSize == 32 && o.realBatchSize == 64)
    #expect(o.evaluationSeeds == 3 && o.checkpointEvery == 7 && o.quiet)
    #expect(o.timeBudgetMinutes == 90.5 && o.evaluationSplit == .validation)
  }

  @Test func paperSelectsThePapersSetup() throws {
    let o = try parse(["--paper"])
    #expect(o.learner == .named(.paper) && o.generator == .paper && o.noiseSize == 128 && o.innerSteps == 32)
    #expect(o.intermediateLosses == 1 && o.outerIterations == 2000 && o.checkpointSegment == 8)
  }

  /// `--paper` is applied first: explicit flags win before and after it.
  @Test(arguments: [["--paper", "--inner-steps", "8", "--learner", "conv"], ["--inner-steps", "8", "--learner", "conv", "--paper"]])
  func explicitFlagsOverrideThePreset(arguments: [String]) throws {
    let o = try parse(arguments)
    #expect(o.innerSteps == 8 && o.learner == .named(.conv))
    #expect(o.generator == .paper && o.outerIterations == 2000)
  }

  /// mnist-gtn's defaults: the recipe chosen by the time budget.
  var recipeDefaults: ExampleOptions { ExampleOptions.withRecipes(dataset: .mnist) }

  /// `auto` is the conv-bn-pixels recipe from ten minutes of budget on,
  /// conv-bn-real-pixels from five, else the MLP recipe; flags override the recipe wherever they
  /// stand, and the parsed options name the recipe that ran.
  @Test func autoRecipeFollowsTheTimeBudget() throws {
    let short = try parse(["--time-budget", "2"], defaults: recipeDefaults)
    #expect(short.recipe == .mlp && short.learner == .named(.mlp) && short.parallelLearners == 1)
    #expect(short.outerIterations == ExampleOptions.outerIterationsUnderTimeBudget)
    let none = try parse([], defaults: recipeDefaults)
    #expect(none.recipe == .mlp && none.learner == .named(.mlp) && none.intermediateLosses == 1 && none.outerIterations == 800)
    let five = try parse(["--time-budget", "5"], defaults: recipeDefaults)
    #expect(five.recipe == .convBatchNormRealPixels && five.curriculum == .pixels && five.pixelInitialization == .real)
    #expect(five.learner == .named(.convBatchNorm) && five.batchSize == 64 && five.softLabels && five.parallelLearners == 2)
    let nine = try parse(["--time-budget", "9.5", "--pixel-initialization", "noise"], defaults: recipeDefaults)
    #expect(nine.recipe == .convBatchNormRealPixels && nine.curriculum == .pixels && nine.pixelInitialization == .noise)
    let long = try parse(["--time-budget", "10", "--evaluation-seeds", "3"], defaults: recipeDefaults)
    #expect(long.recipe == .convBatchNormPixels && long.curriculum == .pixels && long.pixelInitialization == .noise)
    #expect(long.learner == .named(.convBatchNorm) && long.batchSize == 64 && long.softLabels)
    #expect(long.innerLearningRate == 0.1 && long.intermediateLosses == 4 && long.realBatchSize == 256 && long.parallelLearners == 2)
    #expect(long.outerIterations == 1_000_000 && long.tuneEachStepCount && long.evaluationSeeds == 3)
    let overridden = try parse(["--batch-size", "32", "--time-budget", "10", "--no-soft-labels"], defaults: recipeDefaults)
    #expect(overridden.recipe == .convBatchNormPixels && overridden.batchSize == 32 && !overridden.softLabels)
    let generated = try parse(["--curriculum", "learned", "--time-budget", "60"], defaults: recipeDefaults)
    #expect(generated.recipe == .convBatchNormPixels && generated.curriculum == .learned && generated.softLabels)
    // The pixel recipes' outer learning rate goes with learned images; a
    // generator keeps the default unless the flag asks otherwise.
    #expect(long.learningRate == RecipeKind.pixelLearningRate && five.learningRate == RecipeKind.pixelLearningRate)
    #expect(RecipeKind.pixelLearningRate != recipeDefaults.learningRate)
    #expect(generated.learningRate == recipeDefaults.learningRate && short.learningRate == recipeDefaults.learningRate)
    let generatedFaster = try parse(["--curriculum", "learned", "--time-budget", "60", "--learning-rate", "0.05"], defaults: recipeDefaults)
    #expect(generatedFaster.learningRate == 0.05)
    let slower = try parse(["--time-budget", "60", "--learning-rate", "0.005"], defaults: recipeDefaults)
    #expect(slower.recipe == .convBatchNormPixels && slower.learningRate == 0.005)
    let explicit = try parse(["--recipe", "conv-bn"], defaults: recipeDefaults)
    #expect(explicit.learner == .named(.convBatchNorm) && explicit.outerIterations == 1_200 && explicit.curriculum == .learned)
    // The recipe's real images give way to a curriculum without images.
    let ablation = try parse(["--recipe", "conv-bn-real-pixels", "--curriculum", "random"], defaults: recipeDefaults)
    #expect(ablation.recipe == .convBatchNormRealPixels && ablation.curriculum == .random && ablation.pixelInitialization == .noise)
    let mlp = try parse(["--recipe", "mlp", "--time-budget", "30"], defaults: recipeDefaults)
    #expect(mlp.recipe == .mlp && mlp.learner == .named(.mlp))
    // The printed arguments reproduce the options under any recipe.
    for options in [short, five, nine, long, overridden, generated, generatedFaster, slower, explicit, ablation, mlp] {
      let again = try parse(options.commandLineArguments, defaults: recipeDefaults)
      #expect(again.commandLineArguments == options.commandLineArguments)
    }
  }

  /// Soft labels go with curricula that keep each sample in its place: the
  /// conv-bn recipe's give way to the ablation curricula, `--soft-labels`
  /// with one of them is refused, and pixel curricula learn them.
  @Test func softLabelsNeedACurriculumThatKeepsItsSamples() throws {
    for curriculum in CurriculumKind.allCases {
      let options = try parse(["--time-budget", "10", "--curriculum", curriculum.rawValue], defaults: recipeDefaults)
      #expect(options.softLabels == curriculum.learnsSoftLabels, "\(curriculum)")
      let again = try parse(options.commandLineArguments, defaults: recipeDefaults)
      #expect(again.softLabels == options.softLabels)
    }
    #expect(CurriculumKind.allCases.filter(\.learnsSoftLabels) == [.learned, .pixels])
    #expect(throws: UsageError.self) {
      try ExampleOptions.parse(["--curriculum", "random", "--soft-labels"], defaults: recipeDefaults, datasets: datasets)
    }
    let pixels = try parse(["--curriculum", "pixels", "--soft-labels"], defaults: recipeDefaults)
    #expect(pixels.softLabels)
  }

  /// `--learner-width` sets the conv learners' widths as well as the
  /// strided learner's; with a learner of fixed widths another width is
  /// refused, while the printed options (which name the default) still parse.
  @Test func learnerWidthNeedsALearnerWithWidths() throws {
    let wide = try parse(["--learner", "conv-bn", "--learner-width", "32"])
    #expect(wide.learner == .named(.convBatchNorm) && wide.learnerWidth == 32)
    #expect(LearnerKind.allCases.filter { $0.widthCount > 0 } == [.conv, .convBatchNorm, .convWeightNorm, .strided])
    for learner in ["mlp", "paper", "macro:c16k3p-c32k3p"] {
      #expect(throws: UsageError.self, "\(learner)") {
        try ExampleOptions.parse(["--learner", learner, "--learner-width", "32"], defaults: defaults, datasets: datasets)
      }
      let standard = try parse(["--learner", learner, "--learner-width", "\(defaults.learnerWidth)"])
      #expect(try parse(standard.commandLineArguments).commandLineArguments == standard.commandLineArguments)
    }
  }

  /// `--learner-hidden-units` applies to the conv learners only.
  @Test func learnerHiddenUnitsNeedAConvLearner() throws {
    #expect(try parse(["--learner", "conv-bn", "--learner-hidden-units", "128"]).learnerHiddenUnits == 128)
    for learner in ["mlp", "paper", "strided", "macro:c16k3p-c32k3p"] {
      #expect(throws: UsageError.self, "\(learner)") {
        try ExampleOptions.parse(["--learner", learner, "--learner-hidden-units", "64"], defaults: defaults, datasets: datasets)
      }
      let standard = try parse(["--learner", learner, "--learner-hidden-units", "0"])
      #expect(try parse(standard.commandLineArguments).commandLineArguments == standard.commandLineArguments)
    }
  }

  /// Real initial images belong to pixel curricula: with any other the flag
  /// would change nothing, so it is refused.
  @Test func pixelInitializationNeedsAPixelCurriculum() throws {
    let real = try parse(["--time-budget", "10", "--pixel-initialization", "real"], defaults: recipeDefaults)
    #expect(real.curriculum == .pixels && real.pixelInitialization == .real)
    #expect(try parse(real.commandLineArguments, defaults: recipeDefaults).pixelInitialization == .real)
    for arguments in [["--pixel-initialization", "real"], ["--time-budget", "10", "--curriculum", "learned", "--pixel-initialization", "real"]] {
      #expect(throws: UsageError.self, "\(arguments)") {
        try ExampleOptions.parse(arguments, defaults: recipeDefaults, datasets: datasets)
      }
    }
  }

  /// `--paper` chooses the recipe itself: `auto` steps aside, an explicit
  /// recipe conflicts with it.
  @Test func paperReplacesTheRecipe() throws {
    let paper = try parse(["--paper", "--time-budget", "10"], defaults: recipeDefaults)
    #expect(paper.recipe == nil && paper.learner == .named(.paper) && paper.parallelLearners == 1 && !paper.softLabels)
    #expect(throws: UsageError.self) { try ExampleOptions.parse(["--paper", "--recipe", "conv-bn"], defaults: recipeDefaults, datasets: datasets) }
    #expect(throws: UsageError.self) { try ExampleOptions.parse(["--recipe", "cnn"], defaults: recipeDefaults, datasets: datasets) }
    #expect(throws: UsageError.self) { try ExampleOptions.parse(["--parallel-learners", "0"], defaults: recipeDefaults, datasets: datasets) }
  }

  /// From cifar-gtn's defaults (learned pixels from real images, soft
  /// labels), `--paper` trains the paper's generator on one-hot labels.
  @Test func paperOnCIFARSelectsThePapersCIFARSetup() throws {
    let o = try parse(["--paper"], defaults: .cifar10Defaults, datasets: [.cifar10])
    #expect(o.learner == .named(.paper) && o.generator == .paper && o.innerSteps == 128 && o.batchSize == 128)
    #expect(o.realBatchSize == 256 && o.learningRate == 0.004 && o.adamBeta2 == 0.9 && o.augment)
    #expect(o.intermediateLosses == 16 && o.checkpointSegment == 16)
    #expect(o.curriculum == .learned && !o.softLabels && o.pixelInitialization == .noise)
    #expect(o.innerLearningRate == 0.02 && o.innerMomentum == 0.5)
    let augmentOff = try parse(["--no-augment", "--paper"], defaults: .cifar10Defaults, datasets: [.cifar10])
    #expect(!augmentOff.augment && augmentOff.innerSteps == 128)
  }

  /// cifar-gtn's defaults learn real-initialised pixels with soft labels; a
  /// generator curriculum drops the real start and the soft labels it cannot
  /// use, and the printed options parse back to themselves.
  @Test func cifarDefaultsLearnPixelsFromRealImages() throws {
    let o = try parse([], defaults: .cifar10Defaults, datasets: [.cifar10])
    #expect(o.learner == .named(.convBatchNorm) && o.learnerWidth == 8 && o.curriculum == .pixels)
    #expect(o.pixelInitialization == .real && o.softLabels && o.innerSteps == 128 && o.batchSize == 64 && o.intermediateLosses == 16)
    #expect(o.evaluationSteps == [16, 32, 64, 128, 256, 512] && o.tuneEachStepCount && o.outerIterations == 300)
    let generated = try parse(["--curriculum", "random"], defaults: .cifar10Defaults, datasets: [.cifar10])
    #expect(generated.pixelInitialization == .noise && !generated.softLabels)
    for options in [o, generated] {
      let again = try parse(options.commandLineArguments, defaults: .cifar10Defaults, datasets: [.cifar10])
      #expect(again.commandLineArguments == options.commandLineArguments)
    }
  }

  /// A time budget without `--outer-iterations` runs until the budget ends,
  /// whatever the defaults' iteration count; with it, both bound the run.
  @Test func timeBudgetAloneBoundsTheRun() throws {
    for defaults in [ExampleOptions.cifar10Defaults, ExampleOptions(dataset: .mnist)] {
      let datasets: [DatasetKind] = defaults.dataset == .cifar10 ? [.cifar10] : self.datasets
      let budget = try parse(["--time-budget", "120"], defaults: defaults, datasets: datasets)
      #expect(budget.outerIterations == ExampleOptions.outerIterationsUnderTimeBudget)
      let both = try parse(["--outer-iterations", "40", "--time-budget", "120"], defaults: defaults, datasets: datasets)
      #expect(both.outerIterations == 40)
      let paper = try parse(["--paper", "--time-budget", "60"], defaults: defaults, datasets: datasets)
      #expect(paper.outerIterations == ExampleOptions.outerIterationsUnderTimeBudget)
      #expect(try parse([], defaults: defaults, datasets: datasets).outerIterations == defaults.outerIterations)
    }
  }

  @Test func parsesTheCIFARFlags() throws {
    let o = try parse(
      ["--learner", "strided", "--learner-width", "4", "--adam-beta2", "0.9", "--evaluation-steps", "64,8, 32,8",
       "--tune-each-step-count", "--augment"])
    #expect(o.learner == .named(.strided) && o.learnerWidth == 4 && o.adamBeta2 == 0.9 && o.evaluationSteps == [64, 8, 32, 8])
    #expect(o.tuneEachStepCount && o.augment)
    let off = try parse(["--no-augment"], defaults: o)
    #expect(!off.augment)
  }

  /// `--learner macro:…` names architectures of the macro search space;
  /// anything that is not one is a usage error naming the flag.
  @Test func parsesMacroSpaceLearners() throws {
    let o = try parse(["--learner", "macro:c16k3p-c32k3p,c8k5p"])
    #expect(o.learner == .macro(["c16k3p-c32k3p", "c8k5p"]))
    #expect(o.learner.rawValue == "macro:c16k3p-c32k3p,c8k5p")
    for bad in ["macro:", "macro:c16k3p,x7", "macro:k3", "macro:c16k3p,", "resnet"] {
      #expect(throws: UsageError.self) { try ExampleOptions.parse(["--learner", bad], defaults: defaults, datasets: datasets) }
    }
  }

  /// `--learner macro:N` and `cell:N` draw N architectures of that space;
  /// N outside [1, 4096], signs and other spellings are usage errors, and
  /// the form round-trips through JSON.
  @Test func parsesDrawnSpaceLearners() throws {
    #expect(try parse(["--learner", "cell:16"]).learner == .drawn(.cell, count: 16))
    #expect(try parse(["--learner", "macro:4096"]).learner == .drawn(.macro, count: 4096))
    #expect(LearnerChoice.drawn(.cell, count: 3).rawValue == "cell:3")
    for bad in ["cell:0", "cell:", "cell:+3", "cell:-1", "cell:4097", "cell:3x", "cell:c16k3p", "macro:0", "space:4"] {
      #expect(throws: UsageError.self) { try ExampleOptions.parse(["--learner", bad], defaults: defaults, datasets: datasets) }
    }
    #expect(try parse(["--learner", "cell:4", "--learner-width", "8"]).learnerWidth == 8)
    #expect(throws: UsageError.self) { try parse(["--learner", "macro:4", "--learner-width", "8"]) }
    var options = ExampleOptions(dataset: .cifar10)
    options.learner = .drawn(.cell, count: 16)
    let json = try JSONEncoder().encode(options)
    #expect(String(decoding: json, as: UTF8.self).contains(#""learner":"cell:16""#))
    #expect(try JSONDecoder().decode(ExampleOptions.self, from: json).learner == .drawn(.cell, count: 16))
  }

  /// Checkpoints store the options; one written before a flag existed still
  /// loads, with that flag at its default, and every field round-trips. The
  /// kinds decode from the plain strings earlier versions wrote.
  @Test func optionsFromOlderCheckpointsDecode() throws {
    let old = #"{"dataset":"mnist","innerSteps":16,"batchSize":64,"outerIterations":1500,"seed":3,"output":"o","resume":false,"learner":"conv-bn","generator":"mlp","curriculum":"learned","softLabels":false,"threads":1,"evaluationSeeds":5,"checkpointEvery":25,"realBatchSize":128,"learningRate":0.01,"innerLearningRate":0.05,"innerMomentum":0.5,"noiseSize":64,"augment":false,"quiet":false}"#
    let decoded = try JSONDecoder().decode(ExampleOptions.self, from: Data(old.utf8))
    #expect(decoded.innerSteps == 16 && decoded.batchSize == 64 && decoded.learner == .named(.convBatchNorm) && decoded.seed == 3)
    #expect(decoded.innerLearningRate == 0.05 && decoded.dataset == .mnist && decoded.curriculum == .learned)
    #expect(decoded.adamBeta2 == 0.999 && decoded.evaluationSteps == nil && decoded.learnerWidth == 16)
    #expect(decoded.timeBudgetMinutes == nil && decoded.evaluationSplit == .test)

    let previous = #"{"dataset":"fashion-mnist","learner":"macro:c16k3p-c32k3p,c8k5p","generator":"paper","curriculum":"pixels","evaluationSteps":[4,8],"tuneEachStepCount":true,"learnerWidth":8,"adamBeta2":0.9}"#
    let macro = try JSONDecoder().decode(ExampleOptions.self, from: Data(previous.utf8))
    #expect(macro.dataset == .fashionMNIST && macro.learner == .macro(["c16k3p-c32k3p", "c8k5p"]))
    #expect(macro.generator == .paper && macro.curriculum == .pixels && macro.evaluationSteps == [4, 8] && macro.learnerWidth == 8)

    var changed = ExampleOptions(dataset: .cifar10)
    changed.evaluationSteps = [4, 8]
    changed.adamBeta2 = 0.9
    changed.checkpointSegment = 8
    changed.learner = .macro(["c8k5p"])
    changed.timeBudgetMinutes = 30
    changed.evaluationSplit = .validation
    let json = try JSONEncoder().encode(changed)
    #expect(String(decoding: json, as: UTF8.self).contains(#""learner":"macro:c8k5p""#))
    let again = try JSONDecoder().decode(ExampleOptions.self, from: json)
    #expect(again.evaluationSteps == [4, 8] && again.adamBeta2 == 0.9 && again.checkpointSegment == 8)
    #expect(again.dataset == .cifar10 && again.learner == .macro(["c8k5p"]) && again.timeBudgetMinutes == 30)
    #expect(again.evaluationSplit == .validation)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(ExampleOptions.self, from: Data("{}".utf8)) }
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(ExampleOptions.self, from: Data(#"{"dataset":"mnist","learner":"resnet"}"#.utf8))
    }
  }

  /// The effective options printed at the start reproduce the run's options.
  @Test func commandLineArgumentsReproduceTheOptions() throws {
    let o = try parse(["--paper", "--seed", "18446744073709551615", "--learner", "macro:c8k5p", "--time-budget", "2.5",
                       "--evaluation-steps", "1,4", "--dataset", "fashion-mnist", "--output", "a b"])
    let again = try parse(o.commandLineArguments)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(try encoder.encode(again) == encoder.encode(o))
    #expect(o.commandLineArguments.starts(with: ["--dataset", "fashion-mnist"]))
  }

  /// `--validation-count` defaults to the dataset's usual split and is
  /// taken from older checkpoints' options as that default.
  @Test func validationCountDefaultsToTheDatasetsSplit() throws {
    #expect(ExampleOptions(dataset: .mnist).validationCount == 10_000 && ExampleOptions(dataset: .cifar10).validationCount == 5_000)
    #expect(try parse(["--validation-count", "20"]).validationCount == 20)
    #expect(throws: UsageError.self) { try parse(["--validation-count", "0"]) }
    let old = try JSONDecoder().decode(ExampleOptions.self, from: Data(#"{"dataset":"cifar10"}"#.utf8))
    #expect(old.validationCount == 5_000 && old.allowedChanges == nil)
  }

  /// A resumed run's options are compared with the checkpoint's: every
  /// difference with both values, flag pairs as one entry, options that do
  /// not change what was trained and those `--allow-changes` names skipped.
  @Test func resumeDifferencesListEveryChangeExceptAllowedOnes() throws {
    let recorded = try parse(["--seed", "1", "--learner", "conv"])
    let requested = try parse(
      ["--seed", "2", "--learner", "mlp", "--augment", "--outer-iterations", "900", "--threads", "3", "--evaluation-seeds", "2",
       "--checkpoint-every", "5", "--output", "elsewhere", "--quiet", "--resume", "--time-budget", "5"])
    #expect(requested.differences(fromRecorded: recorded) == [
      OptionDifference(flag: "--seed", old: "1", new: "2"), OptionDifference(flag: "--learner", old: "conv", new: "mlp"),
      OptionDifference(flag: "--augment", old: "off", new: "on"),
    ])
    let allowed = try parse(["--seed", "2", "--learner", "mlp", "--augment", "--allow-changes", "seed,--no-augment"])
    #expect(allowed.differences(fromRecorded: recorded) == [OptionDifference(flag: "--learner", old: "conv", new: "mlp")])
    #expect(try parse(["--intermediate-losses", "4"]).differences(fromRecorded: recorded).contains(
      OptionDifference(flag: "--intermediate-losses", old: "unset", new: "4")))
    #expect(recorded.differences(fromRecorded: recorded).isEmpty)
  }

  /// A checkpoint written before `--recipe` existed resumes under the
  /// default recipe of the same values: the recipe and the number of
  /// parallel learners may differ, the values a recipe sets may not.
  @Test func recipesResumeOlderCheckpoints() throws {
    var recorded = recipeDefaults
    recorded.recipe = nil
    let resumed = try parse(["--resume", "--parallel-learners", "2"], defaults: recipeDefaults)
    #expect(resumed.recipe == .mlp && resumed.differences(fromRecorded: recorded).isEmpty)
    let switched = try parse(["--resume", "--time-budget", "10"], defaults: recipeDefaults)
    #expect(switched.differences(fromRecorded: recorded).map(\.flag).contains("--learner"))
  }

  @Test func allowChangesNamesOptions() throws {
    #expect(try parse(["--allow-changes", "seed, --learner"]).allowedChanges == ["seed", "--learner"])
    let error = try #require(throws: UsageError.self) { try parse(["--allow-changes", "seed,colour"]) }
    #expect(error.message.contains("'colour'") && error.message.contains("learning-rate"))
    #expect(throws: UsageError.self) { try parse(["--allow-changes", "paper"]) }
  }

  /// A value that starts with `--` is reproduced in the `--flag=value`
  /// form, which parses back to it.
  @Test func valuesStartingWithDashesReproduce() throws {
    let o = try parse(["--output=--odd", "--data-dir=--x=y"])
    #expect(o.output == "--odd" && o.dataDirectory == "--x=y")
    let again = try parse(o.commandLineArguments)
    #expect(again.output == "--odd" && again.dataDirectory == "--x=y")
  }

  @Test func helpReturnsNil() throws {
    #expect(try ExampleOptions.parse(["--help"], defaults: defaults, datasets: datasets) == nil)
    #expect(try ExampleOptions.parse(["--seed", "3", "-h"], defaults: defaults, datasets: datasets) == nil)
  }

  /// The help text lists every declared option with its default and range
  /// or choices.
  @Test func helpListsEveryOption() {
    let help = ExampleOptions.usage(program: "mnist-gtn", summary: "Summary.", defaults: defaults, datasets: datasets)
    for option in ExampleOptions.commandLineOptions(datasets: datasets) {
      #expect(help.contains("  \(option.name)"), "help lacks \(option.name)")
    }
    for text in ["--time-budget MINUTES", "--evaluation-split SPLIT", "(default: 32; range [1, 4096])", "range (0, 10]",
                 "one of mlp, conv, conv-bn, conv-wn, strided, paper", "one of learned, random, shuffled, shuffled-batches, pixels", "one of mnist, fashion-mnist", "range [1, 65536]",
                 "range [1, 1000]", "range [1, 1024]", "range [1, 10000000]", "range (0, 100000]", "-h, --help"] {
      // Long entries wrap: compare with the lines joined.
      #expect(help.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(text), "help lacks '\(text)'")
    }
    let cifar = ExampleOptions.usage(program: "cifar-gtn", summary: "", defaults: ExampleOptions(dataset: .cifar10), datasets: [.cifar10])
    #expect(cifar.contains("CIFAR-10 setup"))
  }

  @Test(arguments: [
    (["--inner-steps", "0"], "--inner-steps expects an integer in [1, 4096], got '0'"),
    (["--inner-steps", "4097"], "--inner-steps expects an integer in [1, 4096], got '4097'"),
    (["--batch-size=65537"], "--batch-size expects an integer in [1, 65536], got '65537'"),
    (["--threads", "2.0"], "--threads expects an integer in [1, 1024], got '2.0'"),
    (["--evaluation-seeds", "1001"], "--evaluation-seeds expects an integer in [1, 1000], got '1001'"),
    (["--outer-iterations", "10000001"], "--outer-iterations expects an integer in [1, 10000000], got '10000001'"),
    (["--dataset", "cifar"], "--dataset expects one of mnist, fashion-mnist, got 'cifar'"),
    (["--seed"], "--seed needs a value"),
    (["--seed", "-1"], "--seed expects an integer in [0, 18446744073709551615], got '-1'"),
    (["--output", "--quiet"], "--output needs a value"),
    (["--output="], "--output needs a value"),
    (["--inner-momentum", "1.5"], "--inner-momentum expects a finite number in (0, 1), got '1.5'"),
    (["--learning-rate", "0"], "--learning-rate expects a finite number in (0, 10], got '0'"),
    (["--learning-rate", "inf"], "--learning-rate expects a finite number in (0, 10], got 'inf'"),
    (["--learning-rate", "nan"], "--learning-rate expects a finite number in (0, 10], got 'nan'"),
    (["--time-budget", "-infinity"], "--time-budget expects a finite number in (0, 100000], got '-infinity'"),
    (["--time-budget", "100001"], "--time-budget expects a finite number in (0, 100000], got '100001'"),
    (["--bogus"], "unknown option '--bogus' (see --help)"),
    (["--bogus=3"], "unknown option '--bogus' (see --help)"),
    (["stray"], "unexpected argument 'stray' (see --help)"),
    (["--evaluation-steps", "8,x"], "--evaluation-steps expects comma-separated values, each an integer in [1, 65536], got '8,x'"),
    (["--adam-beta2", "1"], "--adam-beta2 expects a finite number in (0, 1), got '1'"),
    (["--seed", "3", "--seed", "4"], "--seed is given twice"),
    (["--paper", "--paper"], "--paper is given twice"),
    (["--augment", "--no-augment"], "--no-augment conflicts with --augment"),
    (["--resume=yes"], "--resume takes no value, got '--resume=yes'"),
    (["--evaluation-split", "train"], "--evaluation-split expects one of test, validation, got 'train'"),
  ])
  func badArgumentsAreNamed(arguments: [String], message: String) {
    #expect(throws: UsageError(message: message)) {
      try ExampleOptions.parse(arguments, defaults: defaults, datasets: datasets)
    }
  }
}
