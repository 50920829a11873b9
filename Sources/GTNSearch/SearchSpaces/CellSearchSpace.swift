/// A cell-based search space in the style of NASNet (Zoph et al. 2018) and
/// ENAS (Pham et al. 2018): the search chooses a normal and a reduction
/// ``CellArchitecture/Cell`` of ``nodeCount`` nodes each, and a fixed
/// blueprint stacks them.
///
/// **Cells.** Node `i` combines two earlier states — the cell's inputs
/// `h(k−2)`, `h(k−1)` or nodes `0..<i` — through one ``CellOperation`` each
/// and adds the results. The nodes no other node reads are concatenated
/// along the channels and projected back to the cell's width by
/// ReLU → 1×1 convolution → batch norm (NASNet concatenates the same unused
/// states; ENAS projects them the same way). Each read cell input is first
/// brought to the cell's width by ReLU → 1×1 convolution → batch norm, at
/// stride 2 when `h(k−2)` still has twice the resolution of `h(k−1)`.
///
/// **Blueprint.** A 3×3 stem convolution with batch norm to
/// ``initialChannels``, then `[normal × R, reduction] × reductionCount`
/// with `R =` ``normalCellsPerStage``, then global average pooling and a
/// linear classifier. Each reduction cell doubles the width and halves the
/// resolution (rounding up: 28 → 14 → 7, 32 → 16 → 8); its operations that
/// read the cell's inputs run at stride 2. With the defaults — 4 nodes, 16
/// initial channels, `R = 1`, 2 reductions — a network has four cells and
/// runs at widths 16, 32, 32, 64.
///
/// The default operations are NASNet's and ENAS's CPU-affordable core
/// (``defaultOperations``: identity, 1×1 convolution, separable 3×3 and 5×5
/// convolutions, 3×3 max and average pooling); plain 3×3 and 5×5
/// convolutions can be added through `operations`.
///
/// ```swift
/// let space = CellSearchSpace()
/// var rng = SplitMix64(seed: 1)
/// let architecture = space.sample(using: &rng)
/// print(space.encoding(of: architecture))
/// // normal:[1,1:maxpool3x3,sepconv3x3|…] reduction:[1,1:maxpool3x3,avgpool3x3|…]
/// let learner = space.learner(for: architecture)
/// ```
public struct CellSearchSpace: SearchSpace {
  public typealias Architecture = CellArchitecture

  /// Identity, 1×1 convolution, separable 3×3 and 5×5 convolutions, 3×3 max
  /// and average pooling.
  public static let defaultOperations: [CellOperation] = [
    .identity, .conv1x1, .separableConv3x3, .separableConv5x5, .maxPool3x3, .averagePool3x3,
  ]

  /// Nodes per cell.
  public var nodeCount: Int
  /// The operations a branch may choose.
  public var operations: [CellOperation]
  /// The stem's width, that of the first normal cells.
  public var initialChannels: Int
  /// Normal cells before each reduction cell (`R`).
  public var normalCellsPerStage: Int
  /// Reduction cells (each halves the resolution and doubles the width).
  public var reductionCount: Int
  public var inputChannels: Int
  public var imageSize: Int
  public var classCount: Int

  /// - Parameters:
  ///   - nodeCount: Nodes per cell (ENAS uses 5; 4 keeps CPU cost down).
  ///   - operations: The operation set (at least one, no repeats).
  ///   - initialChannels: Width of the stem and the first stage.
  ///   - normalCellsPerStage: Normal cells before each reduction (≥ 0).
  ///   - reductionCount: Reduction cells (≥ 1).
  ///   - inputChannels: Channels of the images.
  ///   - imageSize: Side of the square images; must allow the reductions.
  ///   - classCount: Classes.
  public init(
    nodeCount: Int = 4, operations: [CellOperation] = CellSearchSpace.defaultOperations, initialChannels: Int = 16,
    normalCellsPerStage: Int = 1, reductionCount: Int = 2, inputChannels: Int = 1, imageSize: Int = 28,
    classCount: Int = 10
  ) {
    precondition(nodeCount >= 1, "CellSearchSpace needs nodeCount ≥ 1, got \(nodeCount)")
    precondition(!operations.isEmpty && Set(operations).count == operations.count, "CellSearchSpace needs distinct operations, got \(operations)")
    precondition(initialChannels >= 1 && normalCellsPerStage >= 0 && reductionCount >= 1, "CellSearchSpace needs initialChannels ≥ 1, normalCellsPerStage ≥ 0, reductionCount ≥ 1; got \(initialChannels), \(normalCellsPerStage), \(reductionCount)")
    precondition(inputChannels >= 1 && classCount >= 1, "CellSearchSpace needs inputChannels ≥ 1 and classCount ≥ 1, got \(inputChannels), \(classCount)")
    precondition(imageSize >= 1 << reductionCount, "CellSearchSpace: \(reductionCount) reductions need images of side ≥ \(1 << reductionCount), got \(imageSize)")
    self.nodeCount = nodeCount
    self.operations = operations
    self.initialChannels = initialChannels
    self.normalCellsPerStage = normalCellsPerStage
    self.reductionCount = reductionCount
    self.inputChannels = inputChannels
    self.imageSize = imageSize
    self.classCount = classCount
  }

  /// Whether `architecture` belongs to this space: valid cells of
  /// ``nodeCount`` nodes using only ``operations``.
  public func contains(_ architecture: Architecture) -> Bool {
    let allowed = Set(operations)
    return [architecture.normal, architecture.reduction].allSatisfy { cell in
      cell.isValid && cell.nodes.count == nodeCount
        && cell.nodes.allSatisfy { $0.branches.allSatisfy { allowed.contains($0.operation) } }
    }
  }

  func randomCell(using generator: inout some RandomNumberGenerator) -> CellArchitecture.Cell {
    func branch(_ i: Int) -> CellArchitecture.Branch {
      let input = Int.random(in: 0..<(i + 2), using: &generator)
      return CellArchitecture.Branch(input: input, operation: operations.randomElement(using: &generator)!)
    }
    return CellArchitecture.Cell(nodes: (0..<nodeCount).map { i in
      let left = branch(i)
      return CellArchitecture.Node(left: left, right: branch(i))
    })
  }

  /// Draws every input and operation uniformly: normal cell first, node by
  /// node, left branch before right.
  public func sample(using generator: inout some RandomNumberGenerator) -> Architecture {
    let normal = randomCell(using: &generator)
    return Architecture(normal: normal, reduction: randomCell(using: &generator))
  }

  /// Real et al.'s (2019) mutations: picks a cell, a node and a branch
  /// uniformly, then changes either the branch's input (the hidden-state
  /// mutation) or its operation (the op mutation) to a different allowed
  /// value. Exactly one choice changes, and the result stays in the space.
  public func mutate(_ architecture: Architecture, using generator: inout some RandomNumberGenerator) -> Architecture {
    precondition(contains(architecture), "CellSearchSpace.mutate: \(architecture) is not in the space")
    var result = architecture
    let reduction = Bool.random(using: &generator)
    var cell = reduction ? result.reduction : result.normal
    let i = Int.random(in: 0..<cell.nodes.count, using: &generator)
    let right = Bool.random(using: &generator)
    var branch = right ? cell.nodes[i].right : cell.nodes[i].left
    let changesOperation = operations.count > 1 && Bool.random(using: &generator)
    if changesOperation {
      let others = operations.filter { $0 != branch.operation }
      branch.operation = others.randomElement(using: &generator)!
    } else {
      let others = (0..<(i + 2)).filter { $0 != branch.input }
      branch.input = others.randomElement(using: &generator)!
    }
    if right { cell.nodes[i].right = branch } else { cell.nodes[i].left = branch }
    if reduction { result.reduction = cell } else { result.normal = cell }
    return result
  }

  /// The blueprint's cells, first applied first: `true` for a reduction.
  public var blueprint: [Bool] {
    (0..<reductionCount).flatMap { _ in Array(repeating: false, count: normalCellsPerStage) + [true] }
  }

  public func learner(for architecture: Architecture) -> any Learner { network(for: architecture) }

  /// The ``CellNetwork`` of `architecture` (what ``learner(for:)`` returns).
  public func network(for architecture: Architecture) -> CellNetwork {
    precondition(contains(architecture), "CellSearchSpace.learner: \(architecture) is not in the space")
    func reluConvNorm(_ inputs: Int, _ outputs: Int, stride: Int = 1) -> any Layer {
      Sequential(LeakyReLU(0.1), Conv2D(inputs, outputs, kernelSize: 1, stride: stride), BatchNorm(outputs))
    }
    let stem = Sequential(Conv2D(inputChannels, initialChannels, kernelSize: 3), BatchNorm(initialChannels))
    // (channels, number of reductions applied) of h(k−2) and h(k−1).
    var previousPrevious = (channels: initialChannels, level: 0)
    var previous = previousPrevious
    var blocks: [CellNetwork.Block] = []
    for reduces in blueprint {
      let cell = reduces ? architecture.reduction : architecture.normal
      let width = reduces ? previous.channels * 2 : previous.channels
      let reads = cell.readsInput
      let preprocessing: [(any Layer)?] = [
        reads[0] ? reluConvNorm(previousPrevious.channels, width, stride: previousPrevious.level < previous.level ? 2 : 1) : nil,
        reads[1] ? reluConvNorm(previous.channels, width) : nil,
      ]
      let branches = cell.nodes.flatMap { node in
        node.branches.map { $0.operation.layer(channels: width, stride: reduces && $0.input < 2 ? 2 : 1) }
      }
      let outputNodes = cell.outputNodes
      blocks.append(CellNetwork.Block(
        cell: cell, preprocessing: preprocessing, branches: branches,
        projection: reluConvNorm(outputNodes.count * width, width), outputNodes: outputNodes))
      previousPrevious = previous
      previous = (width, previous.level + (reduces ? 1 : 0))
    }
    return CellNetwork(stem: stem, blocks: blocks, head: Sequential(GlobalAveragePool(), Linear(previous.channels, classCount)))
  }

  /// The architecture's ``CellArchitecture/description``.
  public func encoding(of architecture: Architecture) -> String { architecture.description }

  /// Parses an ``encoding(of:)`` string back; `nil` when it is not one of
  /// an architecture in this space.
  public func architecture(decoding text: String) -> Architecture? {
    guard let architecture = CellArchitecture(encoding: text), contains(architecture) else { return nil }
    return architecture
  }
}
