import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files replaced atomically, so that a crash or a full disk leaves either
/// the old file or the new one, never a torn one.
///
/// ```swift
/// try AtomicFile.write(Array("iteration,loss\n".utf8), to: url)
/// ```
///
/// The bytes go to the temporary file `<name>.tmp-<pid>` beside the
/// destination (this process's id), are flushed to disk with `fsync`, and
/// the temporary is renamed over the destination; then the folder's entry is
/// flushed. A process killed while writing can leave the temporary behind
/// under that name; whoever owns the folder may remove it. On failure the
/// temporary is removed and the destination is unchanged.
public enum AtomicFile {
  /// Replaces `url` with `bytes`.
  ///
  /// - Throws: ``DataError`` of kind ``DataError/Kind/unwritable`` naming
  ///   the path, with the system's reason in plain words (permission
  ///   denied, no space left on device, is a directory) as its
  ///   ``DataError/found``.
  /// - Complexity: O(n) in the bytes, plus two `fsync` calls.
  public static func write(_ bytes: some Collection<UInt8>, to url: URL) throws(DataError) {
    let path = url.path
    let temporary = url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).tmp-\(getpid())").path
    func failure(_ code: Int32) -> DataError {
      DataError(.unwritable, file: path, field: "file", expected: "a file that can be written", found: String(cString: strerror(code)))
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure(errno) }
    let data = Array(bytes)
    var problem: DataError? = nil
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count, let base = raw.baseAddress {
        #if canImport(Glibc)
        let written = Glibc.write(descriptor, base + offset, raw.count - offset)
        #else
        let written = Darwin.write(descriptor, base + offset, raw.count - offset)
        #endif
        if written < 0 {
          if errno == EINTR { continue }
          problem = failure(errno)
          return
        }
        offset += written
      }
    }
    if problem == nil, fsync(descriptor) != 0 { problem = failure(errno) }
    if close(descriptor) != 0, problem == nil { problem = failure(errno) }
    if problem == nil, rename(temporary, path) != 0 { problem = failure(errno) }
    if let problem {
      unlink(temporary)
      throw problem
    }
    let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folder >= 0 {
      _ = fsync(folder)
      close(folder)
    }
  }
}
