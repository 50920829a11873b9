#if os(Linux) && canImport(Glibc)
import Glibc

// glibc's `int mallopt(int param, int value)` from <malloc.h>, which the
// Glibc module does not export; the parameter numbers are glibc's ABI.
@_silgen_name("mallopt")
private func _mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let M_TRIM_THRESHOLD: Int32 = -1
private let M_TOP_PAD: Int32 = -2
private let M_MMAP_THRESHOLD: Int32 = -3
private let M_MMAP_MAX: Int32 = -4
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
/// Raising glibc's `mmap` threshold is not enough for the paper's widths:
/// glibc caps it at 32 MiB, and W4's generator makes tensors of 49 and 98
/// MiB (and oneDNN buffers of their size) several times per step, so those
/// went back to fresh pages on every step: about 1.2 million page faults
/// per W4 step after the first. With `mmap` switched off for the allocator
/// as well, a step after the first faults about 6,000 pages and W4 on one
/// thread takes 11.1–11.5 CPU seconds per step instead of 14.4, at the same
/// peak memory.
///
/// Threads other than the first allocate from arenas of their own, built
/// from 64 MiB regions that glibc unmaps whenever one becomes entirely
/// free, whatever the trim threshold — unless the arena's top padding is
/// larger than the room left in the region before it. With the padding at
/// the regions' full 64 MiB, a worker thread keeps its regions as the
/// calling thread keeps its heap. Measured with two learners per outer
/// iteration on two threads (`mnist-gtn`'s conv-bn-pixels recipe): the
/// worker spent about a tenth of its time in page faults while the caller
/// waited for it, and 60 iterations took 49.6 s against 48.1 s with the
/// padding (medians of three alternated runs). One arena shared by every
/// thread (`M_ARENA_MAX` 1) avoided the faults but made the same run 15%
/// slower than glibc's default.
///
/// It changes the whole process, so it is for executables to call (the
/// bundled ones do), not libraries. Peak memory is unaffected in steady
/// state; memory freed late in a run is returned at exit rather than at once.
public enum AllocatorTuning {
  /// Serves every allocation from the heap (`mmap` threshold at glibc's
  /// 32 MiB maximum, and no `mmap`ed chunks at all, so larger blocks extend
  /// the heap too) and keeps freed memory for reuse, in every thread's
  /// arena (top padding of 64 MiB, the size of a thread arena's region).
  /// Does nothing where the allocator is not glibc's, or when the
  /// environment variable `GTN_DEFAULT_ALLOCATOR` is set.
  public static func keepLargeAllocationsInHeap() {
    #if os(Linux) && canImport(Glibc)
    guard getenv("GTN_DEFAULT_ALLOCATOR") == nil else { return }
    _ = _mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = _mallopt(M_MMAP_MAX, 0)
    _ = _mallopt(M_TRIM_THRESHOLD, Int32.max)
    _ = _mallopt(M_TOP_PAD, 64 << 20)
    #endif
  }
}
