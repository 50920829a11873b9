// The samples of GTNData.docc/LoadingDatasets.md, compiled by `swift build`
// and checked against the article by DocumentationSampleTests. They need MNIST
// in /data/mnist and CIFAR-10 where the data locator finds it.

// snippet.hide
import Foundation
import GTNData
// snippet.show

let test = try Dataset.mnist(split: .test, from: URL(fileURLWithPath: "/data/mnist"))

let (train, validation) = try Dataset.cifar10(split: .train).splitting(validationCount: 5_000)

// snippet.hide
let epochs = 1
// snippet.show

var rng = SplitMix64(seed: 1)
for _ in 0..<epochs {
  for batch in train.batches(size: 128, using: &rng) {
    let input = batch.augmented(using: &rng)
    print(input.images.shape)   // train on input.images, input.labels
  }
}

// snippet.hide
let batch = test.batch(at: 0..<64)
// snippet.show

try ImageGrid.byClass(test, columns: 10, scale: 2).write(to: URL(fileURLWithPath: "mnist.png"))
try NumPyArray(batch.images).write(to: URL(fileURLWithPath: "images.npy"))
