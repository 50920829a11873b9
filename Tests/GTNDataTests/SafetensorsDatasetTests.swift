import Foundation
import GTNData
import Testing

@Suite struct SafetensorsDatasetTests {
  @Test func typedTensorsRoundTrip() throws {
    let arrays: [String: NumPyArray] = [
      "u8": NumPyArray(bytes: [1, 2, 3, 4], shape: [2, 2]),
      "i64": NumPyArray(labels: [5, -6]),
      "i32": NumPyArray(scalarType: .int32, shape: [1], data: [9, 0, 0, 0]),
      "f32": NumPyArray(Tensor(shape: [3], scalars: [0.5, 1, -2])),
      "f64": NumPyArray(scalarType: .float64, shape: [0], data: []),
      "bool": NumPyArray(scalarType: .bool, shape: [2], data: [1, 0]),
    ]
    let file = SafetensorsFile(arrays: arrays, metadata: ["source": "test"])
    let decoded = try SafetensorsFile(decoding: file.encoded(), source: "t.safetensors")
    #expect(decoded == file)
    #expect(decoded.arrays["i64"]?.integerValues() == [5, -6])
    // The F32 checkpoint API reads F32 files written either way and refuses other dtypes.
    let f32 = try SafetensorsFile(arrays: ["w": NumPyArray(Tensor(shape: [3], scalars: [0.5, 1, -2]))]).encoded()
    #expect(try Safetensors.decode(Data(f32)).tensors["w"] == Tensor(shape: [3], scalars: [0.5, 1, -2]))
    #expect(throws: CheckpointError.self) { try Safetensors.decode(Data(file.encoded())) }
  }

  @Test func datasetFromImagesAndLabels() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let pixels = (0..<(3 * 4 * 4)).map { UInt8($0) }
    let file = SafetensorsFile(arrays: [
      "images": NumPyArray(bytes: pixels, shape: [3, 4, 4]),
      "labels": NumPyArray(labels: [2, 0, 1]),
    ])
    let url = try directory.write(file.encoded(), to: "train.safetensors")
    let data = try Dataset.safetensors(file: url, normalization: .raw)
    #expect(data.images.shape == [3, 1, 4, 4] && data.labels == [2, 0, 1] && data.classNames == ["0", "1", "2"])
    #expect(data.images.withUnsafeBufferPointer(Array.init) == pixels.map(Float.init))
    // Custom names, float32 NCHW images, int32 labels.
    let custom = SafetensorsFile(arrays: [
      "x": NumPyArray(Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) })),
      "y": NumPyArray(scalarType: .int32, shape: [2], data: [1, 0, 0, 0, 0, 0, 0, 0]),
    ])
    let customURL = try directory.write(custom.encoded(), to: "custom.safetensors")
    let c = try Dataset.safetensors(file: customURL, imagesName: "x", labelsName: "y", classNames: ["a", "b"], normalization: .raw)
    #expect(c.images.shape == [2, 3, 2, 2] && c.labels == [1, 0] && c.images.withUnsafeBufferPointer { $0[23] } == 23)

    // Errors name the file.
    let missing = DataError.caught { _ = try Dataset.safetensors(file: customURL) }
    #expect(missing?.kind == .notFound && missing?.file == "custom.safetensors")
    let wrongType = SafetensorsFile(arrays: ["images": NumPyArray(labels: [1, 2]), "labels": NumPyArray(labels: [0, 1])])
    let typeError = DataError.caught { _ = try Dataset.safetensors(file: directory.write(wrongType.encoded(), to: "w.safetensors")) }
    #expect(typeError?.kind == .invalidHeader && typeError?.file == "w.safetensors")
    let counts = SafetensorsFile(arrays: ["images": NumPyArray(bytes: pixels, shape: [3, 4, 4]), "labels": NumPyArray(labels: [0, 1])])
    let countError = DataError.caught { _ = try Dataset.safetensors(file: directory.write(counts.encoded(), to: "c.safetensors")) }
    #expect(countError?.kind == .countMismatch && countError?.file == "c.safetensors")
  }

  @Test func badFilesNameTheFile() throws {
    let valid = try SafetensorsFile(arrays: ["a": NumPyArray(bytes: [1, 2, 3, 4], shape: [4]), "b": NumPyArray(labels: [1])]).encoded()
    func kind(_ bytes: [UInt8]) -> DataError.Kind? {
      let error = DataError.caught { _ = try SafetensorsFile(decoding: bytes, source: "bad.safetensors") }
      #expect(error == nil || error?.file == "bad.safetensors", "\(String(describing: error))")
      return error?.kind
    }
    #expect(kind([]) == .empty)
    #expect(kind([1, 2, 3]) == .truncated)
    for cut in stride(from: 1, to: valid.count, by: 5) { #expect(kind(Array(valid.prefix(cut))) != nil, "cut at \(cut)") }
    #expect(kind(Array(valid.prefix(valid.count - 1))) == .truncated)
    #expect(kind(valid + [0]) == .trailingData)
    var huge = valid
    huge[7] = 0x7F
    #expect(kind(huge) == .invalidHeader)
    func file(_ json: String, data: [UInt8]) -> [UInt8] {
      var header = Array(json.utf8)
      while header.count % 8 != 0 { header.append(0x20) }
      var bytes: [UInt8] = []
      withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
      return bytes + header + data
    }
    #expect(kind(file(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2])) == nil)
    for json in [
      #"{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#,  // unsupported dtype
      #"{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,2]}}"#,  // shape and offsets disagree
      #"{"a":{"dtype":"U8","shape":[-2],"data_offsets":[0,2]}}"#,
      #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,0]}}"#,
      #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#,  // overlap
      #"{"a":{"dtype":"U8","shape":[2]}}"#,
      #"{"__metadata__":{"k":1},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#,
      #"[1, 2]"#,
      #"{"a": "#,
    ] {
      #expect(kind(file(json, data: [1, 2])) == .invalidHeader, "\(json)")
    }
    #expect(kind(file(#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#, data: [1, 2])) == .truncated)
  }
}
