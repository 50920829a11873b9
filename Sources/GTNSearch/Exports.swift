@_exported import GTNCore
@_exported import GTNData
