#pragma once
// Blocking reads that give up when cancellation is requested.

#include <string>

#include "util/cancel.hpp"
#include "util/error.hpp"

namespace xbuild::util {

// Reads `fd` to EOF. Polls so that a cancel request ends the wait within
// ~100 ms; returns an error naming `what` and the cancel reason.
Result<std::string> read_all_cancellable(int fd, const CancelSource& cancel,
                                         const std::string& what);

} // namespace xbuild::util
