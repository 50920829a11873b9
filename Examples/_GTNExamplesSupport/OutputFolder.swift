// The output folder of a run: one writer at a time (an advisory lock), files
// replaced atomically under predictable temporary names, stale temporaries
// of a killed run removed, and file errors in plain words naming the path.

import Foundation
import GTNData

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output folder held by this process: created when missing, locked with
/// `flock` on `DIR/.lock` (which holds the owner's process id), so a second
/// run on the same folder fails at once instead of overwriting the first
/// one's files. The kernel releases the lock when the process ends, however
/// it ends; a lock file left by a killed run is taken over.
public final class OutputFolder {
  /// The folder.
  public let url: URL
  /// The flag that named the folder, for messages (`--output`).
  public let flag: String
  /// The folders this process created (outermost first), removed again by
  /// ``release(removingCreatedFolders:)`` when they hold nothing else.
  let createdFolders: [String]
  /// The open lock file, or -1 once released.
  private var descriptor: Int32

  /// The name of the lock file inside the folder.
  public static let lockName = ".lock"

  /// The output files the examples replace atomically (`gtn sample`'s
  /// included); a temporary of one of them is `<name>.tmp-<pid>`.
  public static let outputNames: Set<String> = [
    "checkpoint.safetensors", "options.json", "summary.json", "accuracy.csv", "accuracy.svg", "curriculum.png",
    "curriculum-preview.png", "training.csv", "report.html", "images.npy", "labels.npy", "targets.npy", "samples.safetensors", "train-images-idx3-ubyte",
    "train-images-idx4-ubyte", "train-labels-idx1-ubyte", "schedule.json",
  ]

  /// Creates `url` if needed and locks it.
  ///
  /// - Throws: ``ExampleError`` naming `flag` and the folder when it cannot
  ///   be created or written, or when another process holds it (with that
  ///   process's id).
  public init(_ url: URL, flag: String = "--output") throws {
    self.url = url
    self.flag = flag
    let path = url.path
    createdFolders = try Self.createFolders(path, flag: flag)
    let lockPath = url.appendingPathComponent(Self.lockName).path
    var acquired: Int32 = -1
    do {
      // The lock file may be removed by its previous owner between open and
      // flock: retry until the locked file is the one at the path.
      for _ in 0..<100 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
          throw ExampleError(message: "\(flag) \(path): cannot write in the folder (\(systemMessage(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
          let code = errno
          let owner = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
          close(fd)
          guard code == EWOULDBLOCK else {
            throw ExampleError(message: "\(flag) \(path): cannot lock \(lockPath) (\(systemMessage(code)))")
          }
          let who = Int(owner).map { "process \($0)" } ?? "another process"
          throw ExampleError(
            message: "\(flag) \(path) is in use by \(who) (lock \(lockPath)); wait for that run to end or choose another \(flag)")
        }
        var opened = stat()
        var current = stat()
        if fstat(fd, &opened) == 0, stat(lockPath, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
          acquired = fd
          break
        }
        close(fd)
      }
      guard acquired >= 0 else { throw ExampleError(message: "\(flag) \(path): cannot take the lock \(lockPath)") }
      let pid = Array("\(getpid())\n".utf8)
      guard ftruncate(acquired, 0) == 0, pid.withUnsafeBytes({ systemWrite(acquired, $0.baseAddress, $0.count) }) == pid.count else {
        let code = errno
        close(acquired)
        throw ExampleError(message: "\(flag) \(path): cannot write in the folder (\(systemMessage(code)))")
      }
    } catch {
      Self.removeEmpty(createdFolders)
      throw error
    }
    descriptor = acquired
  }

  deinit { release(removingCreatedFolders: false) }

  /// Unlocks the folder and removes the lock file; with
  /// `removingCreatedFolders`, also the folders this process created, when
  /// they hold nothing else (a run that failed before writing anything
  /// leaves nothing behind).
  public func release(removingCreatedFolders: Bool) {
    guard descriptor >= 0 else { return }
    unlink(url.appendingPathComponent(Self.lockName).path)
    close(descriptor)
    descriptor = -1
    if removingCreatedFolders { Self.removeEmpty(createdFolders) }
  }

  /// The file `name` in the folder.
  public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

  /// Whether `name` is a temporary of ``outputNames`` (`<name>.tmp-<pid>`).
  public static func isTemporary(_ name: String) -> Bool {
    guard let range = name.range(of: ".tmp-", options: .backwards) else { return false }
    let digits = name[range.upperBound...]
    return outputNames.contains(String(name[..<range.lowerBound])) && !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
  }

  /// Removes temporaries that runs killed while writing left in the folder
  /// (this process holds the lock, so none is being written); returns their
  /// names.
  @discardableResult
  public func removeStaleTemporaries() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.filter(Self.isTemporary).sorted().filter { unlink(url.appendingPathComponent($0).path) == 0 }
  }

  /// Creates `path` and its missing parents; returns those it created.
  static func createFolders(_ path: String, flag: String) throws -> [String] {
    var info = stat()
    if stat(path, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else { throw ExampleError(message: "\(flag) \(path): exists and is not a folder") }
      return []
    }
    let parent = (path as NSString).deletingLastPathComponent
    var created: [String] = []
    if !parent.isEmpty, parent != path, stat(parent, &info) != 0 {
      created = try createFolders(parent, flag: flag)
    }
    if mkdir(path, 0o777) != 0, errno != EEXIST {
      let code = errno
      removeEmpty(created)
      throw ExampleError(message: "\(flag) \(path): cannot create the folder (\(systemMessage(code)))")
    }
    return created + [path]
  }

  /// Removes the folders `paths` (innermost last) that are empty.
  static func removeEmpty(_ paths: [String]) {
    for path in paths.reversed() { rmdir(path) }
  }
}

/// The system's message for `code`, such as "No space left on device".
func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }

func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
  Glibc.write(descriptor, buffer, count)
  #else
  Darwin.write(descriptor, buffer, count)
  #endif
}

/// Replaces `url` with `bytes` atomically (GTNData's `AtomicFile`).
///
/// - Throws: ``ExampleError`` naming the path and the reason in plain words
///   (permission denied, no space left on device, is a directory).
public func writeAtomically(_ bytes: some Collection<UInt8>, to url: URL) throws {
  do { try AtomicFile.write(bytes, to: url) } catch {
    throw ExampleError(message: "cannot write \(url.path) (\(error.found))")
  }
}

/// Replaces `url` with `text` (UTF-8) atomically, as
/// ``writeAtomically(_:to:)``.
public func writeAtomically(_ text: String, to url: URL) throws {
  try writeAtomically(Array(text.utf8), to: url)
}

/// What is wrong with the file at `path` for reading, in plain words, or
/// `nil` when it is a readable regular file (or absent, when `missingIsFine`).
public func fileProblem(_ path: String, missingIsFine: Bool = false) -> String? {
  var info = stat()
  guard stat(path, &info) == 0 else {
    let code = errno
    return code == ENOENT && missingIsFine ? nil : systemMessage(code)
  }
  if info.st_mode & S_IFMT == S_IFDIR { return "is a directory" }
  guard info.st_mode & S_IFMT == S_IFREG else { return "is not a regular file" }
  guard access(path, R_OK) == 0 else { return systemMessage(errno) }
  return nil
}
