import GTNCore
import GTNSearch

/// A dataset the examples meta-train on; the raw value is its command-line
/// name.
public enum DatasetKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  case mnist
  case fashionMNIST = "fashion-mnist"
  case cifar10
}

/// A named learner architecture; the raw value is its command-line name.
public enum LearnerKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// One hidden layer of 128 units.
  case mlp
  /// Convolutions of 16 and 32 channels with max pooling.
  case conv
  /// `conv` with mean-only batch normalisation.
  case convBatchNorm = "conv-bn"
  /// `conv-bn` with weight-normalised layers.
  case convWeightNorm = "conv-wn"
  /// conv W, 2W stride 2, 2W, 4W stride 2, 4W, global average pooling, FC.
  case strided
  /// The paper's learner for the dataset.
  case paper

  /// How many widths `--learner-width W` sets (W, 2W, …): 2 for the
  /// `conv` learners, 3 for `strided`, 0 for learners of fixed widths.
  public var widthCount: Int {
    switch self {
    case .conv, .convBatchNorm, .convWeightNorm: 2
    case .strided: 3
    case .mlp, .paper: 0
    }
  }
}

/// A search space of GTNSearch; the raw value is its command-line name.
public enum SearchSpaceKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// Stacks of convolution blocks (``GTNSearch/MacroSearchSpace``).
  case macro
  /// NASNet/ENAS-style normal and reduction cells (``GTNSearch/CellSearchSpace``).
  case cell
}

/// The learner option: a named architecture, or architectures of one of
/// GTNSearch's spaces, one drawn per outer iteration — listed
/// (`macro:ENC,…`) or drawn from the run's seed (`macro:N`, `cell:N`).
///
/// Spelled as today's strings (`"conv-bn"`, `"macro:c16k3p-c32k3p,c8k5p"`,
/// `"cell:16"`), on the command line and in JSON.
public enum LearnerChoice: Hashable, Sendable {
  /// A named architecture.
  case named(LearnerKind)
  /// Macro-space encodings such as `c16k3p-c32k3p`, each one valid.
  case macro([String])
  /// `count` distinct architectures drawn from a space in the
  /// configuration `gtn-nas` searches by default, sized for the data, the
  /// cell space with `--learner-width` initial channels (see
  /// ``ExampleRunner/drawnArchitectures()``): a GTN for scoring that space.
  case drawn(SearchSpaceKind, count: Int)

  /// The prefix of the macro form.
  static let macroPrefix = "macro:"
  /// The largest `N` of `SPACE:N`.
  public static let maximumDrawnCount = 4096
}

extension LearnerChoice: RawRepresentable, Codable, CommandLineValue, CustomStringConvertible {
  /// Parses a learner name, `macro:ENC,…` or `SPACE:N`; `nil` unless every
  /// encoding is an architecture of the macro space, or `N` is in
  /// 1…``maximumDrawnCount``.
  public init?(rawValue: String) {
    if let kind = LearnerKind(rawValue: rawValue) {
      self = .named(kind)
      return
    }
    for space in SearchSpaceKind.allCases where rawValue.hasPrefix(space.rawValue + ":") {
      let rest = rawValue.dropFirst(space.rawValue.count + 1)
      if rest.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(rest), (1...Self.maximumDrawnCount).contains(count) {
        self = .drawn(space, count: count)
        return
      }
    }
    guard rawValue.hasPrefix(Self.macroPrefix) else { return nil }
    let encodings = rawValue.dropFirst(Self.macroPrefix.count).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let space = MacroSearchSpace()
    guard !encodings.isEmpty, encodings.allSatisfy({ space.architecture(decoding: $0) != nil }) else { return nil }
    self = .macro(encodings)
  }

  public var rawValue: String {
    switch self {
    case .named(let kind): kind.rawValue
    case .macro(let encodings): Self.macroPrefix + encodings.joined(separator: ",")
    case .drawn(let space, let count): "\(space.rawValue):\(count)"
    }
  }

  public static var expectation: String {
    "one of \(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")), macro:ENC,… with macro-space encodings "
      + "such as macro:c16k3p-c32k3p,c8k5p, or macro:N or cell:N with N in [1, \(maximumDrawnCount)]"
  }

  public static var choices: [String]? { LearnerKind.allCases.map(\.rawValue) + ["macro:ENC,…", "macro:N", "cell:N"] }

  /// Checks that `--learner-width` sets this learner's widths.
  ///
  /// - Throws: ``UsageError`` naming the learners it applies to when this
  ///   one has fixed widths (`mlp`, `paper`, macro-space architectures).
  public func checkTakesWidths() throws(UsageError) {
    if case .named(let kind) = self, kind.widthCount > 0 { return }
    if case .drawn(.cell, _) = self { return }
    let takers = LearnerKind.allCases.filter { $0.widthCount > 0 }.map(\.rawValue).joined(separator: ", ")
    throw UsageError(
      message: "--learner-width sets the widths of the \(takers) learners and the initial channels of cell:N; --learner \(rawValue) "
        + "has fixed widths")
  }

  /// Throws unless the learner is one of the `conv` learners, whose head
  /// `--learner-hidden-units` sets.
  public func checkTakesHiddenUnits() throws(UsageError) {
    if case .named(let kind) = self, kind.widthCount == 2 { return }
    let takers = LearnerKind.allCases.filter { $0.widthCount == 2 }.map(\.rawValue).joined(separator: ", ")
    throw UsageError(message: "--learner-hidden-units sets the head of the \(takers) learners, not of --learner \(rawValue)")
  }

  public init?(argument: String) { self.init(rawValue: argument) }

  public var argumentDescription: String { rawValue }

  public var description: String { rawValue }
}

/// A generator architecture; the raw value is its command-line name.
public enum GeneratorKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// Fully connected, one hidden layer of 256 units.
  case mlp
  /// The lean convolutional generator.
  case conv
  /// The paper's generator.
  case paper
}

/// How the generator's inputs are chosen; the raw value is its command-line
/// name.
public enum CurriculumKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// Noise and labels learned per inner step.
  case learned
  /// Fresh random noise at every inner step.
  case random
  /// The learned inputs, every sample in a random place each outer
  /// iteration (the paper's "all shuffled").
  case shuffled
  /// The learned batches, whole, in a random order each outer iteration
  /// (the paper's "shuffled batch").
  case shuffledBatches = "shuffled-batches"
  /// Learned pixels directly, without a generator.
  case pixels

  /// Whether the curriculum can learn soft labels (`--soft-labels`): it
  /// keeps each sample at its place, so a learned label can go with it.
  public var learnsSoftLabels: Bool { self == .learned || self == .pixels }
}

/// How a pixel curriculum's images start (`--pixel-initialization`); the
/// raw value is its command-line name.
public enum PixelInitialization: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// Gaussian noise with standard deviation 0.5.
  case noise
  /// A random training image of each sample's class, as DC and DSA start
  /// (``GTNCore/PixelCurriculum/initialImages(from:using:)``). A head start
  /// for short budgets: five minutes of `conv-bn-pixels` on one thread teach
  /// 96.2% after 32 steps (validation) against 89.7% from noise; after an
  /// hour both teach 98.2%, and noise more after 4 steps.
  case real
}

/// A named set of defaults for meta-training on MNIST or Fashion-MNIST
/// (`--recipe`), applied before the other flags, which override it.
public enum RecipeKind: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// `conv-bn-pixels` when `--time-budget` is at least
  /// ``automaticPixelMinutes`` minutes, `conv-bn-real-pixels` from
  /// ``automaticConvolutionalMinutes`` (and `--paper` is not given), else
  /// `mlp`.
  case auto
  /// The MLP learner and generator, T = 32 steps of 128 images, the
  /// real-data loss after every step, 800 outer iterations: a clear win over
  /// real data within two minutes, about 90% after 32 steps.
  case mlp
  /// The lean convolutional learner with batch normalisation (`conv-bn`),
  /// T = 32 steps of 64 images, learned soft labels, inner learning rate
  /// 0.1 and momentum 0.5, the real-data loss (on 256 images) after every
  /// 4th step, two learners per outer iteration: 96.0% ± 0.1 after 32 steps
  /// from ten minutes on two cores (four seeds), 97.0% from thirty minutes.
  case convBatchNorm = "conv-bn"
  /// `conv-bn` with the synthetic images and their soft labels learned
  /// directly (`--curriculum pixels`, no generator) at outer learning rate
  /// ``pixelLearningRate``: 97.5% after 32 steps
  /// from ten minutes on two cores (three seeds), where the generator's
  /// images level off near 97%.
  case convBatchNormPixels = "conv-bn-pixels"
  /// `conv-bn-pixels` starting from real images (`--pixel-initialization
  /// real`): a head start for short budgets. On the validation split, five
  /// minutes on one thread teach 96.8% after 32 steps where `conv-bn`
  /// teaches 93.2% (below real data's 93.7%); after ten minutes 97.5%
  /// against 96.5% from noise, but 80.7% against 88.6% after 4 steps.
  case convBatchNormRealPixels = "conv-bn-real-pixels"

  /// The shortest `--time-budget` for which ``auto`` picks a convolutional
  /// recipe, ``convBatchNormRealPixels`` below ``automaticPixelMinutes``.
  /// Below it the MLP recipe teaches 90.2% after 32 steps in five minutes,
  /// ahead of its real data (84.3%) by more than the convolutional learner
  /// is ahead of its own (93.5%) at that budget.
  public static let automaticConvolutionalMinutes: Double = 5

  /// The shortest `--time-budget` for which ``auto`` picks
  /// ``convBatchNormPixels``. Chosen on the validation split (one seed, an
  /// hour shared by three runs): 98.2% after 32 steps with the images
  /// learned directly against 96.8% with the generator; after ten minutes on
  /// the test split, 97.5% against 96.1%, ahead at every step count.
  public static let automaticPixelMinutes: Double = 10

  /// The outer Adam learning rate of the pixel recipes
  /// (``convBatchNormPixels``, ``convBatchNormRealPixels``), three times the
  /// generator's: images learned directly move further per outer step
  /// before the meta-loss turns noisy. Chosen on the validation split
  /// (15 minutes, one thread, seed 1): 97.6% after 32 steps against 96.7%
  /// at 0.01. A curriculum of another kind keeps 0.01.
  public static let pixelLearningRate: Float = 0.03

  /// The recipe `auto` stands for, given the time budget and whether
  /// `--paper` sets the recipe instead; other kinds stand for themselves.
  public func resolved(timeBudgetMinutes: Double?, paper: Bool) -> RecipeKind {
    guard self == .auto else { return self }
    guard !paper, let minutes = timeBudgetMinutes, minutes >= Self.automaticConvolutionalMinutes else { return .mlp }
    return minutes >= Self.automaticPixelMinutes ? .convBatchNormPixels : .convBatchNormRealPixels
  }

  /// Whether the recipe learns the images directly (`--curriculum pixels`).
  public var learnsPixels: Bool { self == .convBatchNormPixels || self == .convBatchNormRealPixels }
}

/// The images the final evaluation reports accuracy on.
public enum EvaluationSplit: String, CaseIterable, Codable, Sendable, CommandLineValue {
  /// The test split.
  case test
  /// The validation images beyond the first 2,000 (on which the real-data
  /// baseline tunes its learning rate), to choose recipes without touching
  /// the test split.
  case validation
}

/// Cell-space operations are given by name (`--cell-operations
/// identity,sepconv3x3`).
extension CellOperation: CommandLineValue {}

extension SyntheticDataExport.Format: CommandLineValue {}

/// `f32` or `bf16` on the command line.
extension Precision: CommandLineValue {
  public static var expectation: String { "f32 or bf16" }
  public static var choices: [String]? { ["f32", "bf16"] }
  public init?(argument: String) {
    switch argument {
    case "f32", "float32": self = .float32
    case "bf16", "bfloat16": self = .bfloat16
    default: return nil
    }
  }
  public var argumentDescription: String { self == .float32 ? "f32" : "bf16" }
}
