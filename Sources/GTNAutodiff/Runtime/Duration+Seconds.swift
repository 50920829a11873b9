extension Duration {
  /// The duration in seconds, as a `Double` (for rates and reports).
  package var inSeconds: Double {
    Double(components.seconds) + Double(components.attoseconds) * 1e-18
  }
}
