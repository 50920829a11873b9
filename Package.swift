// swift-tools-version: 6.0
//
// swift-gtn — Generative Teaching Networks in Swift.
//
// Layers, bottom to top:
//   _GTNCBLAS, _GTNCZlib,  system libraries (OpenBLAS, zlib, libpng, libjpeg,
//   _GTNCPNG, _GTNCJPEG,   oneDNN), implementation details
//   _GTNCDNNL
//   _GTNConvolution        convolutions on oneDNN (detail)
//   _GTNKernels            elementwise C loops, one clone per x86-64 level (detail)
//   GTNAutodiff            tensors and a reverse-mode graph with gradients of any order
//   GTNData                MNIST / Fashion-MNIST / CIFAR-10 readers, datasets, file
//                          formats (IDX, NPY/NPZ, safetensors), image folders
//                          (PNG, JPEG), exports
//   GTNCore                generators, learners, curricula, optimisers, the
//                          meta-trainer and its checkpoints (GTNData's safetensors)
//   GTNSearch              architecture search with GTN data as the proxy
//   GTNDistributed         optional: data-parallel meta-training and distributed
//                          search over MPI (_GTNCMPI, Open MPI); nothing else links MPI

import PackageDescription

let package = Package(
  name: "swift-gtn",
  products: [
    // MARK: - Public API
    .library(name: "GTNAutodiff", targets: ["GTNAutodiff"]),
    .library(name: "GTNData", targets: ["GTNData"]),
    .library(name: "GTNCore", targets: ["GTNCore"]),
    .library(name: "GTNSearch", targets: ["GTNSearch"]),
    .library(name: "GTNDistributed", targets: ["GTNDistributed"]),
  ],
  targets: [
    // MARK: - System libraries (implementation details)
    .systemLibrary(
      name: "_GTNCBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "_GTNCZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "_GTNCPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    .systemLibrary(
      name: "_GTNCJPEG",
      pkgConfig: "libjpeg",
      providers: [.apt(["libjpeg62-turbo-dev"])]
    ),
    .systemLibrary(
      name: "_GTNCDNNL",
      providers: [.apt(["libdnnl-dev"])]
    ),
    .systemLibrary(
      name: "_GTNCMPI",
      pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev"])]
    ),

    // MARK: - Kernels (implementation detail)
    // Elementwise loops in C, one clone per x86-64 feature level.
    .target(name: "_GTNKernels"),
    // Convolutions on oneDNN, one thread per call (callers split the work).
    .target(
      name: "_GTNConvolution", dependencies: ["_GTNCDNNL"],
      linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]
    ),

    // MARK: - Public modules
    .target(name: "GTNAutodiff", dependencies: ["_GTNCBLAS", "_GTNKernels", "_GTNConvolution"]),
    .target(name: "GTNData", dependencies: ["GTNAutodiff", "_GTNCZlib", "_GTNCPNG", "_GTNCJPEG"]),
    .target(name: "GTNCore", dependencies: ["GTNAutodiff", "GTNData", "_GTNKernels"]),
    .target(name: "GTNSearch", dependencies: ["GTNCore"]),
    .target(name: "GTNDistributed", dependencies: ["GTNCore", "GTNSearch", "_GTNCMPI"]),

    // MARK: - Examples and benchmarks
    .target(name: "_GTNExamplesSupport", dependencies: ["GTNCore", "GTNData", "GTNSearch", "GTNDistributed"], path: "Examples/_GTNExamplesSupport"),
    .executableTarget(name: "mnist-gtn", dependencies: ["_GTNExamplesSupport", "GTNData"], path: "Examples/mnist-gtn"),
    .executableTarget(name: "cifar-gtn", dependencies: ["_GTNExamplesSupport"], path: "Examples/cifar-gtn"),
    .executableTarget(name: "gtn", dependencies: ["_GTNExamplesSupport", "GTNCore", "GTNData"], path: "Examples/gtn"),
    .executableTarget(name: "gtn-nas", dependencies: ["_GTNExamplesSupport", "GTNSearch", "GTNDistributed"], path: "Examples/gtn-nas"),
    .executableTarget(name: "gtn-bench", dependencies: ["GTNCore", "GTNSearch", "GTNDistributed"], path: "Benchmarks/gtn-bench"),

    // MARK: - Tests
    .testTarget(name: "GTNAutodiffTests", dependencies: ["GTNAutodiff"]),
    .testTarget(name: "GTNDataTests", dependencies: ["GTNData", "_GTNCZlib", "_GTNCPNG", "_GTNCJPEG"]),
    .testTarget(name: "GTNCoreTests", dependencies: ["GTNCore"]),
    .testTarget(name: "GTNSearchTests", dependencies: ["GTNSearch"]),
    // Includes fault tests that run the built example executables
    // (skipped when they are not built next to the test bundle).
    .testTarget(name: "GTNExamplesTests", dependencies: ["_GTNExamplesSupport", "GTNData", "GTNSearch"]),
    .testTarget(name: "GTNDistributedTests", dependencies: ["GTNDistributed"]),
    // Multi-rank checks, run by .ci/run under `mpirun -np 2`.
    .executableTarget(name: "gtn-mpi-check", dependencies: ["GTNDistributed"], path: "Tests/gtn-mpi-check"),
    // The Swift half of the NumPy / safetensors interoperability check,
    // run by Tests/Interop/run.sh (and .ci/run).
    .executableTarget(name: "gtn-interop-check", dependencies: ["GTNCore", "GTNData"], path: "Tests/gtn-interop-check"),
  ],
  swiftLanguageModes: [.v6]
)
