@_exported import GTNCore
