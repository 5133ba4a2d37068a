target "base" {
  attest = ["type=provenance,mode=min", "type=sbom"]
}
target "app" {
  inherits = ["base"]
  attest   = ["type=provenance,mode=max"]
}
