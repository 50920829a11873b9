@_exported import GTNAutodiff
