import Dispatch
import Foundation

/// Runs `body` for `0..<count` on all cores and collects the results in order.
///
/// Used to decode several dataset files at once; `body` must only touch its
/// own index's data.
func concurrentMap<T>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
  let slots = ResultSlots<T>(count: count)
  DispatchQueue.concurrentPerform(iterations: count) { i in
    slots.set(i, Result { try body(i) })
  }
  return try slots.values()
}

/// Thread-safe storage for the results of ``concurrentMap(_:_:)``.
private final class ResultSlots<T>: @unchecked Sendable {
  private var results: [Result<T, any Error>?]
  private let lock = NSLock()

  init(count: Int) { results = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ result: Result<T, any Error>) {
    lock.lock()
    results[index] = result
    lock.unlock()
  }

  /// The values in order, or the error of the lowest failing index.
  func values() throws -> [T] {
    try results.map { try $0!.get() }
  }
}
