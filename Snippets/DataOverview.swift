// The sample of GTNData.docc/GTNData.md, compiled by `swift build` and
// checked against the article by DocumentationSampleTests. It needs MNIST and
// CIFAR-10 (see LoadingDatasets).

import GTNData

let mnist = try Dataset.mnist(split: .train, normalization: .standardized)
let (train, validation) = mnist.splitting(validationCount: 10_000)   // 50k / 10k

var rng = SplitMix64(seed: 42)
for batch in train.batches(size: 128, using: &rng) {
  print(batch.images.shape, batch.labels.count)   // [128, 1, 28, 28] 128
}

let cifar = try Dataset.cifar10(split: .train)
for batch in cifar.batches(size: 128, using: &rng) {
  let input = batch.augmented(using: &rng)   // random crop (pad 4) + flip
  print(input.images.shape)                  // [128, 3, 32, 32]
}
