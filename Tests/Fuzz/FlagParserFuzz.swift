// libFuzzer entry point for the examples' command-line parser
// (`CommandLineParser.parse` through `ExampleOptions.parse`, with the real
// option table of mnist-gtn and cifar-gtn).
//
// Not part of the package build: `Tests/Fuzz/run.sh flags` compiles this file
// with Examples/_GTNExamplesSupport/{CommandLineOptions,Options,ExampleKinds}.swift
// (ExampleKinds without its GTNSearch import) and SearchStandIn.swift. The
// input is split at NUL bytes into arguments; the first byte picks the
// example (even: mnist-gtn's datasets, odd: cifar-gtn's). Parsing may throw
// `UsageError`; anything else — a crash, a sanitizer report, a timeout or a
// broken invariant — is a finding.

import Foundation

let mnistDefaults = ExampleOptions(dataset: .mnist)
let cifarDefaults = ExampleOptions(dataset: .cifar10)

func json(_ options: ExampleOptions) -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  return try! encoder.encode(options)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let cifar = bytes[0] & 1 == 1
  let arguments = bytes.dropFirst().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
  let (defaults, datasets): (ExampleOptions, [DatasetKind]) = cifar ? (cifarDefaults, [.cifar10]) : (mnistDefaults, [.mnist, .fashionMNIST])
  // `try?` flattens: nil for a usage error and for --help alike.
  guard let options = try? ExampleOptions.parse(arguments, defaults: defaults, datasets: datasets) else { return 0 }
  // What parses is within the table's bounds ...
  precondition((1...4096).contains(options.innerSteps) && (1...65_536).contains(options.batchSize))
  precondition(options.learningRate.isFinite && options.learningRate > 0 && options.validationCount >= 1)
  // ... and the arguments that reproduce it parse back to it.
  let again = options.commandLineArguments
  let reparsed: ExampleOptions?
  do { reparsed = try ExampleOptions.parse(again, defaults: mnistDefaults, datasets: DatasetKind.allCases) } catch {
    preconditionFailure("\(arguments) parsed, but its reproduction \(again) does not: \(error)")
  }
  guard let reparsed else { preconditionFailure("\(again) asks for help") }
  precondition(json(reparsed) == json(options), "\(arguments) and its reproduction \(again) parse differently")
  // Comparing with the defaults never fails.
  _ = options.differences(fromRecorded: defaults)
  return 0
}
