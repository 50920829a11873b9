// libFuzzer entry point for GTNData's safetensors reader (`Safetensors.decode`).
//
// Not part of the package build: `Tests/Fuzz/run.sh safetensors` compiles this
// file with Sources/GTNData/Formats/{Safetensors,CheckpointError}.swift and
// TensorStandIn.swift. The reader may throw `CheckpointError`; anything else —
// a crash, a sanitizer report, a timeout or a broken invariant — is a finding.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  guard let (tensors, metadata) = try? Safetensors.decode(bytes, file: "fuzz") else { return 0 }
  // A decoded file re-encodes to one that decodes to the same tensors
  // (bit for bit) and metadata.
  let named = tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
  guard let encoded = try? Safetensors.encode(named, metadata: metadata) else {
    preconditionFailure("a decoded file does not re-encode")
  }
  guard let (again, againMetadata) = try? Safetensors.decode(encoded, file: "re-encoded") else {
    preconditionFailure("a re-encoded file does not decode")
  }
  precondition(againMetadata == metadata, "safetensors re-encoding changed the metadata")
  precondition(Set(again.keys) == Set(tensors.keys), "safetensors re-encoding changed the tensor names")
  for (name, tensor) in tensors {
    let other = again[name]!
    precondition(other.shape == tensor.shape, "safetensors re-encoding changed the shape of '\(name)'")
    precondition(other.storage.map(\.bitPattern) == tensor.storage.map(\.bitPattern), "safetensors re-encoding changed '\(name)'")
    precondition(tensor.storage.count == tensor.shape.reduce(1, *))
  }
  return 0
}
