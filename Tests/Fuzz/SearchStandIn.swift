// Stand-ins for the library types Examples/_GTNExamplesSupport/
// ExampleKinds.swift and Options.swift use, so the flag-parser fuzz build
// compiles the examples' option sources without the library modules (and
// their BLAS, oneDNN and C kernels).
// The macro grammar is a simplification of GTNSearch's: blocks
// `c<channels>k<kernel>[p]` joined by `-`.

struct MacroSearchSpace {
  func architecture(decoding text: String) -> [String]? {
    let blocks = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    for block in blocks {
      guard block.hasPrefix("c"), let k = block.firstIndex(of: "k") else { return nil }
      let channels = block[block.index(after: block.startIndex)..<k]
      var kernel = block[block.index(after: k)...]
      if kernel.hasSuffix("p") { kernel = kernel.dropLast() }
      guard let c = Int(channels), (1...1024).contains(c), let s = Int(kernel), [1, 3, 5, 7].contains(s) else { return nil }
    }
    return blocks
  }
}

public enum CellOperation: String, CaseIterable, Sendable {
  case identity, conv3x3, conv5x5, sepconv3x3, sepconv5x5, maxpool3x3, avgpool3x3
}

/// GTNAutodiff's precision setting (its cases and raw values).
public enum Precision: String, CaseIterable, Codable, Sendable {
  case float32, bfloat16
}

/// GTNCore's export, for its file formats.
public enum SyntheticDataExport {
  public enum Format: String, CaseIterable, Codable, Sendable {
    case npy, safetensors, pngFolder = "png-folder", idx
  }
}
