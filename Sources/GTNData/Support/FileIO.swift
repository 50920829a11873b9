import Foundation

/// Reads a whole file, mapping failures to ``DataError``.
func readBytes(_ url: URL) throws -> [UInt8] {
  let data: Data
  do {
    data = try Data(contentsOf: url, options: .mappedIfSafe)
  } catch {
    let exists = FileManager.default.fileExists(atPath: url.path)
    throw DataError(
      exists ? .unreadable : .notFound, file: url.path, field: "file",
      expected: "a readable file", found: exists ? "\(error.localizedDescription)" : "no such file")
  }
  return [UInt8](data)
}

/// Writes bytes to a file, mapping failures to ``DataError``.
func writeBytes(_ bytes: [UInt8], to url: URL) throws {
  do {
    try Data(bytes).write(to: url, options: .atomic)
  } catch {
    throw DataError(.unwritable, file: url.path, field: "file", expected: "a writable location", found: "\(error.localizedDescription)")
  }
}
