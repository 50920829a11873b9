import Foundation
import Testing
import GTNData

/// Every Swift sample in the documentation compiles: each ```swift block of
/// the README, the DocC articles (`Sources/*/*.docc/*.md`) and of the doc comments
/// (`/// ```swift` in `Sources/**/*.swift`) must appear, line for line, in a
/// snippet under `Snippets/`, which `swift build` compiles as an executable.
///
/// A block matches when its non-empty lines, trimmed, appear as a contiguous
/// run of the non-empty trimmed lines of one snippet (snippets indent samples
/// inside functions and add setup lines before and after them). A sample that is
/// edited without its snippet, or added without one, fails here; a sample
/// that stops compiling fails the build.
///
/// Blocks that are not Swift programs (shell commands, formulas) are fenced
/// as `sh` or `text` in the documentation and are not checked.
@Suite struct DocumentationSampleTests {
  /// One fenced Swift block.
  struct Sample: CustomStringConvertible {
    /// The path relative to the repository root.
    var file: String
    /// The 1-based line of the opening fence.
    var line: Int
    /// The block's lines, trimmed, without empty lines.
    var lines: [String]

    var description: String { "\(file):\(line)" }
  }

  /// The repository root: three levels above this file (Tests/GTNCoreTests/).
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The files below `directory` (relative to the root) whose names end in
  /// `suffix`, sorted, as relative paths.
  static func files(under directory: String, suffix: String) -> [String] {
    let base = root.appending(path: directory)
    guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
    return enumerator.compactMap { ($0 as? URL)?.standardizedFileURL.path }
      .filter { $0.hasSuffix(suffix) }
      .map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
      .sorted()
  }

  static func lines(of path: String) throws -> [String] {
    try String(contentsOf: root.appending(path: path), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  static func trimmed(_ line: some StringProtocol) -> String {
    line.trimmingCharacters(in: .whitespaces)
  }

  /// The Swift blocks of `lines`, after `strip` has turned each line into
  /// its Markdown text (`nil`: the line is not documentation and ends any
  /// open block).
  static func samples(in file: String, lines: [String], strip: (String) -> String?) -> [Sample] {
    var samples: [Sample] = []
    var open: Sample? = nil
    for (index, raw) in lines.enumerated() {
      guard let text = strip(raw).map(trimmed) else {
        open = nil
        continue
      }
      if var sample = open {
        if text.hasPrefix("```") {
          samples.append(sample)
          open = nil
        } else if !text.isEmpty {
          sample.lines.append(text)
          open = sample
        }
      } else if text == "```swift" {
        open = Sample(file: file, line: index + 1, lines: [])
      }
    }
    return samples
  }

  /// Every Swift block of the README, the articles and doc comments.
  static func allSamples() throws -> [Sample] {
    var samples = Self.samples(in: "README.md", lines: try Self.lines(of: "README.md")) { $0 }
    for file in files(under: "Sources", suffix: ".md") where file.contains(".docc/") {
      samples += Self.samples(in: file, lines: try Self.lines(of: file)) { $0 }
    }
    for file in files(under: "Sources", suffix: ".swift") {
      samples += Self.samples(in: file, lines: try Self.lines(of: file)) { line in
        let text = Self.trimmed(line)
        guard text.hasPrefix("///") else { return nil }
        return String(text.dropFirst(3))
      }
    }
    return samples
  }

  /// Whether `needle` occurs as a contiguous run in `haystack`.
  static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
    guard !needle.isEmpty else { return true }
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { start in
      needle.indices.allSatisfy { haystack[start + $0] == needle[$0] }
    }
  }

  @Test func everySampleIsInASnippet() throws {
    let samples = try Self.allSamples()
    // Guards against the extraction silently finding nothing (e.g. after a move).
    #expect(samples.count >= 80, "found only \(samples.count) Swift samples in Sources/")

    let snippetFiles = Self.files(under: "Snippets", suffix: ".swift")
    #expect(!snippetFiles.isEmpty, "no snippets in \(Self.root.appending(path: "Snippets").path)")
    // This file holds the samples of package-level API (see below): snippets
    // are built without the package's name and cannot see `package` symbols.
    let sources = try (snippetFiles + ["Tests/GTNCoreTests/DocumentationSampleTests.swift"]).map {
      try Self.lines(of: $0).map(Self.trimmed).filter { !$0.isEmpty }
    }

    for sample in samples where !sources.contains(where: { Self.contains($0, sample.lines) }) {
      let head = sample.lines.prefix(3).map { "    " + $0 }.joined(separator: "\n")
      Issue.record("""
        The Swift sample at \(sample) is in no snippet under Snippets/; add it there (after any \
        setup it needs), or update the snippet it was copied to. It begins:
        \(head)
        """)
    }
  }

  @Test func theCheckerFindsAndMatchesBlocks() {
    let markdown = ["Text", "```swift", "  let a = 1", "", "print(a)", "```", "```sh", "swift build", "```"]
    let found = Self.samples(in: "A.md", lines: markdown) { $0 }
    #expect(found.map(\.description) == ["A.md:2"])
    #expect(found.first?.lines == ["let a = 1", "print(a)"])

    let source = ["/// Doc.", "/// ```swift", "/// f()", "/// ```", "func f() {}", "// ```swift", "// g()"]
    let comments = Self.samples(in: "B.swift", lines: source) { line in
      line.hasPrefix("///") ? String(line.dropFirst(3)) : nil
    }
    #expect(comments.map(\.lines) == [["f()"]])

    #expect(Self.contains(["x", "let a = 1", "print(a)", "y"], ["let a = 1", "print(a)"]))
    #expect(!Self.contains(["let a = 1", "x", "print(a)"], ["let a = 1", "print(a)"]))
  }

  // MARK: Samples of package-level API

  /// The sample of `MD5` (GTNData, package API).
  @Test func md5Sample() {
    print(MD5.hexDigest(of: Array("abc".utf8)))   // 900150983cd24fb0d6963f7d28e17f72

    var md5 = MD5()                 // or incrementally
    md5.update(Array("ab".utf8))
    md5.update(Array("c".utf8))
    let digest = md5.finalize()     // 16 bytes: 0x90, 0x01, 0x50, …

    #expect(MD5.hexDigest(of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(digest.prefix(3) == [0x90, 0x01, 0x50])
  }
}
