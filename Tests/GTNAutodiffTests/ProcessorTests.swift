import GTNAutodiff
import Testing

struct ProcessorTests {
  /// Two processors' blocks as `/proc/cpuinfo` lists them: only the first is read.
  static let cpuinfo = """
    processor\t: 0
    vendor_id\t: AuthenticAMD
    cpu family\t: 26
    model\t\t: 2
    model name\t: AMD EPYC
    flags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512vl avx512_bf16

    processor\t: 1
    vendor_id\t: GenuineIntel
    model name\t: Other
    flags\t\t: fpu amx_tile

    """

  @Test func parsesTheFirstProcessorsBlock() {
    let p = Processor.parsing(cpuinfo: Self.cpuinfo, logicalProcessors: 2)
    #expect(p.modelName == "AMD EPYC")
    #expect(p.vendor == "AuthenticAMD")
    #expect(p.family == 26 && p.model == 2)
    #expect(p.flags == ["avx2", "avx512_bf16", "avx512bw", "avx512f", "avx512vl", "fma", "fpu", "sse2"])
    #expect(p.vectorExtension == "AVX-512")
    #expect(p.description == "AMD EPYC (AuthenticAMD family 26 model 2), 2 logical CPUs, AVX-512, avx512_bf16, no AMX")
  }

  @Test func describesWhatIsMissing() {
    let p = Processor.parsing(cpuinfo: "flags : sse2 amx_tile avx2\n", logicalProcessors: 1)
    #expect(p.modelName.isEmpty && p.family == nil)
    #expect(p.description == "unknown CPU, 1 logical CPU, AVX2, AMX")
    #expect(Processor.parsing(cpuinfo: "", logicalProcessors: 4).vectorExtension == "unknown")
  }

  @Test func readsThisMachine() {
    let p = Processor.current
    print("CPU: \(p)")
    #expect(p.logicalProcessors >= 1)
    #if os(Linux)
    #expect(!p.flags.isEmpty)
    #endif
  }
}
