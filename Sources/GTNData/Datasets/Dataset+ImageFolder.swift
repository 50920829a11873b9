import Foundation

extension Dataset {
  /// The file extensions an image folder's images may have (any case).
  public static let imageFolderExtensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Loads a dataset laid out as torchvision's `ImageFolder` expects: one
  /// directory per class, holding that class's images.
  ///
  /// ```text
  /// root/cat/001.png          root/train/cat/001.png
  /// root/cat/002.jpg    or    root/train/dog/001.jpg
  /// root/dog/001.jpeg         root/test/cat/101.png
  /// ```
  ///
  /// If `root` has a `train` directory, the training set comes from
  /// `root/train` and the test set from `root/test` (if present); otherwise
  /// `root` is the training set and there is no test set.
  ///
  /// As in torchvision, the classes are the subdirectories sorted by name
  /// (by Unicode code points, as Python sorts), label `i` is the `i`-th, and
  /// each class's images are found recursively and sorted by path. The test
  /// set uses the training set's classes. Unlike torchvision, entries whose
  /// names start with `.` are skipped, and only `.png`, `.jpg` and `.jpeg`
  /// files are read (the format is recognised by its magic bytes).
  ///
  /// Images are decoded with libpng and libjpeg to 8 bits: palettes are
  /// expanded, alpha is dropped. The dataset has 1 channel if every image
  /// (of both sets) is grey, 3 otherwise (grey images then repeat their
  /// value in R, G and B). All images must have the size of the first one
  /// unless `resizing` gives a common size. `.standardized` uses statistics
  /// computed from the training images for both sets.
  ///
  /// ```swift
  /// let (train, test) = try Dataset.imageFolder(URL(fileURLWithPath: "/data/pets"), normalization: .zeroToOne)
  /// print(train.classNames, train.images.shape, test?.count ?? 0)
  /// ```
  ///
  /// - Parameters:
  ///   - root: The directory of class directories, or of `train` and `test`.
  ///   - normalization: How pixel values become floats.
  ///   - resizing: A common size to resize every image to; `nil` requires
  ///     equal sizes.
  /// - Throws: ``DataError`` naming the directory or file: no classes, a
  ///   class without images, an undecodable image, a size that differs from
  ///   the first image's, a test class missing from the training set.
  /// - Complexity: O(n) in the number of pixels; files are decoded on all cores.
  public static func imageFolder(
    _ root: URL, normalization: Normalization = .standardized, resizing: ImageResize? = nil
  ) throws -> (train: Dataset, test: Dataset?) {
    if let resizing {
      let (h, w) = resizing.size
      guard h > 0, w > 0, h * w <= ImageDecoder.maximumBytes / 3 else {
        throw DataError(.invalidHeader, file: root.path, field: "resizing", expected: "a positive size", found: "\(h)×\(w)")
      }
    }
    let trainDirectory = root.appendingPathComponent("train", isDirectory: true)
    let testDirectory = root.appendingPathComponent("test", isDirectory: true)
    let split = isDirectory(trainDirectory)
    let trainFolder = try scanImageFolder(split ? trainDirectory : root, classNames: nil)
    let testFolder = split && isDirectory(testDirectory)
      ? try scanImageFolder(testDirectory, classNames: trainFolder.classNames) : nil

    let files = trainFolder.files + (testFolder?.files ?? [])
    var images = try concurrentMap(files.count) { i in
      let image = try ImageDecoder.decode(readBytes(files[i].url), source: files[i].url.path)
      return resizing?.apply(to: image) ?? image
    }
    let first = images[0]
    for (i, image) in images.enumerated() where image.width != first.width || image.height != first.height {
      throw DataError(
        .countMismatch, file: files[i].url.path, field: "image size",
        expected: "\(first.width)×\(first.height) like \(files[0].url.path) (or pass resizing:)",
        found: "\(image.width)×\(image.height)")
    }
    let channels = images.contains { $0.channels == 3 } ? 3 : 1
    if channels == 3 { images = images.map { $0.rgb() } }

    func dataset(_ range: Range<Int>, statistics: ChannelStatistics?) throws -> (Dataset, ChannelStatistics) {
      let n = range.count
      let plane = first.width * first.height
      var interleaved: [UInt8] = []
      interleaved.reserveCapacity(n * plane * channels)
      for i in range { interleaved += images[i].pixels }
      let planar = PlanarPixels.bytes(
        PlanarPixels.planar(interleaved, count: n, height: first.height, width: first.width, channels: channels))
      let shape = [n, channels, first.height, first.width]
      let statistics = try statistics ?? defaultStatistics(planar, shape: shape, normalization: normalization)
      let source = range.lowerBound < trainFolder.files.count ? (split ? trainDirectory : root).path : testDirectory.path
      let data = try Dataset(
        planar: planar, shape: shape, labels: range.map { files[$0].label }, classNames: trainFolder.classNames,
        normalization: normalization, statistics: statistics, source: source)
      return (data, statistics)
    }
    let (train, statistics) = try dataset(0..<trainFolder.files.count, statistics: nil)
    let test = testFolder == nil ? nil : try dataset(trainFolder.files.count..<files.count, statistics: statistics).0
    return (train, test)
  }

  /// The classes and image files of one image-folder directory.
  static func scanImageFolder(
    _ directory: URL, classNames given: [String]?
  ) throws -> (classNames: [String], files: [(url: URL, label: Int)]) {
    guard isDirectory(directory) else {
      throw DataError(.notFound, file: directory.path, field: "directory", expected: "a directory of class directories", found: "no such directory")
    }
    let classes = try visibleEntries(of: directory).filter { isDirectory(directory.appendingPathComponent($0, isDirectory: true)) }
    guard !classes.isEmpty else {
      throw DataError(.notFound, file: directory.path, field: "class directories", expected: "one directory per class", found: "none")
    }
    let classNames = given ?? classes
    var files: [(url: URL, label: Int)] = []
    for name in classes {
      guard let label = classNames.firstIndex(of: name) else {
        throw DataError(
          .labelOutOfRange, file: directory.appendingPathComponent(name).path, field: "class",
          expected: "a class of the training set (\(classNames.joined(separator: ", ")))", found: "'\(name)'")
      }
      let classDirectory = directory.appendingPathComponent(name, isDirectory: true)
      let images = try imageFiles(under: classDirectory)
      guard !images.isEmpty else {
        throw DataError(
          .notFound, file: classDirectory.path, field: "images",
          expected: "at least one .png, .jpg or .jpeg file", found: "none")
      }
      files += images.map { ($0, label) }
    }
    return (classNames, files)
  }

  /// The image files below `directory`, recursively, sorted by path.
  private static func imageFiles(under directory: URL) throws -> [URL] {
    var result: [URL] = []
    for name in try visibleEntries(of: directory) {
      let url = directory.appendingPathComponent(name)
      if isDirectory(url) {
        result += try imageFiles(under: url)
      } else if imageFolderExtensions.contains(url.pathExtension.lowercased()) {
        result.append(url)
      }
    }
    return result
  }

  /// The names in `directory` not starting with `.`, sorted by code points.
  private static func visibleEntries(of directory: URL) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { !$0.hasPrefix(".") }
        .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    } catch {
      throw DataError(.unreadable, file: directory.path, field: "directory", expected: "a readable directory", found: error.localizedDescription)
    }
  }

  private static func isDirectory(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
  }
}
