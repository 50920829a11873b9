// The samples in GTNAutodiff's doc comments (`/// ```swift` blocks), one
// function each, compiled by `swift build` and checked against the sources
// by DocumentationSampleTests. Lines between `snippet.hide` and
// `snippet.show` set up what a sample takes as given.

import GTNAutodiff
import GTNCore

// MARK: Checking/GradientChecker.swift

func gradientChecker() {
  var rng = SplitMix64(seed: 7)
  let report = GradientChecker().check(at: [Tensor(randomNormal: [3, 4], using: &rng)], using: &rng) { x in
    x[0].tanh().squared()
  }
  print(report)               // worst relative errors, first and second order
  assert(report.passed)
}

// MARK: Runtime/ConvolutionBackend.swift

func convolutionBackend() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let x = Tensor(randomNormal: [2, 3, 8, 8], using: &rng)
  let w = Tensor(randomNormal: [4, 3, 3, 3], using: &rng)
  // snippet.show
  let reference = ConvolutionBackend.$current.withValue(.builtin) {
    Tensor.conv2d(x, filter: w, padding: 1)
  }
  // snippet.hide
  print(reference.shape)
}

// MARK: GTNAutodiff.docc/PerformanceAndThreads.md (results across thread counts)

func blasThreadCountScope() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let a = Tensor(randomNormal: [256, 128], using: &rng)
  let b = Tensor(randomNormal: [128, 256], using: &rng)
  // snippet.show
  let one = BLASRuntime.withThreadCount(1) { withParallelism(threads: 1) { Tensor.matmul(a, b) } }
  // snippet.hide
  print(one.shape)
}

// MARK: Graph/GradientRecording.swift

func gradientRecording() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let learner = Sequential.mlpLearner()
  let theta = learner.makeParameters(using: &rng)
  let (testImages, testLabels) = (Tensor(randomNormal: [4, 1, 28, 28], using: &rng), [0, 1, 2, 3])
  // snippet.show
  let accuracy = withoutGradientRecording { learner.accuracy(parameters: theta, images: testImages, labels: testLabels) }
  // snippet.hide
  print(accuracy)
}

// MARK: Graph/Gradients.swift

func gradientsOf() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let x = Variable(Tensor(randomNormal: [8, 4], using: &rng))
  // snippet.show
  let w = Variable(Tensor(randomNormal: [4, 3], using: &rng), requiresGradient: true)
  let loss = matmul(x, w).tanh().sum()
  let dw = gradients(of: loss, withRespectTo: [w])[0]
  // snippet.hide
  print(dw.shape)   // [4, 3]
}

func valueWithGradientsAt() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let (w, b) = (Tensor(randomNormal: [4, 3], using: &rng), Tensor(zeros: [3]))
  let x = Variable(Tensor(randomNormal: [8, 4], using: &rng))
  func lossFunction(_ w: Variable, _ b: Variable) -> Variable { (matmul(x, w) + b).squared().sum() }
  // snippet.show
  let (loss, g) = valueWithGradients(at: [w, b]) { p in lossFunction(p[0], p[1]) }
  let (dw, db) = (g[0], g[1])
  // snippet.hide
  print(loss.value, dw.shape, db.shape)
}

// MARK: Graph/Variable.swift

func variable() {
  let x = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGradient: true)
  let y = (x * x * x).sum()                                              // Σ x³
  let g = gradients(of: y, withRespectTo: [x], retainingGraph: true)[0]  // 3x²
  let h = gradients(of: g.sum(), withRespectTo: [x])[0]                  // 6x
  // snippet.hide
  print(h.value)
}

func variableRecording() {
  // cube(x) = x³; the rule reads the input, so the node keeps it.
  func cube(_ x: Variable) -> Variable {
    Variable.recording(x.value * x.value * x.value, inputs: [x], saving: .inputs([0])) { c in
      [c.upstream * c.inputs[0].squared() * 3]
    }
  }
  // snippet.hide
  print(cube(Variable(Tensor(shape: [1], scalars: [2]), requiresGradient: true)).value)
}

// MARK: Operations/Variable+Matmul.swift

func variableLinear() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let x = Variable(Tensor(randomNormal: [8, 4], using: &rng))
  let w = Variable(Tensor(randomNormal: [3, 4], using: &rng), requiresGradient: true)
  let b = Variable(Tensor(zeros: [3]), requiresGradient: true)
  // snippet.show
  let hidden = linear(x, weight: w, bias: b).leakyRelu(slope: 0.1)
  // snippet.hide
  print(hidden.shape)   // [8, 3]
}

// MARK: Operations/Variable+ScaledAddition.swift

func variableScaledAddition() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let parameter = Variable(Tensor(randomNormal: [5], using: &rng), requiresGradient: true)
  let gradient = Variable(Tensor(randomNormal: [5], using: &rng))
  let previous = Variable(Tensor(zeros: [5]))
  let (momentum, learningRate) = (Variable(Tensor(0.9)), Variable(Tensor(0.05)))
  // snippet.show
  let velocity = previous.scaled(by: momentum, adding: gradient)   // μ·v + g
  let next = velocity.scaled(by: -learningRate, adding: parameter) // θ − η·v
  // snippet.hide
  print(next.value)
}

// MARK: Operations/Variable+Shape.swift

func variableGatheringRows() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let images = Variable(Tensor(randomNormal: [6, 1, 4, 4], using: &rng))
  // snippet.show
  let batch = images.gatheringRows([3, 1, 4])   // shape [3, C, H, W]
  // snippet.hide
  print(batch.shape)
}

// MARK: Runtime/Precision.swift

func precision() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let a = Tensor(randomNormal: [8, 16], using: &rng)
  let b = Tensor(randomNormal: [16, 4], using: &rng)
  // snippet.show
  let exact = Tensor.matmul(a, b)
  let rounded = Precision.$current.withValue(.bfloat16) { Tensor.matmul(a, b) }
  // snippet.hide
  print(exact.shape, rounded.shape)
}

// MARK: Runtime/BLASRuntime.swift

func blasRuntime() {
  print(BLASRuntime.coreName)          // "SkylakeX"
  BLASRuntime.threadCount = 1
}

func blasKernelRanks() {
  print(BLASRuntime.kernel("Haswell", isSlowerThan: "SkylakeX"))     // true
  print(BLASRuntime.kernel("Cooperlake", isSlowerThan: "SkylakeX"))  // false
}

// MARK: Runtime/KernelRuntime.swift

func kernelRuntimeFMAPeak() {
  let peak = KernelRuntime.measureFMAPeakGFLOPS()
  let sgemm = BLASRuntime.measureSgemmGFLOPS()
  print("sgemm at \(Int(100 * sgemm / peak))% of one core's peak")
}

// MARK: Runtime/Processor.swift

func processor() {
  print(Processor.current.description)
  // "AMD EPYC (AuthenticAMD family 26 model 2), 2 logical CPUs, AVX-512, avx512_bf16, no AMX"
}

// MARK: Runtime/Parallelism.swift

func parallelism() throws {
  // snippet.hide
  var rng = SplitMix64(seed: 1)
  var trainer = try MetaTrainer(
    generator: ConditionalGenerator.mlp(), curriculum: LearnedCurriculum(stepCount: 2, batchSize: 8, noiseSize: 64),
    optimizer: SGDWithMomentum(), learners: [Sequential.mlpLearner()],
    configuration: MetaTrainingConfiguration(iterations: 1), seed: 1)
  let (x, y) = (Tensor(randomNormal: [8, 1, 28, 28], using: &rng), (0..<8).map { $0 % 10 })
  // snippet.show
  BLASRuntime.threadCount = 1
  let result = try withParallelism(threads: 2) { try trainer.step(realImages: x, realLabels: y) }
  // snippet.hide
  print(result.metaLoss)
}

func forEachJob() {
  // snippet.hide
  var rng = SplitMix64(seed: 2)
  let tensors = (0..<4).map { _ in Tensor(randomNormal: [64, 64], using: &rng) }
  // snippet.show
  var norms = [Double](repeating: 0, count: tensors.count)
  norms.withUnsafeMutableBufferPointer { slots in
    Parallelism.forEachJob(tensors.count) { i in slots[i] = tensors[i].sumOfSquares() }  // disjoint writes
  }
  // snippet.hide
  print(norms)
}

// MARK: Tensor/Tensor+Matmul.swift

func tensorMatmul() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let (x, w) = (Tensor(randomNormal: [8, 4], using: &rng), Tensor(randomNormal: [3, 4], using: &rng))
  // snippet.show
  let y = Tensor.matmul(x, w, transposingB: true)   // x · wᵀ
  // snippet.hide
  print(y.shape)   // [8, 3]
}

func tensorLinear() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let (x, w, b) = (Tensor(randomNormal: [8, 4], using: &rng), Tensor(randomNormal: [3, 4], using: &rng), Tensor(zeros: [3]))
  // snippet.show
  let y = Tensor.linear(x, weight: w, bias: b)   // [n, in] → [n, out]
  // snippet.hide
  print(y.shape)   // [8, 3]
}

// MARK: Tensor/Tensor+Pooling.swift

func tensorReflectionPadded() {
  let x = Tensor(shape: [1, 1, 2, 3], scalars: [0, 1, 2, 3, 4, 5])
  let y = x.reflectionPadded(by: 1)   // [1, 1, 4, 5]; first row 4, 3, 4, 5, 4
  // snippet.hide
  assert(y.shape == [1, 1, 4, 5] && Array(y.scalars.prefix(5)) == [4, 3, 4, 5, 4])
}

// MARK: Tensor/Tensor+Random.swift

func tensorRandom() {
  var rng = SplitMix64(seed: 42)
  let z = Tensor(randomNormal: [64, 128], using: &rng)
  // snippet.hide
  print(z.shape)
}

// MARK: Tensor/Tensor+Reduction.swift

func tensorSumOfSquares() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let gradients = [Tensor(randomNormal: [4, 3], using: &rng), Tensor(randomNormal: [3], using: &rng)]
  // snippet.show
  let norm = gradients.reduce(0.0) { $0 + $1.sumOfSquares() }.squareRoot()
  // snippet.hide
  print(norm)
}

func tensorSumAlongAxes() {
  let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
  let rowSums = t.sum(alongAxes: [1])   // shape [2, 1]: [[6], [15]]
  // snippet.hide
  print(rowSums)
}

// MARK: Tensor/Tensor+ScaledAddition.swift

func tensorScaledAddition() {
  // snippet.hide
  var rng = SplitMix64(seed: 0)
  let (previous, gradient) = (Tensor(zeros: [5]), Tensor(randomNormal: [5], using: &rng))
  // snippet.show
  let velocity = previous.scaled(by: 0.9, adding: gradient)  // μ·v + g
  // snippet.hide
  print(velocity)
}

// MARK: Tensor/Tensor.swift

func tensor() {
  let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
  let b = a.reshaped(to: [3, 2])      // shares storage with `a`
  print(a.sum(alongAxes: [1]))        // [[6], [15]]
  // snippet.hide
  print(b.shape)
}

// MARK: - Running the samples (all are small and need no files)

gradientChecker()
gradientRecording()
gradientsOf()
valueWithGradientsAt()
variable()
variableRecording()
variableLinear()
variableScaledAddition()
variableGatheringRows()
blasRuntime()
processor()
try parallelism()
tensorMatmul()
forEachJob()
tensorLinear()
tensorReflectionPadded()
tensorRandom()
tensorSumOfSquares()
tensorSumAlongAxes()
tensorScaledAddition()
tensor()
convolutionBackend()
blasThreadCountScope()
