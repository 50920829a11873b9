// A stand-in for GTNAutodiff's `Tensor` with exactly the members
// Sources/GTNData/Formats/Safetensors.swift uses, so the fuzz build compiles
// that file alone (GTNAutodiff needs BLAS and the C kernels). It keeps the
// real type's preconditions: no negative dimension, and an element count
// that is the product of the shape.

public struct Tensor {
  public var shape: [Int]
  public var storage: [Float]

  public init(shape: [Int], initializingWith body: (inout UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    let count = shape.reduce(1, *)
    var storage = [Float](repeating: 0, count: count)
    try storage.withUnsafeMutableBufferPointer { try body(&$0) }
    self.shape = shape
    self.storage = storage
  }

  public var scalarCount: Int { storage.count }

  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }
}
