#pragma once
// The seam between the solver and process execution: the solver holds an
// Executor, production code passes the namespace sandbox, solver unit tests
// pass a fake that records specs and returns canned statuses — no root, no
// rootfs needed.

#include <memory>

#include "engine/exec/sandbox.hpp"

namespace xbuild::engine::exec {

class Executor {
public:
  virtual ~Executor() = default;
  // Same contract as exec::execute(): an error only when the process could
  // not be started or was cancelled; a non-zero exit is a status.
  virtual Result<ExitStatus> execute(const ExecSpec& spec, const OutputSink& sink,
                                     const util::CancelSource& cancel) = 0;
};

// The real sandbox (sandbox.hpp).
std::unique_ptr<Executor> make_sandbox_executor();

} // namespace xbuild::engine::exec
