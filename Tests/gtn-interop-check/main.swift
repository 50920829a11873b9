// gtn-interop-check — the Swift half of the interoperability check with
// NumPy and the `safetensors` package (Tests/Interop/interop.py drives it):
//
//   gtn-interop-check read DIR
//     Decodes every .npy, .npz and .safetensors file in DIR (written by
//     Python) and prints one JSON line per array: its name, dtype, shape and
//     three digests of its contents (see `Digest` below), or the error that
//     stopped it. Safetensors files also give a line with their metadata;
//     files whose tensors are all F32 are read again through the checkpoint
//     reader `Safetensors.read`; files named `dataset*` are also loaded as
//     datasets (`Dataset.npz`, `Dataset.npy`, `Dataset.safetensors`), and
//     files named `checkpoint*.safetensors` restored as a GTN run
//     (`MetaTrainer(restoringFrom:)`), reporting the restored state.
//
//   gtn-interop-check write DIR
//     Writes .npy, .npz and safetensors files of every scalar type, a
//     tensor file through `Safetensors.write`, a GTN checkpoint
//     (`MetaTrainer.saveCheckpoint`) and `manifest.json`, which lists for
//     every array its dtype, shape and digests (and the values of small
//     arrays) for Python to check.
//
// Digests are 64-bit FNV-1a hashes, in lowercase hex, of
//   bytes:  the elements' little-endian bytes in C order;
//   floats: the little-endian bit patterns of the elements as float32
//           (`NumPyArray.floatValues()`; NumPy: `astype('<f4')`);
//   ints:   the elements as decimal integers joined by commas
//           (`NumPyArray.integerValues()`), or null for floating-point
//           types and uint64 values above Int64.max.
// Exits 0 when every file was processed (read errors are reported in the
// JSON lines), 1 on an unexpected failure, 2 on a usage error.

import Foundation
import GTNCore
import GTNData

// MARK: - Digests

/// 64-bit FNV-1a.
struct FNV1a {
  private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
  mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
    for byte in bytes {
      value ^= UInt64(byte)
      value = value &* 0x0000_0100_0000_01b3
    }
  }
  var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

func digest<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
  var hash = FNV1a()
  hash.add(bytes)
  return hash.hex
}

func floatDigest(_ values: [Float]) -> String {
  var hash = FNV1a()
  for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { hash.add($0) } }
  return hash.hex
}

func intDigest(_ values: [Int]) -> String {
  digest(values.map(String.init).joined(separator: ",").utf8)
}

/// The JSON description of one decoded array.
func record(_ name: String, _ array: NumPyArray) -> [String: Any] {
  var entry: [String: Any] = [
    "name": name, "dtype": array.scalarType?.rawValue ?? array.descriptor, "shape": array.shape,
    "bytes": digest(array.data),
  ]
  entry["floats"] = array.floatValues().map(floatDigest) ?? NSNull()
  entry["ints"] = array.integerValues().map(intDigest) ?? NSNull()
  return entry
}

/// The JSON description of a float32 tensor (the checkpoint reader's result).
func record(_ name: String, _ tensor: Tensor) -> [String: Any] {
  let scalars = tensor.scalars
  var bytes: [UInt8] = []
  bytes.reserveCapacity(scalars.count * 4)
  for value in scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
  return ["name": name, "dtype": "float32", "shape": tensor.shape, "bytes": digest(bytes), "floats": floatDigest(scalars), "ints": NSNull()]
}

func jsonLine(_ object: Any) -> String {
  let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
  return String(decoding: data, as: UTF8.self)
}

func emit(_ object: [String: Any]) { print(jsonLine(object)) }

func fail(_ message: String, code: Int32 = 1) -> Never {
  FileHandle.standardError.write(Data("gtn-interop-check: \(message)\n".utf8))
  exit(code)
}

/// The tensors a checkpoint holds for `state`, by the names
/// `MetaTrainer.saveCheckpoint` gives them.
func checkpointTensors(_ state: MetaTrainingState) -> [(name: String, tensor: Tensor)] {
  let keys = state.metaParameters.keys
  return Array(zip(keys, state.metaParameters.tensors)).map { (name: $0, tensor: $1) }
    + zip(keys, state.outerOptimizerState.firstMoments).map { (name: "adam.m.\($0)", tensor: $1) }
    + zip(keys, state.outerOptimizerState.secondMoments).map { (name: "adam.v.\($0)", tensor: $1) }
}

// MARK: - read

/// Runs `body`, turning a thrown error into an error line for `name`.
func attempt(_ name: String, _ body: () throws -> Void) {
  do { try body() } catch { emit(["name": name, "error": "\(error)"]) }
}

func emitDataset(_ name: String, _ dataset: Dataset) {
  emit(record("\(name).images", dataset.images))
  emit(record("\(name).labels", NumPyArray(labels: dataset.labels)))
}

func read(_ folder: URL) {
  let files: [String]
  do { files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
    fail("cannot list \(folder.path): \(error)")
  }
  for file in files {
    let url = folder.appendingPathComponent(file)
    if file.hasSuffix(".npy") {
      attempt(file) { emit(record(file, try NumPyArray(contentsOf: url))) }
    } else if file.hasSuffix(".npz") {
      attempt(file) {
        let archive = try NumPyArchive(contentsOf: url)
        emit(["name": file, "members": archive.names])
        for name in archive.names {
          attempt("\(file)/\(name)") { emit(record("\(file)/\(name)", try archive.array(named: name))) }
        }
      }
      if file.hasPrefix("dataset") {
        attempt("\(file)#dataset") {
          let (train, test) = try Dataset.npz(file: url, layout: .nhw, normalization: .raw)
          emitDataset("\(file)#train", train)
          emitDataset("\(file)#test", test)
        }
      }
    } else if file.hasSuffix(".safetensors") {
      attempt(file) {
        let contents = try SafetensorsFile(contentsOf: url)
        emit(["name": file, "metadata": contents.metadata, "members": contents.arrays.keys.sorted()])
        for name in contents.arrays.keys.sorted() { emit(record("\(file)/\(name)", contents.arrays[name]!)) }
        if contents.arrays.values.allSatisfy({ $0.scalarType == .float32 }) {
          let (tensors, metadata) = try Safetensors.read(from: url)
          emit(["name": "\(file)#checkpoint", "metadata": metadata, "members": tensors.keys.sorted()])
          for name in tensors.keys.sorted() { emit(record("\(file)#checkpoint/\(name)", tensors[name]!)) }
        }
      }
      if file.hasPrefix("checkpoint") {
        attempt("\(file)#restored") {
          let trainer = try MetaTrainer(restoringFrom: url)
          let tensors = checkpointTensors(trainer.state)
          emit(["name": "\(file)#restored", "iteration": trainer.state.iteration, "members": tensors.map(\.name).sorted()])
          for (name, tensor) in tensors { emit(record("\(file)#restored/\(name)", tensor)) }
        }
      }
      if file.hasPrefix("dataset") {
        attempt("\(file)#dataset") { emitDataset("\(file)#dataset", try Dataset.safetensors(file: url, layout: .nchw, normalization: .raw)) }
      }
    }
  }
  // A dataset split over two .npy files: dataset_images.npy (NHWC) and dataset_labels.npy.
  let images = folder.appendingPathComponent("dataset_images.npy"), labels = folder.appendingPathComponent("dataset_labels.npy")
  if FileManager.default.fileExists(atPath: images.path) {
    attempt("dataset_images.npy#dataset") {
      emitDataset("dataset_images.npy#dataset", try Dataset.npy(images: images, labels: labels, layout: .nhwc, normalization: .raw))
    }
  }
}

// MARK: - write

/// A deterministic stream of 64-bit values (SplitMix64).
struct Stream {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

/// Little-endian bytes of `count` elements of `type`: extremes first, then
/// pseudo-random values; floats include infinities, a NaN, −0 and subnormals.
func sampleData(_ type: NumPyArray.ScalarType, count: Int, seed: UInt64) -> [UInt8] {
  var stream = Stream(state: seed)
  var bytes: [UInt8] = []
  func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
  for i in 0..<count {
    let r = stream.next()
    switch type {
    case .bool: bytes.append(r % 3 == 0 ? 1 : 0)
    case .int8: append([Int8.min, Int8.max, -1][safe: i] ?? Int8(truncatingIfNeeded: r))
    case .uint8: append([UInt8.max, 0][safe: i] ?? UInt8(truncatingIfNeeded: r))
    case .int16: append([Int16.min, Int16.max, -1][safe: i] ?? Int16(truncatingIfNeeded: r))
    case .uint16: append([UInt16.max, 0][safe: i] ?? UInt16(truncatingIfNeeded: r))
    case .int32: append([Int32.min, Int32.max, -1][safe: i] ?? Int32(truncatingIfNeeded: r))
    case .uint32: append([UInt32.max, 0][safe: i] ?? UInt32(truncatingIfNeeded: r))
    case .int64: append([Int64.min, Int64.max, -1][safe: i] ?? Int64(truncatingIfNeeded: r))
    case .uint64: append([UInt64.max, 0, UInt64(Int64.max) + 1][safe: i] ?? r)
    case .float32:
      let specials: [Float] = [.infinity, -.infinity, -0.0, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
      let value = specials[safe: i] ?? Float(Int64(bitPattern: r) >> 40) / 1024
      append(value.bitPattern)
    case .float64:
      let specials: [Double] = [.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1]
      let value = specials[safe: i] ?? Double(Int64(bitPattern: r) >> 11) / 1_048_576
      append(value.bitPattern)
    }
  }
  return bytes
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// The elements as text Python parses exactly: decimal integers, or the
/// shortest decimal form of floats (`inf`, `-inf`, `nan`, `-0.0`, …).
func valueStrings(_ array: NumPyArray) -> [String] {
  let type = array.scalarType!
  let width = type.byteWidth
  return (0..<array.scalarCount).map { i in
    var bits: UInt64 = 0
    for b in 0..<width { bits |= UInt64(array.data[i * width + b]) << (8 * b) }
    switch type {
    case .bool, .uint8, .uint16, .uint32, .uint64: return String(bits)
    case .int8: return String(Int8(truncatingIfNeeded: bits))
    case .int16: return String(Int16(truncatingIfNeeded: bits))
    case .int32: return String(Int32(truncatingIfNeeded: bits))
    case .int64: return String(Int64(bitPattern: bits))
    case .float32: return Float(bitPattern: UInt32(bits)).description
    case .float64: return Double(bitPattern: bits).description
    }
  }
}

/// The manifest entry for an array Swift wrote.
func expected(_ name: String, _ array: NumPyArray) -> [String: Any] {
  var entry = record(name, array)
  if array.scalarCount <= 32 { entry["values"] = valueStrings(array) }
  return entry
}

func sample(_ type: NumPyArray.ScalarType, _ shape: [Int], seed: UInt64) -> NumPyArray {
  NumPyArray(scalarType: type, shape: shape, data: sampleData(type, count: shape.reduce(1, *), seed: seed))
}

func writeFile(_ bytes: [UInt8], _ url: URL) throws {
  try Data(bytes).write(to: url)
}

func write(_ folder: URL) throws {
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  var files: [[String: Any]] = []
  let types = NumPyArray.ScalarType.allCases

  // .npy: every type in three shapes, a 0-d array and an empty one.
  for (t, type) in types.enumerated() {
    let seed = UInt64(t) * 100
    let arrays: [(String, NumPyArray)] = [
      ("\(type.rawValue).npy", sample(type, [2, 3, 4], seed: seed)),
      ("\(type.rawValue)_vector.npy", sample(type, [7], seed: seed + 1)),
      ("\(type.rawValue)_scalar.npy", sample(type, [], seed: seed + 2)),
      ("\(type.rawValue)_empty.npy", sample(type, [0, 3], seed: seed + 3)),
      ("\(type.rawValue)_wide.npy", sample(type, [3, 1, 2, 1, 2], seed: seed + 4)),
    ]
    for (file, array) in arrays {
      try array.write(to: folder.appendingPathComponent(file))
      files.append(["file": file, "kind": "npy", "arrays": [expected(file, array)]])
    }
  }

  // .npz: stored and deflated, every type plus a 0-d and an empty member.
  var members: [(name: String, array: NumPyArray)] = types.enumerated().map { t, type in
    (name: type.rawValue, array: sample(type, [3, 5], seed: 1000 + UInt64(t)))
  }
  members.append((name: "scalar", array: sample(.float64, [], seed: 2000)))
  members.append((name: "empty", array: sample(.int32, [4, 0], seed: 2001)))
  members.append((name: "x_train", array: sample(.uint8, [6, 28, 28], seed: 2002)))
  members.append((name: "gewichte_ü_λ", array: sample(.int16, [2, 2], seed: 2003)))
  for compressed in [false, true] {
    let file = compressed ? "compressed.npz" : "stored.npz"
    try writeFile(try NumPyArchive.encode(members, compressed: compressed), folder.appendingPathComponent(file))
    files.append(["file": file, "kind": "npz", "arrays": members.map { expected($0.name, $0.array) }])
  }

  // safetensors of every type (SafetensorsFile), with metadata.
  var tensors: [String: NumPyArray] = [:]
  for (t, type) in types.enumerated() {
    tensors[type.rawValue] = sample(type, [2, 5], seed: 3000 + UInt64(t))
    tensors["\(type.rawValue)_scalar"] = sample(type, [], seed: 3100 + UInt64(t))
  }
  tensors["empty"] = sample(.float32, [0, 4], seed: 3200)
  tensors["größe/λ.weight"] = sample(.float32, [2, 3], seed: 3201)
  tensors["quote \" back\\slash\ttab"] = sample(.int8, [3], seed: 3202)
  let metadata = ["written_by": "GTNData SafetensorsFile", "note": "ünïcode, \"quotes\" and {braces}"]
  try writeFile(try SafetensorsFile(arrays: tensors, metadata: metadata).encoded(), folder.appendingPathComponent("all_dtypes.safetensors"))
  files.append([
    "file": "all_dtypes.safetensors", "kind": "safetensors", "metadata": metadata,
    "arrays": tensors.keys.sorted().map { expected($0, tensors[$0]!) },
  ])
  // Without metadata: no __metadata__ entry at all.
  let plain = ["x": sample(.int64, [4], seed: 3300)]
  try writeFile(try SafetensorsFile(arrays: plain).encoded(), folder.appendingPathComponent("plain.safetensors"))
  files.append(["file": "plain.safetensors", "kind": "safetensors", "metadata": [String: String](), "arrays": [expected("x", plain["x"]!)]])

  // F32 tensors through Safetensors.write (the checkpoint writer).
  var rng = SplitMix64(seed: 7)
  let weights: [(name: String, tensor: Tensor)] = [
    (name: "layer.weight", tensor: Tensor(randomNormal: [4, 3], using: &rng)),
    (name: "layer.bias", tensor: Tensor(shape: [4], scalars: [0, -0.0, .infinity, .leastNonzeroMagnitude])),
    (name: "scale", tensor: Tensor(2.5)),
  ]
  let tensorMetadata = ["iteration": "12"]
  try Safetensors.write(weights, metadata: tensorMetadata, to: folder.appendingPathComponent("tensors.safetensors"))
  files.append([
    "file": "tensors.safetensors", "kind": "safetensors", "metadata": tensorMetadata,
    "arrays": weights.map { expected($0.name, NumPyArray($0.tensor)) },
  ])

  // A GTN checkpoint: a tiny MLP generator and learner after one meta-step.
  var trainer = try MetaTrainer(
    generator: ConditionalGenerator.mlp(noiseSize: 4, hiddenSize: 8, imageShape: [1, 4, 4], classCount: 3),
    curriculum: LearnedCurriculum(stepCount: 2, batchSize: 6, noiseSize: 4, classCount: 3),
    optimizer: SGDWithMomentum(learningRate: 0.1, momentum: 0.5, stepCount: 2, perStep: true),
    learners: [Sequential.mlpLearner(inputSize: 16, hiddenSize: 5, classCount: 3)],
    configuration: MetaTrainingConfiguration(iterations: 3, learningRate: 0.01), seed: 11)
  let real = Tensor(randomNormal: [6, 1, 4, 4], using: &rng)
  _ = try trainer.step(realImages: real, realLabels: [0, 1, 2, 0, 1, 2])
  try trainer.saveCheckpoint(to: folder.appendingPathComponent("checkpoint.safetensors"), metadata: ["command": "gtn-interop-check write"])
  let state = trainer.state, checkpoint = checkpointTensors(state)
  files.append([
    "file": "checkpoint.safetensors", "kind": "checkpoint",
    "metadata": ["command": "gtn-interop-check write", "gtn.format": "2", "gtn.iteration": String(state.iteration)],
    "json_metadata": ["gtn.configuration", "gtn.components"],
    "arrays": checkpoint.map { expected($0.name, NumPyArray($0.tensor)) },
  ])

  let manifest = jsonLine(["files": files])
  try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
  FileHandle.standardError.write(Data("gtn-interop-check: wrote \(files.count) files to \(folder.path)\n".utf8))
}

// MARK: - Main

let arguments = CommandLine.arguments
guard arguments.count == 3, ["read", "write"].contains(arguments[1]) else {
  fail("usage: gtn-interop-check read DIR | write DIR", code: 2)
}
let folder = URL(fileURLWithPath: arguments[2])
if arguments[1] == "read" {
  read(folder)
} else {
  do { try write(folder) } catch { fail("writing \(folder.path): \(error)") }
}
