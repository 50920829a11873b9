/// MD5 checksums of the original dataset files, for verifying what was read.
///
/// ``content`` holds the MD5 of each file's *decompressed* bytes, keyed by the
/// plain file name, so that verification works whether a file is stored
/// plain or gzip-compressed, and whoever compressed it (Debian recompressed
/// Fashion-MNIST, so its `.gz` checksums differ from upstream's while the
/// contents are identical). The CIFAR-10 values are the published ones; the
/// MNIST and Fashion-MNIST values were computed from archives that match the
/// published `.gz` checksums in ``mnistArchives``.
///
/// ```swift
/// let batch = try CIFAR10Batch(contentsOf: url)
/// try KnownChecksums.verify(batch.encoded(), md5: KnownChecksums.content["test_batch.bin"]!, file: url.path)
/// ```
///
/// The loaders do this for you with `verifyingChecksums: true`.
public enum KnownChecksums {
  /// MD5 of the decompressed content of each known file, by plain file name.
  public static let content: [String: String] = [
    // MNIST
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    // CIFAR-10, binary version (published)
    "data_batch_1.bin": "5dd7e06a14cb22eb9f671a540d1b7c25",
    "data_batch_2.bin": "5ea93a67294ea407fff1d09f752e9692",
    "data_batch_3.bin": "942cd6a4bcdd0dd3c604fbe906cb4421",
    "data_batch_4.bin": "ae636b3ba5c66a11e91e8cb52e771fcb",
    "data_batch_5.bin": "53f37980c15c3d472c316c40844f3f0d",
    "test_batch.bin": "803d5f7f4d78ea53de84dbe85f74fb6d",
  ]

  /// MD5 of the decompressed Fashion-MNIST files (same names as MNIST's).
  public static let fashionMNISTContent: [String: String] = [
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
  ]

  /// The published MD5 of each original MNIST `.gz` archive.
  public static let mnistArchives: [String: String] = [
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
  ]

  /// Checks `bytes` against an expected MD5.
  ///
  /// - Parameters:
  ///   - bytes: The (decompressed) file content.
  ///   - expected: 32 hex digits.
  ///   - file: The name used in the error.
  /// - Throws: ``DataError`` of kind `.checksumMismatch` if they differ.
  /// - Complexity: O(n).
  public static func verify(_ bytes: [UInt8], md5 expected: String, file: String) throws {
    let found = MD5.hexDigest(of: bytes)
    guard found == expected.lowercased() else {
      throw DataError(.checksumMismatch, file: file, field: "md5", expected: expected, found: found)
    }
  }
}
