#if os(Linux) && canImport(Glibc)
import Glibc

// glibc's `int mallopt(int param, int value)` from <malloc.h>, which the
// Glibc module does not export; the parameter numbers are glibc's ABI.
@_silgen_name("mallopt")
private func _mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let M_TRIM_THRESHOLD: Int32 = -1
private let M_MMAP_THRESHOLD: Int32 = -3
#endif

/// Process-wide tuning of the C allocator for workloads that allocate and
/// free many large tensors.
///
/// glibc serves allocations above 128 KiB (by default, adjusted dynamically)
/// with fresh `mmap` pages and returns them to the system on `free`, so every
/// large tensor of every step pays a page fault per 4 KiB page and the kernel
/// zeroes each page again. Measured on the W2 benchmark: a third of the run
/// time was the kernel clearing pages. ``keepLargeAllocationsInHeap()`` makes
/// glibc serve them from its heap and keep freed memory for reuse instead.
///
/// It changes the whole process, so it is for executables to call (the
/// bundled ones do), not libraries. Peak memory is unaffected in steady
/// state; memory freed late in a run is returned at exit rather than at once.
public enum AllocatorTuning {
  /// Serves allocations up to 32 MiB (glibc's largest allowed threshold on
  /// 64-bit systems) from the heap and keeps freed memory for reuse. Does
  /// nothing where the allocator is not glibc's, or when the environment
  /// variable `GTN_DEFAULT_ALLOCATOR` is set.
  public static func keepLargeAllocationsInHeap() {
    #if os(Linux) && canImport(Glibc)
    guard getenv("GTN_DEFAULT_ALLOCATOR") == nil else { return }
    _ = _mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = _mallopt(M_TRIM_THRESHOLD, Int32.max)
    #endif
  }
}
