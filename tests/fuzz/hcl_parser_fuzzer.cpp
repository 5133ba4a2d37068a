// libFuzzer target for the HCL native-syntax front end: any byte string must
// either parse or produce an error, and whatever parses must evaluate or
// produce an error. Crashes, hangs, sanitizer reports and uncaught
// exceptions are bugs. (After ninja's misc/manifest_fuzzer.cc.)

#include <cstddef>
#include <cstdint>
#include <string>

#include "bakefile/hcl/evaluator.hpp"
#include "bakefile/hcl_loader.hpp"
#include "bakefile/model/resolve.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/parser.hpp"

using namespace xbuild::bakefile::hcl;

namespace {

void evaluate_body(const Body& body, const Scope& scope) {
  for (const Attribute& a : body.attributes)
    (void)evaluate(*a.expr, scope);
  for (const Block& b : body.blocks)
    evaluate_body(*b.body, scope);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const FunctionTable functions = standard_functions();
  std::string text(reinterpret_cast<const char*>(data), size);
  auto file = parse_file("fuzz.hcl", text);
  if (file) {
    Scope scope(&functions);
    scope.set("v", Value::list({Value::string("a"), Value::number(1)}));
    evaluate_body(file->body, scope);
  }
  // The whole bake pipeline: variables, functions, targets, --print.
  for (const char* name : {"docker-bake.hcl", "docker-bake.json"}) {
    auto source = std::make_shared<const SourceFile>(SourceFile{name, text});
    if (auto config = xbuild::bakefile::load_hcl({source}, {}))
      (void)xbuild::bakefile::print_definition(*config, {});
  }
  SourceFile as_template{"fuzz.json", text};
  if (auto t = parse_template(as_template))
    (void)evaluate(**t, Scope(&functions));
  return 0;
}
