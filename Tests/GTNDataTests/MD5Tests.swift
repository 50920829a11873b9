import Testing
@testable import GTNData

@Suite("MD5")
struct MD5Tests {
  /// The test suite of RFC 1321, appendix A.5.
  @Test(arguments: [
    ("", "d41d8cd98f00b204e9800998ecf8427e"),
    ("a", "0cc175b9c0f1b6a831c399e269772661"),
    ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
    ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
  ])
  func rfc1321Vectors(input: String, digest: String) {
    #expect(MD5.hexDigest(of: Array(input.utf8)) == digest)
  }

  @Test func incrementalUpdatesMatchOneShot() {
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
    let expected = MD5.hexDigest(of: data)
    for split in [0, 1, 55, 56, 63, 64, 65, 500, 999, 1000] {
      var md5 = MD5()
      md5.update(Array(data[..<split]))
      md5.update(Array(data[split...]))
      let hex = md5.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
      #expect(hex == expected, "split at \(split)")
    }
  }

  @Test func verifyReportsMismatch() throws {
    try KnownChecksums.verify(Array("abc".utf8), md5: "900150983CD24FB0D6963F7D28E17F72", file: "abc")
    let error = DataError.caught {
      try KnownChecksums.verify(Array("abd".utf8), md5: "900150983cd24fb0d6963f7d28e17f72", file: "abd")
    }
    #expect(error?.kind == .checksumMismatch)
    #expect(error?.file == "abd")
  }
}
