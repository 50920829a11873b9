import Foundation
import GTNData
import Testing

@Test func safetensorsRoundTripAndLayout() throws {
  var rng = SplitMix64(seed: 1)
  let a = Tensor(randomNormal: [2, 3], using: &rng)
  let b = Tensor(shape: [], scalars: [7])
  let data = try Safetensors.encode([("a", a), ("b", b)], metadata: ["k": "v"])
  let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
  #expect(headerLength % 8 == 0)
  #expect(data.count == 8 + headerLength + 4 * 7)
  let (tensors, metadata) = try Safetensors.decode(data)
  #expect(tensors["a"] == a && tensors["b"] == b && metadata == ["k": "v"])
  // Truncated payload and a lying header length are rejected.
  #expect(throws: CheckpointError.self) { try Safetensors.decode(data.prefix(data.count - 1)) }
  var lying = data
  lying[0] = 0xFF
  lying[1] = 0xFF
  #expect(throws: CheckpointError.self) { try Safetensors.decode(lying) }
}

/// A shape whose byte size overflows (found by Tests/Fuzz/run.sh
/// safetensors) is an error, not a trap.
@Test func safetensorsShapeTooLargeForAnyFileIsAnError() throws {
  var header = Data(#"{"w":{"data_offsets":[0,0],"dtype":"F32","shape":[4611686018427387904]}}"#.utf8)
  while header.count % 8 != 0 { header.append(0x20) }
  var data = Data()
  withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
  data.append(header)
  #expect(throws: CheckpointError.self) { try Safetensors.decode(data) }
}

/// Writes go through `<name>.tmp-<pid>`, leave no temporary behind, and a
/// failure names the file in plain words.
@Test func safetensorsWriteIsAtomicAndExplainsFailures() throws {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gtn-st-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let url = folder.appendingPathComponent("w.safetensors")
  try Safetensors.write([("w", Tensor(shape: [2], scalars: [1, 2]))], metadata: ["k": "v"], to: url)
  try Safetensors.write([("w", Tensor(shape: [1], scalars: [3]))], to: url)
  #expect(try Safetensors.read(from: url).tensors["w"] == Tensor(shape: [1], scalars: [3]))
  #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["w.safetensors"])
  let directory = folder.appendingPathComponent("d.safetensors")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
  let error = try #require(throws: CheckpointError.self) { try Safetensors.write([], to: directory) }
  #expect(error.file == directory.path && error.reason.contains("directory"), "\(error)")
  let missing = folder.appendingPathComponent("no/such/folder.safetensors")
  let missingError = try #require(throws: CheckpointError.self) { try Safetensors.write([], to: missing) }
  #expect(missingError.reason.contains("No such file or directory"), "\(missingError)")
  #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["d.safetensors", "w.safetensors"])
}
