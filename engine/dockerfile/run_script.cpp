#include "engine/dockerfile/run_script.hpp"

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/parser.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

// True when the command line is nothing but one heredoc marker (`<<EOF`,
// `<<-'EOF'`), i.e. the body is the whole script.
bool only_heredoc(const RunCmd& run) {
  if (run.heredocs.size() != 1 || run.command.args.size() != 1)
    return false;
  auto line = std::string(util::trim(run.command.args[0]));
  if (line.find_first_of(" \t") != std::string::npos)
    return false;
  auto docs = heredocs_from_line(line);
  return docs && docs->size() == 1;
}

} // namespace

RunScript run_script(const RunCmd& run, const std::vector<std::string>& shell) {
  RunScript out;
  if (!run.command.shell_form) {
    out.argv = run.command.args;
    return out;
  }
  std::string cmd = run.command.args.empty() ? "" : run.command.args[0];
  if (run.heredocs.empty()) {
    out.argv = shell;
    out.argv.push_back(cmd);
    return out;
  }
  if (only_heredoc(run)) {
    const Heredoc& h = run.heredocs[0];
    Heredoc raw = h;
    raw.expand = false; // the shell (or interpreter) sees the body as written
    std::string body = *heredoc_content(raw, nullptr);
    if (util::starts_with(body, "#!")) {
      out.file_path = "/dev/pipes/" + h.name;
      out.file_content = body;
      out.argv = {out.file_path};
    } else {
      out.argv = shell;
      out.argv.push_back(body);
    }
    return out;
  }
  std::string script = cmd;
  for (const auto& h : run.heredocs)
    script += "\n" + h.content + h.name;
  out.argv = shell;
  out.argv.push_back(script);
  return out;
}

} // namespace xbuild::engine::dockerfile
