import GTNAutodiff
import Testing

@Suite(.serialized) struct BLASRuntimeTests {
  /// Scopes set the count, nest and restore it; other tests' scopes wait.
  @Test func threadCountRoundTrips() {
    let original = BLASRuntime.threadCount
    #expect(original >= 1)
    BLASRuntime.withThreadCount(1) {
      #expect(BLASRuntime.threadCount == 1)
      BLASRuntime.withThreadCount(original) { #expect(BLASRuntime.threadCount == original) }
      #expect(BLASRuntime.threadCount == 1)
      BLASRuntime.threadCount = original
      #expect(BLASRuntime.threadCount == original)
    }
  }

  @Test func describesTheLibrary() {
    print("BLAS core: \(BLASRuntime.coreName), threads: \(BLASRuntime.threadCount), recommended: \(BLASRuntime.recommendedCoreType ?? "none")")
    #expect(!BLASRuntime.coreName.isEmpty)
    #expect(!BLASRuntime.configuration.isEmpty)
    // The warning exists exactly when an older kernel runs on a faster CPU.
    #expect((BLASRuntime.slowKernelWarning != nil) == BLASRuntime.isRunningSlowKernel)
    if let warning = BLASRuntime.slowKernelWarning, let better = BLASRuntime.recommendedCoreType {
      #expect(warning.contains("OPENBLAS_CORETYPE=\(better)"))
    }
    if let recommended = BLASRuntime.recommendedCoreType {
      #expect(["SkylakeX", "Haswell"].contains(recommended))
    }
  }

  @Test func ranksKernelsByVectorWidth() {
    #expect(BLASRuntime.kernel("Prescott", isSlowerThan: "Haswell"))
    #expect(BLASRuntime.kernel("Prescott", isSlowerThan: "SkylakeX"))
    #expect(BLASRuntime.kernel("Haswell", isSlowerThan: "SkylakeX"))
    #expect(BLASRuntime.kernel("Zen", isSlowerThan: "SkylakeX"))
    #expect(!BLASRuntime.kernel("Cooperlake", isSlowerThan: "SkylakeX"))
    #expect(!BLASRuntime.kernel("SkylakeX", isSlowerThan: "SkylakeX"))
    #expect(!BLASRuntime.kernel("SapphireRapids", isSlowerThan: "Haswell"))
    #expect(!BLASRuntime.kernel("Haswell", isSlowerThan: "Haswell"))
  }

  @Test func measuresPositiveThroughput() {
    let gflops = BLASRuntime.measureSgemmGFLOPS(size: 128, repetitions: 3)
    print("sgemm 128³: \(gflops) GFLOP/s")
    #expect(gflops > 0)
    #expect(gflops.isFinite)
  }
}
