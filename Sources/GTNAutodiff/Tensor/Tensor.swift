/// A dense, row-major, n-dimensional array of `Float` with value semantics.
///
/// `Tensor` is the numeric workhorse under ``Variable``: every kernel in this
/// package reads and writes a tensor's contiguous storage directly, and large
/// products go to OpenBLAS's `cblas_sgemm`. Copies are cheap: storage is a
/// `ContiguousArray` and is shared until one copy is mutated (copy-on-write).
///
/// ```swift
/// let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let b = a.reshaped(to: [3, 2])      // shares storage with `a`
/// print(a.sum(alongAxes: [1]))        // [[6], [15]]
/// ```
///
/// A tensor with shape `[]` is a scalar and holds one element.
public struct Tensor: Sendable {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]

  /// The elements in row-major order; `storage.count == shape.product`.
  @usableFromInline
  internal var storage: ContiguousArray<Float>

  /// Creates a tensor from its shape and row-major scalars.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`, and no
  ///   dimension is negative.
  public init<C: Collection>(shape: [Int], scalars: C) where C.Element == Float {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    let count = shape.reduce(1, *)
    precondition(
      scalars.count == count,
      "Tensor of shape \(shape) needs \(count) scalars, got \(scalars.count)")
    self.shape = shape
    self.storage = ContiguousArray(scalars)
  }

  @usableFromInline
  internal init(shape: [Int], storage: ContiguousArray<Float>) {
    assert(storage.count == shape.reduce(1, *))
    self.shape = shape
    self.storage = storage
  }

  /// Creates a tensor of the given shape and fills it through a buffer.
  ///
  /// The buffer starts zeroed; `body` may write any element.
  public init(
    shape: [Int],
    initializingWith body: (inout UnsafeMutableBufferPointer<Float>) throws -> Void
  ) rethrows {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    let count = shape.reduce(1, *)
    var storage = ContiguousArray<Float>(repeating: 0, count: count)
    try storage.withUnsafeMutableBufferPointer { try body(&$0) }
    self.shape = shape
    self.storage = storage
  }

  /// A tensor whose every element `body` writes; the buffer starts
  /// uninitialised, which saves clearing memory that is overwritten anyway.
  ///
  /// Only for kernels that provably write all `shape.product` elements. (A
  /// static method rather than an initialiser, so that a trailing closure can
  /// never select it in place of the zero-filling
  /// ``init(shape:initializingWith:)``.)
  @usableFromInline
  internal static func overwriting(
    shape: [Int], _ body: (inout UnsafeMutableBufferPointer<Float>) -> Void
  ) -> Tensor {
    let count = shape.reduce(1, *)
    let storage = ContiguousArray<Float>(unsafeUninitializedCapacity: count) { buffer, initialized in
      body(&buffer)
      initialized = count
    }
    return Tensor(shape: shape, storage: storage)
  }

  /// Creates a tensor with every element equal to `value`.
  public init(repeating value: Float, shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    self = Tensor.overwriting(shape: shape) { out in
      guard let o = out.baseAddress else { return }
      Parallelism.forEachElementChunk(of: out.count) { r in
        (o + r.lowerBound).update(repeating: value, count: r.count)
      }
    }
  }

  /// Creates a tensor of zeros.
  public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

  /// Creates a tensor of ones.
  public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

  /// Creates a scalar (rank-0) tensor.
  public init(_ value: Float) { self.init(shape: [], storage: [value]) }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The number of elements.
  public var scalarCount: Int { storage.count }

  /// The elements in row-major order.
  public var scalars: [Float] { Array(storage) }

  /// The single element of a tensor with one element.
  public var scalar: Float {
    precondition(storage.count == 1, "scalar needs a one-element tensor, shape is \(shape)")
    return storage[0]
  }

  /// Calls `body` with the contiguous row-major elements.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the contiguous elements (copying the
  /// storage first if it is shared).
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// Accesses one element by its multi-dimensional index.
  public subscript(index: Int...) -> Float {
    get { storage[flatIndex(index)] }
    set { storage[flatIndex(index)] = newValue }
  }

  private func flatIndex(_ index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) has wrong rank for shape \(shape)")
    var flat = 0
    for (i, d) in zip(index, shape) {
      precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
      flat = flat * d + i
    }
    return flat
  }
}

extension Tensor: Equatable {
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.shape == rhs.shape && lhs.storage == rhs.storage
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    func format(_ dim: Int, _ offset: Int) -> String {
      if dim == shape.count { return "\(storage[offset])" }
      let stride = shape[(dim + 1)...].reduce(1, *)
      let limit = Swift.min(shape[dim], 8)
      var parts = (0..<limit).map { format(dim + 1, offset + $0 * stride) }
      if shape[dim] > limit { parts.append("…") }
      return "[" + parts.joined(separator: ", ") + "]"
    }
    return format(0, 0)
  }
}

extension Collection where Element == Int {
  /// The product of the elements (1 for an empty collection).
  @usableFromInline
  internal var product: Int { reduce(1, *) }
}
