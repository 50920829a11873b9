import GTNCore
#if canImport(Glibc)
import Glibc
#endif

BLASRuntime.reexecutingWithFastKernelIfNeeded()
let args = CommandLine.arguments
let threads = args.count > 2 ? Int(args[2])! : 1
BLASRuntime.threadCount = threads
print("core", BLASRuntime.coreName, "threads", BLASRuntime.threadCount)
print("sgemm GFLOP/s", BLASRuntime.measureSgemmGFLOPS(size: 1024, repetitions: 5))
var rng = SplitMix64(seed: 1)
let real = Tensor(randomUniform: [256, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
let labels = (0..<256).map { $0 % 10 }
let which = args.count > 1 ? args[1] : "w1"
var trainer: MetaTrainer
var realX = real
var realY = labels
if which == "w1" {
  trainer = MetaTrainer(generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 16, batchSize: 64, noiseSize: 64),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.9), learners: [Sequential.mlpLearner()],
    configuration: MetaTrainingConfiguration(iterations: 100, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil), seed: 1)
} else {
  trainer = MetaTrainer(generator: ConditionalGenerator.smallConv(), curriculum: LearnedCurriculum(stepCount: 32, batchSize: 128, noiseSize: 64),
    optimizer: SGDWithMomentum(learningRate: 0.02, momentum: 0.9), learners: [Sequential.smallConvLearner()],
    configuration: MetaTrainingConfiguration(iterations: 100, learningRate: 1e-3, finalLearningRateFraction: 1, gradientClipNorm: nil), seed: 1)
  realX = real.slice(alongAxis: 0, 0..<128); realY = Array(labels.prefix(128))
}
let clock = ContinuousClock()
for i in 0..<4 {
  var r: MetaTrainer.StepResult? = nil
  let d = clock.measure { r = try! trainer.step(realImages: realX, realLabels: realY) }
  print(i, d, r!.metaLoss)
}
