import Foundation
import GTNCore
import Testing

/// Both granularities show every learned input exactly once per outer
/// iteration; batches keep their samples together and in order, samples do
/// not; the order changes with the iteration's seed.
@Test(arguments: ShuffledCurriculum.Granularity.allCases)
func shuffledCurriculumPermutesTheLearnedInputs(granularity: ShuffledCurriculum.Granularity) {
  let (steps, batch) = (6, 4)
  let curriculum = ShuffledCurriculum(stepCount: steps, batchSize: batch, noiseSize: 1, classCount: 2, granularity: granularity)
  // Input row r holds the value r, so each batch shows which rows it drew.
  let rows = Variable(Tensor(shape: [steps * batch, 1], scalars: (0..<(steps * batch)).map(Float.init)))
  func drawn(seed: UInt64) -> [[Int]] {
    (0..<steps).map { step in
      let b = curriculum.batch(at: step, parameters: [rows][...], seed: seed)
      let drawnRows = b.inputs.value.scalars.map { Int($0) }
      #expect(b.labels == drawnRows.map { $0 % 2 })
      return drawnRows
    }
  }
  let first = drawn(seed: 7)
  #expect(first.flatMap { $0 }.sorted() == Array(0..<(steps * batch)))
  let wholeBatches = first.allSatisfy { $0 == Array($0[0]..<($0[0] + batch)) && $0[0] % batch == 0 }
  #expect(wholeBatches == (granularity == .batches))
  #expect(drawn(seed: 8) != first)
  #expect(drawn(seed: 7) == first)
}

/// Descriptions written before the granularity existed decode as sample
/// shuffling; both granularities round-trip.
@Test func shuffledCurriculumDecodesWithAndWithoutGranularity() throws {
  let old = Data(#"{"stepCount":2,"batchSize":4,"noiseSize":3,"classCount":2}"#.utf8)
  let decoded = try JSONDecoder().decode(ShuffledCurriculum.self, from: old)
  #expect(decoded == ShuffledCurriculum(stepCount: 2, batchSize: 4, noiseSize: 3, classCount: 2, granularity: .samples))
  for granularity in ShuffledCurriculum.Granularity.allCases {
    let curriculum = ShuffledCurriculum(stepCount: 2, batchSize: 4, noiseSize: 3, classCount: 2, granularity: granularity)
    #expect(try JSONDecoder().decode(ShuffledCurriculum.self, from: JSONEncoder().encode(curriculum)) == curriculum)
  }
}
