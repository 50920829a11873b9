#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func _logf(_ x: Float) -> Float { logf(x) }
@inline(__always) func _powf(_ x: Float, _ y: Float) -> Float { powf(x, y) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
