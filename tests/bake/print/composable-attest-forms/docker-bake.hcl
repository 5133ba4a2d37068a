target "app" {
  attest = [
    "type=sbom,disabled=1",
    "type=provenance,mode=max,disabled=false",
    { type = "custom", disabled = false, key = "v" },
  ]
}
