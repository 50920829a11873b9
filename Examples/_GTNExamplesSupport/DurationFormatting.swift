import Foundation

/// `1h05m` or `4m09s`; `?` for a value that is not finite.
func formatDuration(_ seconds: Double) -> String {
  guard seconds.isFinite, abs(seconds) < 1e12 else { return "?" }
  let total = Int(seconds.rounded())
  return total >= 3600 ? String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    : String(format: "%dm%02ds", total / 60, total % 60)
}
