/// The scoped switch that decides whether operations on variables are
/// recorded for differentiation.
///
/// Recording is on by default. It is a task-local value, so turning it off
/// affects only the code inside the closure (and tasks it creates), never
/// another thread.
public enum GradientRecording {
  /// Whether operations are being recorded in the current task.
  @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` with gradient recording turned off: every variable it creates
/// is a constant, and no graph is kept.
///
/// Use it for evaluation, for parameter updates that must not be
/// differentiated, and for anything else where gradients are not wanted:
///
/// ```swift
/// let accuracy = withoutGradientRecording { learner.accuracy(parameters: theta, images: testImages, labels: testLabels) }
/// ```
public func withoutGradientRecording<R>(_ body: () throws -> R) rethrows -> R {
  try GradientRecording.$isEnabled.withValue(false, operation: body)
}

/// Runs `body` with gradient recording set to `enabled`.
public func withGradientRecording<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
  try GradientRecording.$isEnabled.withValue(enabled, operation: body)
}
