// gtn-bench — the canonical benchmark workloads (W1 meta-mlp, W2 meta-conv,
// W3 inner-conv; see Benchmarks/README.md), plus the BLAS and learner figures
// behind them. Prints one JSON line per result.
//
// Under `mpirun -np N`, W1 and W2 run data-parallel (GTNDistributed): every
// rank meta-trains its own learner each outer step and the meta-gradients are
// averaged; rank 0 reports seconds per outer step and the ranks. Compare
// with the 1-rank figure for the scaling efficiency.

import Foundation
import GTNCore
import GTNData
import GTNDistributed
import GTNSearch

#if canImport(Glibc)
import Glibc
#endif

BLASRuntime.reexecutingWithFastKernelIfNeeded()
AllocatorTuning.keepLargeAllocationsInHeap()

struct Options {
  var workloads = ["all"]
  var threads: [Int] = []
  var reps = 10
  var warmup = 2
  var check = false
  var checkpointSegment: Int? = nil
  var convolutions = ConvolutionBackend.current
  var precision = Precision.float32
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("gtn-bench: \(message)\n".utf8))
  exit(2)
}

let usage = """
  USAGE: gtn-bench [--workload w1|w2|w3|w4|sgemm|learner|cell|all] [--threads N[,M]] [--reps N] [--warmup N] [--check]
                   [--checkpoint-segment K] [--convolutions oneDNN|builtin] [--precision f32|bf16]

  Runs the benchmark workloads of Benchmarks/README.md and prints one JSON line per result:
  median, min and max wall-clock seconds per outer step (W1, W2) or per evaluated
  architecture (W3) over --reps repetitions after --warmup, the process's peak resident
  memory, GFLOP/s, and the fraction of the measured peak of the cores used (one core's
  float32 multiply-add peak, measured once, times threads and ranks). --threads runs each workload at each thread count (default: 1 and all cores): the
  package's kernels get the threads (convolutions split their batch, large matrix products
  their result) with single-threaded BLAS; sgemm gives them to BLAS instead
  (GTN_BENCH_BLAS_THREADS=N forces N BLAS threads for all).
  --check verifies the meta-gradients of W1 and of W4 reduced in size (widths a sixteenth, T = 4,
  B = 8; convolutions on the --convolutions backend) against finite differences first, and that
  every instruction-set build of the elementwise kernels this CPU can run gives the same bits.
  --checkpoint-segment K computes the W1, W2 or W4 meta-gradient with gradient checkpointing (segments of K
  inner steps; same gradient, less memory, one extra forward pass); workload names get "-ckptK".
  --convolutions runs convolutions on oneDNN (the default where available) or on im2col and
  OpenBLAS (builtin); every result line names the backend.
  --precision bf16 runs matrix products and convolutions with bfloat16 inputs and float32 accumulation
  (Precision.bfloat16) on any CPU, so that it can be measured everywhere; it is fast only where oneDNN uses
  AMX tiles (every result line names the precision and oneDNN's instruction set). With --check it first
  prints the cosine similarity of the bf16 and f32 meta-gradients of W1, W2 and W4 from the same initial
  values and fails below 0.999; beside it, as a control, the cosine of the f32 meta-gradient from the
  learner's initial parameters rounded to bfloat16 against the exact one (what a rounding of that size
  alone does to the meta-gradient).
  w4 is W2 at the paper's MNIST widths (Benchmarks/README.md); not part of all.
  cell times forward and backward of CellSearchSpace learners (16 and 8 initial channels, architectures
  sampled with seeds 1–3, all-sepconv3x3 and all-conv3x3 cells) on a batch of 128; not part of all.
  Real images are Fashion-MNIST (Debian's dataset-fashion-mnist, or $GTN_DATA_DIR).
  """

func parseOptions() -> Options {
var options = Options()
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
  let flag = arguments.removeFirst()
  func value() -> String {
    guard !arguments.isEmpty else { fail("\(flag) needs a value") }
    return arguments.removeFirst()
  }
  switch flag {
  case "--workload": options.workloads = value().split(separator: ",").map(String.init)
  case "--threads":
    let text = value()
    options.threads = text.split(separator: ",").map { Int($0) ?? 0 }
    if options.threads.contains(where: { $0 < 1 }) { fail("--threads expects positive integers, got '\(text)'") }
  case "--reps":
    let text = value()
    guard let n = Int(text), n >= 1 else { fail("--reps expects an integer ≥ 1, got '\(text)'") }
    options.reps = n
  case "--warmup":
    let text = value()
    guard let n = Int(text), n >= 0 else { fail("--warmup expects an integer ≥ 0, got '\(text)'") }
    options.warmup = n
  case "--check": options.check = true
  case "--checkpoint-segment":
    let text = value()
    guard let n = Int(text), n >= 1 else { fail("--checkpoint-segment expects an integer ≥ 1, got '\(text)'") }
    options.checkpointSegment = n
  case "--convolutions":
    let text = value()
    guard let backend = ConvolutionBackend(rawValue: text) else {
      fail("--convolutions expects one of \(ConvolutionBackend.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
    }
    options.convolutions = backend
  case "--precision":
    switch value() {
    case "f32", "float32": options.precision = .float32
    case "bf16", "bfloat16": options.precision = .bfloat16
    case let text: fail("--precision expects f32 or bf16, got '\(text)'")
    }
  case "-h", "--help":
    print(usage)
    exit(0)
  default: fail("unknown argument '\(flag)'\n\(usage)")
  }
}
let known = ["w1", "w2", "w3", "w4", "sgemm", "learner", "cell", "all"]
for w in options.workloads where !known.contains(w) { fail("--workload expects one of \(known.joined(separator: ", ")), got '\(w)'") }
if options.workloads.contains("all") { options.workloads = ["sgemm", "w1", "w2", "w3"] }
if options.threads.isEmpty {
  let cores = ProcessInfo.processInfo.activeProcessorCount
  options.threads = cores > 1 ? [1, cores] : [1]
}
return options
}
let options = parseOptions()
/// The ranks (one without mpirun); rank 0 prints.
let communicator = MPICommunicator.launchedOrSingleProcess()

// MARK: - Measurement

func peakResidentMegabytes() -> Double { statusField("VmHWM:") }
func residentMegabytes() -> Double { statusField("VmRSS:") }

func statusField(_ name: String) -> Double {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
  for line in text.split(separator: "\n") where line.hasPrefix(name) {
    let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
    return kb / 1024
  }
  return 0
}

/// Minor page faults of this process so far (pages the kernel had to map,
/// and usually zero, on first touch).
func minorPageFaults() -> Int {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return usage.ru_minflt
}

/// One core's float32 multiply-add peak in GFLOP/s, measured once, when the
/// first result needs it (between workloads, so on an otherwise idle core).
enum FMAPeak {
  static let perCore = KernelRuntime.measureFMAPeakGFLOPS()
}

/// CPU seconds this process has used (all threads).
func processCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func report(_ workload: String, threads: Int, times: [Double], flops: Double, extra: [String: Any] = [:]) {
  let sorted = times.sorted()
  let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  var line: [String: Any] = [
    "framework": "swift-gtn", "workload": workload, "threads": threads,
    "median_s": median, "min_s": sorted.first ?? 0, "max_s": sorted.last ?? 0,
    "peak_rss_mb": (peakResidentMegabytes() * 10).rounded() / 10, "flops_per_step": flops,
    "gflops_per_s": (flops / median / 1e9 * 10).rounded() / 10, "blas_core": BLASRuntime.coreName, "cpu": Processor.current.description, "kernels_isa": KernelRuntime.instructionSet, "precision": options.precision.rawValue, "onednn_isa": Precision.instructionSet,
    "blas_threads": BLASRuntime.threadCount, "convolutions": ConvolutionBackend.current.rawValue,
  ]
  if flops > 0 {
    // The step's rate against the cores it had: `threads` on each rank.
    let peak = FMAPeak.perCore
    line["fma_peak_gflops_per_core"] = (peak * 10).rounded() / 10
    let cores = Double(threads * communicator.size)
    let fraction: Double = flops / median / 1e9 / (peak * cores)
    line["fraction_of_fma_peak"] = (fraction * 1000).rounded() / 1000
  }
  for (k, v) in extra { line[k] = v }
  guard communicator.rank == 0 else { return }
  let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
  print(String(decoding: data, as: UTF8.self))
}

func time(reps: Int, warmup: Int, _ body: () throws -> Void) rethrows -> [Double] {
  let clock = ContinuousClock()
  for _ in 0..<warmup { try body() }
  return try (0..<reps).map { _ in try clock.measure(body).inSeconds }
}

// MARK: - Data

/// Fashion-MNIST scaled to [-1, 1]; uniform noise of the same shape when the
/// data cannot be found (said on stderr), so the timing still runs.
func fashionMNIST(_ split: Dataset.Split, count: Int) -> (Tensor, [Int]) {
  do {
    let data = try Dataset.fashionMNIST(split: split, normalization: .minusOneToOne).subset(0..<count)
    return (data.images, data.labels)
  } catch {
    FileHandle.standardError.write(Data("gtn-bench: \(error)\ngtn-bench: timing on random images instead\n".utf8))
    var rng = SplitMix64(seed: 99)
    return (Tensor(randomUniform: [count, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng), (0..<count).map { $0 % 10 })
  }
}

// MARK: - Workloads

/// W1: MLP generator and learner, T = 16, B = 64, 256 real images.
func w1Trainer() throws -> MetaTrainer {
  try MetaTrainer(
    generator: ConditionalGenerator.mlp(noiseSize: 64, hiddenSize: 256),
    curriculum: LearnedCurriculum(stepCount: 16, batchSize: 64, noiseSize: 64),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.9),
    learners: [Sequential.mlpLearner(inputSize: 784, hiddenSize: 128)],
    configuration: MetaTrainingConfiguration(
      iterations: 1_000_000, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil),
    seed: 1)
}

/// W2: convolutional generator and learner, T = 32, B = 128, 128 real images.
func w2Trainer() throws -> MetaTrainer {
  try MetaTrainer(
    generator: ConditionalGenerator.smallConv(noiseSize: 64),
    curriculum: LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.9),
    learners: [Sequential.smallConvLearner()],
    configuration: MetaTrainingConfiguration(
      iterations: 1_000_000, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil),
    seed: 1)
}

/// W4: W2 at the paper's MNIST widths (noise 128, generator 1024 → 128·7·7
/// → conv 64 → conv 1; learner conv 64, conv 128, FC 256), T = 32, B = 128,
/// 128 real images. `stepCount` shortens the unroll for the precision check.
func w4Trainer(stepCount: Int = 32, innerLearningRate: Float = 0.02) throws -> MetaTrainer {
  let generator = ConditionalGenerator(noiseSize: 128, classCount: 10, network: Sequential(
    Linear(138, 1024), LeakyReLU(0.1), Linear(1024, 128 * 7 * 7), LeakyReLU(0.1), Reshape([128, 7, 7]),
    Upsample(factor: 2), Conv2D(128, 64), LeakyReLU(0.1), Upsample(factor: 2), Conv2D(64, 1), Tanh()))
  let learner = Sequential(
    Conv2D(1, 64), LeakyReLU(0.1), MaxPool2D(), Conv2D(64, 128), LeakyReLU(0.1), MaxPool2D(),
    Flatten(), Linear(128 * 7 * 7, 256), LeakyReLU(0.1), Linear(256, 10))
  return try MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: stepCount, batchSize: 128, noiseSize: 128),
    optimizer: SGDWithMomentum(learningRate: innerLearningRate, momentum: 0.9), learners: [learner],
    configuration: MetaTrainingConfiguration(
      iterations: 1_000_000, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil),
    seed: 1)
}

/// One outer step per repetition. With one rank this is `MetaTrainer.step`;
/// under mpirun every rank samples its own learner (all use the workload's
/// real images) and the step ends with the meta-gradient all-reduce, so
/// rank 0's time per step includes waiting for the slowest rank.
func runMeta(_ name: String, trainer make: () throws -> MetaTrainer, realCount: Int, flops: Double, threads: Int) throws {
  var trainer = try make()
  var name = name
  if let k = options.checkpointSegment {
    trainer.configuration.checkpointSegmentLength = k
    name += "-ckpt\(k)"
  }
  let (x, y) = fashionMNIST(.train, count: realCount)
  var distributed = communicator.size > 1 ? DistributedMetaTrainer(trainer: trainer, communicator: communicator) : nil
  var firstRSS = 0.0
  var losses: [Float] = []
  var computeTimes: [Double] = []
  var reductionTimes: [Double] = []
  var rep = 0
  var cpuAtFirstTimedRep = 0.0
  var faultsAtFirstTimedRep = 0
  let times = try time(reps: options.reps, warmup: options.warmup) {
    if rep == options.warmup { (cpuAtFirstTimedRep, faultsAtFirstTimedRep) = (processCPUSeconds(), minorPageFaults()) }
    if distributed != nil {
      let result = try distributed!.step { _, _ in (x, y) }
      losses.append(result.metaLoss)
      computeTimes.append(result.computeSeconds)
      reductionTimes.append(result.reductionSeconds)
    } else {
      do {
        losses.append(try trainer.step(realImages: x, realLabels: y).metaLoss)
      } catch MetaTrainingError.nonFiniteMetaLoss {
        // The step's work is done (only the outer update is skipped): the
        // timing stands, and the result line says the loss was not finite.
        losses.append(.nan)
      }
    }
    rep += 1
    if rep == options.warmup + 1 { firstRSS = residentMegabytes() }
  }
  var extra: [String: Any] = [
    "rss_after_first_rep_mb": (firstRSS * 10).rounded() / 10,
    "rss_after_last_rep_mb": (residentMegabytes() * 10).rounded() / 10,
    "last_meta_loss": losses.last.map { $0.isFinite ? Double($0) as Any : "nan" as Any } ?? "nan",
    "non_finite_steps": losses.filter { !$0.isFinite }.count,
    // CPU seconds per timed step used by this process (rank 0): compared
    // with median_s it shows how much of a core the step got.
    "cpu_s_per_step": (processCPUSeconds() - cpuAtFirstTimedRep) / Double(options.reps),
    // Pages first touched per timed step: near zero when freed memory is
    // reused (`AllocatorTuning`), millions when large tensors get fresh pages.
    "page_faults_per_step": (minorPageFaults() - faultsAtFirstTimedRep) / options.reps,
  ]
  if let distributed {
    try distributed.verifyIdenticalState()
    extra["ranks"] = communicator.size
    extra["learners_per_step"] = communicator.size
    // Rank 0's own meta-gradient time and its time in the all-reduce
    // (mostly waiting for the slower rank), medians over the timed steps.
    let median = { (xs: [Double]) -> Double in let s = xs.suffix(options.reps).sorted(); return s[s.count / 2] }
    extra["rank0_compute_median_s"] = median(computeTimes)
    extra["rank0_allreduce_median_s"] = median(reductionTimes)
  }
  report(name, threads: threads, times: times, flops: flops * Double(communicator.size), extra: extra)
}

func runW3(threads: Int) {
  let (images, _) = fashionMNIST(.train, count: 128 * 128)
  let (heldOut, heldOutLabels) = fashionMNIST(.test, count: 1000)
  let (_, labels) = fashionMNIST(.train, count: 128 * 128)
  let learner = Sequential.smallConvLearner()
  let sgd = SGDWithMomentum(learningRate: 0.02, momentum: 0.9)
  var accuracy = 0.0
  var seed: UInt64 = 0
  let batches = (0..<128).map { s in
    (images.slice(alongAxis: 0, (s * 128)..<((s + 1) * 128)),
     CurriculumBatch.oneHot(Array(labels[(s * 128)..<((s + 1) * 128)]), classCount: 10))
  }
  let times = time(reps: options.reps, warmup: options.warmup) {
    seed += 1
    var rng = SplitMix64(seed: seed)
    let theta = LearnerTraining.train(
      learner, parameters: learner.makeParameters(using: &rng), steps: 128,
      optimizer: sgd, metaParameters: sgd.makeMetaParameters(), batch: { batches[$0] })
    accuracy = learner.accuracy(parameters: theta, images: heldOut, labels: heldOutLabels)
  }
  report("w3-inner-conv", threads: threads, times: times, flops: 99.8e9, extra: ["held_out_accuracy": accuracy])
}

/// sgemm throughput through the package (1024³ products).
func runSgemm(threads: Int) {
  let gflops = BLASRuntime.measureSgemmGFLOPS(size: 1024, repetitions: 10)
  let line: [String: Any] = [
    "framework": "swift-gtn", "workload": "sgemm-1024", "threads": threads, "gflops_per_s": (gflops * 10).rounded() / 10,
    "fma_peak_gflops_per_core": (FMAPeak.perCore * 10).rounded() / 10,
    "fraction_of_fma_peak": (gflops / (FMAPeak.perCore * Double(threads)) * 1000).rounded() / 1000,
    "blas_core": BLASRuntime.coreName, "cpu": Processor.current.description, "kernels_isa": KernelRuntime.instructionSet, "precision": options.precision.rawValue, "onednn_isa": Precision.instructionSet,
  ]
  print(String(decoding: try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
}

/// Forward and backward of the W2 learner on a batch of 128.
func runLearner(threads: Int) {
  let learner = Sequential.smallConvLearner()
  var rng = SplitMix64(seed: 3)
  let parameters = learner.makeParameters(using: &rng)
  let (x, y) = fashionMNIST(.train, count: 128)
  let times = time(reps: options.reps, warmup: options.warmup) {
    let p = parameters.map { Variable($0, requiresGradient: true) }
    let loss = crossEntropy(logits: learner(Variable(x), parameters: p[...]), labels: y)
    _ = gradients(of: loss, withRespectTo: p)
  }
  // Forward 0.44 GFLOP (convs and the linear layer at batch 128), backward twice that.
  report("learner-w2-forward-backward", threads: threads, times: times, flops: 3 * 0.4445e9)
}

/// Forward and backward of cell-space learners on a batch of 128: the
/// default ``CellSearchSpace`` (4 nodes, cells normal–reduction–normal–
/// reduction) at 16 and 8 initial channels, three sampled architectures and
/// two whose every branch is a separable, or a plain, 3×3 convolution.
func runCellLearners(threads: Int) {
  for channels in [16, 8] { runCellLearners(space: CellSearchSpace(initialChannels: channels), threads: threads) }
}

func runCellLearners(space: CellSearchSpace, threads: Int) {
  let (x, y) = fashionMNIST(.train, count: 128)
  var architectures: [(String, CellArchitecture)] = (1...3).map { seed in
    var rng = SplitMix64(seed: UInt64(seed))
    return ("sampled-seed\(seed)", space.sample(using: &rng))
  }
  for operation in [CellOperation.separableConv3x3, .conv3x3] {
    let cell = CellArchitecture.Cell(nodes: (0..<space.nodeCount).map { i in
      .init(left: .init(input: i + 1, operation: operation), right: .init(input: i, operation: operation))
    })
    architectures.append(("all-\(operation.rawValue)", CellArchitecture(normal: cell, reduction: cell)))
  }
  var everyOperation = space
  everyOperation.operations = CellOperation.allCases
  for (name, architecture) in architectures {
    let learner = everyOperation.learner(for: architecture)
    var rng = SplitMix64(seed: 3)
    let parameters = learner.makeParameters(using: &rng)
    let times = time(reps: options.reps, warmup: options.warmup) {
      let p = parameters.map { Variable($0, requiresGradient: true) }
      let loss = crossEntropy(logits: learner(Variable(x), parameters: p[...]), labels: y)
      _ = gradients(of: loss, withRespectTo: p)
    }
    let sorted = times.sorted()
    let line: [String: Any] = [
      "framework": "swift-gtn", "workload": "cell-learner-forward-backward", "threads": threads,
      "architecture_name": name, "architecture": space.encoding(of: architecture), "initial_channels": space.initialChannels,
      "parameters": parameters.reduce(0) { $0 + $1.scalarCount }, "batch": 128,
      "median_s": sorted[sorted.count / 2], "min_s": sorted.first!, "max_s": sorted.last!,
      "peak_rss_mb": (peakResidentMegabytes() * 10).rounded() / 10, "blas_core": BLASRuntime.coreName, "cpu": Processor.current.description, "kernels_isa": KernelRuntime.instructionSet, "precision": options.precision.rawValue, "onednn_isa": Precision.instructionSet,
    ]
    print(String(decoding: try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
  }
}

/// W1's meta-gradient against central differences of the meta-loss.
///
/// W1 itself cannot be checked by differences: its learner is LeakyReLU, so
/// every inner gradient contains step-function masks, and the unrolled
/// meta-loss *jumps* wherever a pre-activation of any of the ~130,000 inner
/// activations changes sign — any finite step crosses some of them. The check
/// therefore runs W1 exactly (shapes, T, B, optimiser, meta-loss on the same
/// real images) with tanh in place of LeakyReLU, which makes the meta-loss
/// smooth, and compares directional derivatives (along the gradient and two
/// random directions) with a sixth-order central difference; errors are
/// relative to the gradient's norm.
func checkW1() throws {
  let generator = ConditionalGenerator(noiseSize: 64, classCount: 10, network: Sequential(
    Linear(74, 256), Tanh(), Linear(256, 784), Tanh(), Reshape([1, 28, 28])))
  let learner = Sequential(Flatten(), Linear(784, 128), Tanh(), Linear(128, 10))
  let results = try metaGradientCheck(
    generator: generator, learner: learner, stepCount: 16, batchSize: 64, noiseSize: 64, realCount: 256)
  reportMetaGradientCheck("w1-meta-gradient", results)
  // The elementwise kernels' instruction-set builds agree bit for bit.
  let builds = KernelRuntime.compareBuilds()
  print("{\"check\":\"kernel-builds\",\"builds_compared\":\(builds.buildsChecked),\"differing_kernels\":\(builds.differences),\"passed\":\(builds.differences == 0)}")
  if builds.differences != 0 { exit(1) }
}

/// W4's meta-gradient against central differences, on W4 reduced in size.
///
/// The same layers in the same order as W4 — generator Linear, Linear,
/// reshape, up2, conv, up2, one-channel conv, tanh; learner conv, pool, conv,
/// pool, Linear, Linear; SGD with learned momentum, exact second order — at
/// widths a sixteenth of W4's (noise 8, generator 64 → 8·7·7 → conv 4 → conv 1;
/// learner conv 4, conv 8, FC 16), T = 4, B = 8, 32 real images. As in
/// ``checkW1()``, tanh stands in for LeakyReLU and average pooling for max
/// pooling, whose kinks make the unrolled meta-loss jump under any finite
/// step. The multi-channel convolutions run on the selected backend, the
/// single-channel ones on im2col and the direct kernels, as in W4.
func checkW4Reduced() throws {
  let generator = ConditionalGenerator(noiseSize: 8, classCount: 10, network: Sequential(
    Linear(18, 64), Tanh(), Linear(64, 8 * 7 * 7), Tanh(), Reshape([8, 7, 7]),
    Upsample(factor: 2), Conv2D(8, 4), Tanh(), Upsample(factor: 2), Conv2D(4, 1), Tanh()))
  let learner = Sequential(
    Conv2D(1, 4), Tanh(), AveragePool2D(), Conv2D(4, 8), Tanh(), AveragePool2D(),
    Flatten(), Linear(8 * 7 * 7, 16), Tanh(), Linear(16, 10))
  let results = try ConvolutionBackend.$current.withValue(options.convolutions) {
    try metaGradientCheck(generator: generator, learner: learner, stepCount: 4, batchSize: 8, noiseSize: 8, realCount: 32)
  }
  reportMetaGradientCheck("w4-reduced-meta-gradient", results, convolutions: options.convolutions)
}

/// The meta-gradient of a GTN with `generator` and `learner` (SGD with
/// momentum 0.9 at 0.02, a learned curriculum) along the gradient and two
/// random directions, against central differences, on the first
/// `realCount` Fashion-MNIST training images.
func metaGradientCheck(
  generator: ConditionalGenerator, learner: Sequential, stepCount: Int, batchSize: Int, noiseSize: Int, realCount: Int
) throws -> [(analytic: Double, finiteDifference: Double, relativeError: Double)] {
  let trainer = try MetaTrainer(
    generator: generator, curriculum: LearnedCurriculum(stepCount: stepCount, batchSize: batchSize, noiseSize: noiseSize),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.9), learners: [learner],
    configuration: MetaTrainingConfiguration(iterations: 1, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil),
    seed: 1)
  let (x, y) = fashionMNIST(.train, count: realCount)
  var rng = SplitMix64(seed: 5)
  let theta0 = learner.makeParameters(using: &rng)
  return trainer.checkMetaGradient(
    learner: learner, initialParameters: theta0, seed: 7, realImages: x, realLabels: y, randomDirections: 2, using: &rng)
}

/// Prints one line per direction of a meta-gradient check and a verdict;
/// exits with status 1 when an error exceeds 1e-3 of the gradient's norm.
func reportMetaGradientCheck(
  _ name: String, _ results: [(analytic: Double, finiteDifference: Double, relativeError: Double)],
  convolutions: ConvolutionBackend? = nil
) {
  let backend = convolutions.map { "\"convolutions\":\"\($0.rawValue)\"," } ?? ""
  for (k, r) in results.enumerated() {
    print("{\"check\":\"\(name)\",\(backend)\"direction\":\(k == 0 ? "\"gradient\"" : "\"random\""),\"analytic\":\(r.analytic),\"finite_difference\":\(r.finiteDifference),\"error_relative_to_gradient_norm\":\(r.relativeError)}")
  }
  let worst = results.map(\.relativeError).max() ?? .infinity
  let passed = worst < 1e-3
  print("{\"check\":\"\(name)\",\"worst_error_relative_to_gradient_norm\":\(worst),\"passed\":\(passed)}")
  if !passed { exit(1) }
}

/// `x` rounded to the nearest bfloat16 (ties to even), kept as a Float.
func roundedToBFloat16(_ x: Float) -> Float {
  guard x.isFinite else { return x }
  let bits = x.bitPattern
  return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
}

/// The bf16 meta-gradient of `name` against the float32 one from the same
/// initial values (learner, its parameters, seed, real images): their cosine
/// similarity and the relative difference of their norms. As a control, the
/// float32 meta-gradient from the learner's initial parameters rounded to
/// bfloat16 — a perturbation far smaller than bfloat16 arithmetic — against
/// the exact one: how far the problem itself turns its meta-gradient under a
/// rounding of that size, a floor that no reduced-precision kernel can beat.
func checkPrecision(_ name: String, trainer make: () throws -> MetaTrainer, realCount: Int) throws -> Bool {
  let trainer = try make()
  let (x, y) = fashionMNIST(.train, count: realCount)
  let (index, theta0) = trainer.sampleLearner(seed: 11)
  func gradient(_ precision: Precision, from start: [Tensor]) -> (loss: Float, gradient: [Float], seconds: Double) {
    let clock = ContinuousClock()
    var result: (loss: Float, accuracy: Double, gradients: MetaParameters)!
    let seconds = clock.measure {
      result = Precision.$current.withValue(precision) {
        trainer.metaGradient(learner: trainer.learners[index], initialParameters: start, seed: 7, realImages: x, realLabels: y)
      }
    }
    return (result.loss, result.gradients.tensors.flatMap(\.scalars), Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18)
  }
  func cosine(_ u: [Float], _ v: [Float]) -> (cosine: Double, normRatio: Double) {
    var (dot, a, b) = (0.0, 0.0, 0.0)
    for (p, q) in zip(u, v) {
      dot += Double(p) * Double(q)
      a += Double(p) * Double(p)
      b += Double(q) * Double(q)
    }
    return (dot / (a.squareRoot() * b.squareRoot()), (b / a).squareRoot())
  }
  let exact = gradient(.float32, from: theta0)
  let rounded = gradient(.bfloat16, from: theta0)
  let perturbed = gradient(.float32, from: theta0.map { Tensor(shape: $0.shape, scalars: $0.scalars.map(roundedToBFloat16)) })
  let (similarity, normRatio) = cosine(exact.gradient, rounded.gradient)
  let floor = cosine(exact.gradient, perturbed.gradient).cosine
  let finite = similarity.isFinite && exact.loss.isFinite && rounded.loss.isFinite
  let passed = finite && similarity >= 0.999
  func number(_ value: Double) -> Any { value.isFinite ? value : "\(value)" }
  let line: [String: Any] = [
    "check": "\(name)-bf16-meta-gradient", "cosine_to_f32": number(similarity),
    "cosine_f32_from_bf16_rounded_start": number(floor),
    "norm_ratio": number(normRatio), "meta_loss_f32": number(Double(exact.loss)), "meta_loss_bf16": number(Double(rounded.loss)),
    "seconds_f32": exact.seconds, "seconds_bf16": rounded.seconds, "onednn_isa": Precision.instructionSet,
    "threads": Parallelism.threadCount, "passed": passed,
  ]
  print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
  return passed
}

if options.check {
  try checkW1()
  try checkW4Reduced()
}
if options.check && options.precision == .bfloat16 {
  let threads = options.threads.max() ?? 1
  let passed = try ConvolutionBackend.$current.withValue(options.convolutions) {
    try withParallelism(threads: threads) {
      [try checkPrecision("w1", trainer: w1Trainer, realCount: 256), try checkPrecision("w2", trainer: w2Trainer, realCount: 128),
       try checkPrecision("w4-lr0.002", trainer: { try w4Trainer(innerLearningRate: 0.002) }, realCount: 128)]
    }
  }
  if passed.contains(false) { exit(1) }
}
for threads in options.threads {
  // The package's kernels get the threads (convolutions split the batch,
  // matrix products of ≥ 2²² multiply-adds their result, large elementwise
  // kernels their elements); BLAS runs single-threaded inside them. Only
  // the sgemm figure gives BLAS the threads. Measured on W1 with 2 cores
  // since the kernels' workers spin between jobs: 0.025–0.029 s/step (BLAS
  // 1, kernels 2) vs 0.028–0.034 (BLAS 2, kernels 1) vs 0.10 (both 2);
  // W2 and W3 lose 35–45% with 2 BLAS threads. GTN_BENCH_BLAS_THREADS
  // overrides the BLAS thread count for all.
  let blasOverride = ProcessInfo.processInfo.environment["GTN_BENCH_BLAS_THREADS"].flatMap(Int.init)
  try ConvolutionBackend.$current.withValue(options.convolutions) {
  try Precision.$current.withValue(options.precision) {
  try withParallelism(threads: threads) {
    for workload in options.workloads {
      BLASRuntime.threadCount = blasOverride ?? (workload == "sgemm" ? threads : 1)
      switch workload {
      case "sgemm": runSgemm(threads: threads)
      case "learner": runLearner(threads: threads)
      case "cell": runCellLearners(threads: threads)
      case "w1": try runMeta("w1-meta-mlp", trainer: w1Trainer, realCount: 256, flops: 2.71e9, threads: threads)
      case "w2": try runMeta("w2-meta-conv", trainer: w2Trainer, realCount: 128, flops: 140.4e9, threads: threads)
      case "w3": runW3(threads: threads)
      case "w4": try runMeta("w4-meta-conv-wide", trainer: { try w4Trainer() }, realCount: 128, flops: 1746e9, threads: threads)
      default: break
      }
    }
  }
  }
  }
}
