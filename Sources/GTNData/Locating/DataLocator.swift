import Foundation

/// Finds the directory holding a dataset's files.
///
/// The locator looks, in order:
///
/// 1. in the directory given by the caller, if any (and only there), then in
///    its subfolder named after the collection (`mnist/`, `fashion-mnist/`,
///    `cifar-10-batches-bin/`);
/// 2. otherwise in the directory named by the environment variable
///    `GTN_DATA_DIR`, first in the collection's subfolder, then directly;
/// 3. for Fashion-MNIST, in `/usr/share/datasets/fashion-mnist/`, where the
///    Debian package `dataset-fashion-mnist` installs it.
///
/// A directory qualifies when it holds every requested file, each either
/// plain or with a `.gz` suffix. When none does, the thrown ``DataError``
/// lists every place searched and how to obtain the files.
///
/// ```swift
/// let locator = DataLocator()            // uses GTN_DATA_DIR
/// let urls = try locator.locate(["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"], of: .mnist)
/// ```
public struct DataLocator: Sendable {
  /// A dataset the locator knows how to find.
  public enum Collection: String, Sendable, CaseIterable {
    /// MNIST handwritten digits.
    case mnist
    /// Zalando's Fashion-MNIST.
    case fashionMNIST
    /// CIFAR-10, binary version.
    case cifar10

    /// The names of subfolders searched for this collection.
    public var folderNames: [String] {
      switch self {
      case .mnist: ["mnist", "MNIST"]
      case .fashionMNIST: ["fashion-mnist", "fashion_mnist", "FashionMNIST"]
      case .cifar10: ["cifar-10-batches-bin", "cifar10", "cifar-10"]
      }
    }

    /// Where to get the files, for error messages.
    public var instructions: String {
      switch self {
      case .mnist:
        "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (e.g. from a mirror of yann.lecun.com/exdb/mnist) into $GTN_DATA_DIR/mnist/"
      case .fashionMNIST:
        "run `apt-get install dataset-fashion-mnist` (installs into \(DataLocator.debianFashionMNISTDirectory)) or put the four IDX files from github.com/zalandoresearch/fashion-mnist into $GTN_DATA_DIR/fashion-mnist/"
      case .cifar10:
        "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it so that $GTN_DATA_DIR/cifar-10-batches-bin/ holds data_batch_1.bin … test_batch.bin (optionally gzipped) and batches.meta.txt"
      }
    }
  }

  /// The environment variable naming the data directory.
  public static let environmentVariable = "GTN_DATA_DIR"
  /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
  public static let debianFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

  /// The directory given by the caller, searched instead of `GTN_DATA_DIR`.
  public var directory: URL?
  /// The environment consulted for `GTN_DATA_DIR`.
  public var environment: [String: String]
  /// Whether to search the Debian Fashion-MNIST location.
  public var searchesSystemLocations: Bool

  /// Creates a locator.
  ///
  /// - Parameters:
  ///   - directory: A directory to search instead of `GTN_DATA_DIR`.
  ///   - environment: The environment to read `GTN_DATA_DIR` from.
  ///   - searchesSystemLocations: Whether to search the Debian location
  ///     for Fashion-MNIST.
  public init(
    directory: URL? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    searchesSystemLocations: Bool = true
  ) {
    self.directory = directory
    self.environment = environment
    self.searchesSystemLocations = searchesSystemLocations
  }

  /// The directories searched for `collection`, in order.
  public func candidateDirectories(for collection: Collection) -> [URL] {
    var roots: [URL] = []
    if let directory {
      roots.append(directory)
    } else if let value = environment[Self.environmentVariable], !value.isEmpty {
      roots.append(URL(fileURLWithPath: value, isDirectory: true))
    }
    var candidates: [URL] = []
    for root in roots {
      for name in collection.folderNames {
        candidates.append(root.appendingPathComponent(name, isDirectory: true))
      }
      candidates.append(root)
    }
    if collection == .fashionMNIST && searchesSystemLocations {
      candidates.append(URL(fileURLWithPath: Self.debianFashionMNISTDirectory, isDirectory: true))
    }
    return candidates
  }

  /// Finds the first candidate directory holding all of `files`.
  ///
  /// - Parameters:
  ///   - files: Plain file names; each may also be found with a `.gz` suffix.
  ///   - collection: The dataset, which decides the subfolders searched.
  /// - Returns: The URL of each file, in the order given.
  /// - Throws: ``DataError`` of kind `.notFound` listing every place searched.
  public func locate(_ files: [String], of collection: Collection) throws -> [URL] {
    let manager = FileManager.default
    let candidates = candidateDirectories(for: collection)
    for directory in candidates {
      var found: [URL] = []
      for name in files {
        let matches = [name, name + ".gz"]
          .map { directory.appendingPathComponent($0) }
          .filter { manager.isReadableFile(atPath: $0.path) }
        guard let match = matches.first else { break }
        found.append(match)
      }
      if found.count == files.count { return found }
    }
    let searched = candidates.isEmpty
      ? "nowhere: no directory was given and \(Self.environmentVariable) is not set"
      : candidates.map(\.path).joined(separator: ", ")
    throw DataError(
      .notFound, file: files.joined(separator: ", "), field: "\(collection.rawValue) files",
      expected: "all files (plain or .gz) in one of: \(searched); to get them, \(collection.instructions)",
      found: "no directory with all of them")
  }
}
