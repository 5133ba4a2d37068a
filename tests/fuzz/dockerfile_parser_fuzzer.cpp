// libFuzzer target: a Dockerfile through the whole front end (parse, typed
// instructions, stage graph, evaluation, lint, subrequests). Any input must
// give a value or a located error: no crash, no hang, no sanitizer report.

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/dockerfile/subrequest.hpp"

using namespace xbuild::engine::dockerfile;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CallRequest req;
  req.dockerfile_text.assign(reinterpret_cast<const char*>(data), size);
  req.build_args = {{"A", "1"}, {"HTTP_PROXY", "p"}};
  for (const char* call : {"targets", "outline,format=json", "check,format=json"}) {
    auto opt = parse_call(call);
    auto r = run_call(req, *opt);
    if (!r && r.error().message.empty())
      __builtin_trap(); // every error must say something
  }
  (void)lint_before_build(req);
  return 0;
}
