#include <catch2/catch.hpp>

#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/run_script.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
const std::vector<std::string> k_sh = {"/bin/sh", "-c"};

RunScript script_of(const std::string& text) {
  auto ast = parse("FROM x\n" + text);
  if (!ast)
    FAIL(ast.error().message);
  auto ins = parse_instruction(*ast->root.children.at(1));
  if (!ins)
    FAIL(ins.error().message);
  return run_script(std::get<RunCmd>(ins->data), k_sh);
}
} // namespace

TEST_CASE("plain RUN forms run under the shell or directly", "[dockerfile][heredoc][run]") {
  CHECK(script_of("RUN echo hi\n").argv == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
  CHECK(script_of("RUN [\"ls\", \"-l\"]\n").argv == std::vector<std::string>{"ls", "-l"});
}

TEST_CASE("a RUN that is only a heredoc runs its body as the script", "[dockerfile][heredoc][run]") {
  auto s = script_of("RUN <<-EOF\n\techo $HOME\n\tEOF\n");
  CHECK(s.argv == std::vector<std::string>{"/bin/sh", "-c", "echo $HOME\n"});
  CHECK(s.file_path.empty());
}

TEST_CASE("a heredoc with a shebang is written to a file and executed", "[dockerfile][heredoc][run]") {
  auto s = script_of("RUN <<EOT\n#!/usr/bin/env python3\nprint('hi')\nEOT\n");
  CHECK(s.file_path == "/dev/pipes/EOT");
  CHECK(s.file_content == "#!/usr/bin/env python3\nprint('hi')\n");
  CHECK(s.argv == std::vector<std::string>{"/dev/pipes/EOT"});
}

TEST_CASE("heredocs used by a command become shell here-documents", "[dockerfile][heredoc][run]") {
  auto s = script_of("RUN <<A cat >a && 3<<'B' cat >b\nx\nA\ny\nB\n");
  CHECK(s.argv == std::vector<std::string>{"/bin/sh", "-c", "<<A cat >a && 3<<'B' cat >b\nx\nA\ny\nB"});
}
