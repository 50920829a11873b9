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
