/// Where an example's images come from: a bundled dataset (`mnist`,
/// `fashion-mnist`, `cifar10`) or a file or folder of the user's
/// (`npz:FILE`, `safetensors:FILE`, `folder:DIR`).
///
/// Spelled as on the command line (`"mnist"`, `"npz:digits.npz"`), on the
/// command line and in JSON, so options files and checkpoints of earlier
/// versions (which spelled only the bundled names) still read.
///
/// - `npz:FILE`: a NumPy archive in Keras's layout (`x_train`, `y_train`,
///   `x_test`, `y_test`), read with `Dataset.npz(file:)`.
/// - `safetensors:FILE`: a safetensors file with an images and a labels
///   tensor (named by `--images-tensor` and `--labels-tensor`), read with
///   `Dataset.safetensors(file:)`; a random sixth of the images (fixed seed)
///   form the test split.
/// - `folder:DIR`: an image folder (`DIR/<class>/*.png`, or `DIR/train/…`
///   and `DIR/test/…`), read with `Dataset.imageFolder(_:)`; without `test/`
///   a random sixth of the images (fixed seed) form the test split.
public enum DatasetSource: Hashable, Sendable {
  /// A bundled dataset, found with `--data-dir`, `$GTN_DATA_DIR` or the
  /// standard places.
  case named(DatasetKind)
  /// A Keras-layout `.npz` archive.
  case npz(String)
  /// A safetensors file of images and labels.
  case safetensors(String)
  /// An ImageFolder directory of PNG or JPEG files.
  case folder(String)

  /// MNIST.
  public static let mnist = DatasetSource.named(.mnist)
  /// Fashion-MNIST.
  public static let fashionMNIST = DatasetSource.named(.fashionMNIST)
  /// CIFAR-10.
  public static let cifar10 = DatasetSource.named(.cifar10)

  /// The prefixes of the file forms, in `--help` order.
  static let filePrefixes = ["npz:", "safetensors:", "folder:"]

  /// The bundled dataset, or `nil` for a file source.
  public var kind: DatasetKind? {
    if case .named(let kind) = self { return kind }
    return nil
  }

  /// The file or folder of a file source, or `nil` for a bundled dataset.
  public var path: String? {
    switch self {
    case .named: nil
    case .npz(let path), .safetensors(let path), .folder(let path): path
    }
  }
}

extension DatasetSource: RawRepresentable, Codable, CommandLineValue, CustomStringConvertible {
  /// Parses a bundled name or `npz:FILE`, `safetensors:FILE`, `folder:DIR`;
  /// `nil` for anything else, or an empty path.
  public init?(rawValue: String) {
    if let kind = DatasetKind(rawValue: rawValue) {
      self = .named(kind)
      return
    }
    guard let colon = rawValue.firstIndex(of: ":") else { return nil }
    let path = String(rawValue[rawValue.index(after: colon)...])
    guard !path.isEmpty else { return nil }
    switch rawValue[..<colon] {
    case "npz": self = .npz(path)
    case "safetensors": self = .safetensors(path)
    case "folder": self = .folder(path)
    default: return nil
    }
  }

  public var rawValue: String {
    switch self {
    case .named(let kind): kind.rawValue
    case .npz(let path): "npz:" + path
    case .safetensors(let path): "safetensors:" + path
    case .folder(let path): "folder:" + path
    }
  }

  public static var expectation: String {
    "one of \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")), npz:FILE, safetensors:FILE or folder:DIR"
  }

  public static var choices: [String]? { DatasetKind.allCases.map(\.rawValue) + ["npz:FILE", "safetensors:FILE", "folder:DIR"] }

  public init?(argument: String) { self.init(rawValue: argument) }

  public var argumentDescription: String { rawValue }

  public var description: String { rawValue }
}
