/// The MD5 message digest (RFC 1321), used to verify downloaded datasets
/// against their published checksums.
///
/// MD5 is broken for security purposes; here it only detects corrupted or
/// wrong files, which is what the published dataset checksums are for.
///
/// ```swift
/// print(MD5.hexDigest(of: Array("abc".utf8)))   // 900150983cd24fb0d6963f7d28e17f72
///
/// var md5 = MD5()                 // or incrementally
/// md5.update(Array("ab".utf8))
/// md5.update(Array("c".utf8))
/// let digest = md5.finalize()     // 16 bytes: 0x90, 0x01, 0x50, …
/// ```
package struct MD5: Sendable {
  private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  /// Creates a hasher with the initial state.
  package init() {}

  /// Feeds bytes into the hash.
  ///
  /// - Complexity: O(n).
  package mutating func update(_ bytes: [UInt8]) {
    length &+= UInt64(bytes.count)
    var start = 0
    if !pending.isEmpty {
      let take = Swift.min(64 - pending.count, bytes.count)
      pending += bytes[0..<take]
      start = take
      if pending.count == 64 {
        let block = pending
        block.withUnsafeBufferPointer { processBlocks($0.baseAddress!, count: 1) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    let blocks = (bytes.count - start) / 64
    if blocks > 0 {
      bytes.withUnsafeBufferPointer { processBlocks($0.baseAddress! + start, count: blocks) }
    }
    pending += bytes[(start + blocks * 64)...]
  }

  /// Finishes the hash and returns the 16-byte digest.
  package mutating func finalize() -> [UInt8] {
    let bitLength = length &* 8
    var tail = pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
    tail.withUnsafeBufferPointer { processBlocks($0.baseAddress!, count: tail.count / 64) }
    pending = []
    let (a, b, c, d) = state
    var digest: [UInt8] = []
    for word in [a, b, c, d] {
      for i in 0..<4 { digest.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
    }
    return digest
  }

  /// The digest of `bytes` as 32 lowercase hex digits.
  ///
  /// - Complexity: O(n).
  package static func hexDigest(of bytes: [UInt8]) -> String {
    var md5 = MD5()
    md5.update(bytes)
    return md5.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  private static let shifts: [UInt32] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
  ]

  /// `floor(abs(sin(i + 1)) * 2^32)` for i in 0..<64 (RFC 1321, table T).
  private static let constants: [UInt32] = [
    0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
    0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
    0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
    0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
    0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
    0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
    0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
    0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
  ]

  private mutating func processBlocks(_ base: UnsafePointer<UInt8>, count: Int) {
    var (a0, b0, c0, d0) = state
    var m = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
             UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
    Self.shifts.withUnsafeBufferPointer { s in
      Self.constants.withUnsafeBufferPointer { k in
        withUnsafeMutableBytes(of: &m) { raw in
          let words = raw.bindMemory(to: UInt32.self)
          for block in 0..<count {
            let p = base + 64 * block
            for i in 0..<16 {
              words[i] = UInt32(p[4 * i]) | UInt32(p[4 * i + 1]) << 8
                | UInt32(p[4 * i + 2]) << 16 | UInt32(p[4 * i + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
              var f: UInt32
              let g: Int
              switch i >> 4 {
              case 0: f = (b & c) | (~b & d); g = i
              case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
              case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
              default: f = c ^ (b | ~d); g = (7 &* i) & 15
              }
              f = f &+ a &+ k[i] &+ words[g]
              a = d
              d = c
              c = b
              b = b &+ (f << s[i] | f >> (32 &- s[i]))
            }
            a0 = a0 &+ a
            b0 = b0 &+ b
            c0 = c0 &+ c
            d0 = d0 &+ d
          }
        }
      }
    }
    state = (a0, b0, c0, d0)
  }
}
