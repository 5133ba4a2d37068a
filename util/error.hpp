#pragma once
// Expected failures travel as values: `Result<T>` is `tl::expected<T, Error>`.
// An Error carries a message written for the user (what, where, what to do)
// and an exit code; the top of the program prints it once.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace xbuild {

struct Error {
  std::string message; // complete user-facing text, no trailing newline
  int exit_code = 1;   // process exit code if this error ends the program
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string message, int exit_code = 1) {
  return tl::unexpected<Error>(Error{std::move(message), exit_code});
}

// Thrown only for failures that cannot be handled where they happen; caught
// once in plugin::main.
struct FatalError {
  Error error;
};

} // namespace xbuild

// TRY(expr): evaluate a Result; on error return it from the enclosing function
// (which must return some Result<U>); otherwise yield the value.
// Never use it after other members inside a braced initializer
// (`T{a, TRY(f())}`): returning out of a half-built aggregate leaks what was
// already constructed (found by fuzzing). Bind the value to a variable first.
#define XBUILD_CONCAT_INNER(a, b) a##b
#define XBUILD_CONCAT(a, b) XBUILD_CONCAT_INNER(a, b)
// (A GNU statement expression; `__extension__` keeps -Wpedantic quiet. GCC
// and Clang both support it, which is all this project builds with.)
#define TRY_IMPL(var, expr)                                                                        \
  __extension__({                                                                                               \
    auto var = (expr);                                                                             \
    if (!var)                                                                                      \
      return tl::unexpected<::xbuild::Error>(std::move(var).error());                              \
    std::move(var).value();                                                                        \
  })
#define TRY(expr) TRY_IMPL(XBUILD_CONCAT(try_result_, __COUNTER__), expr)
// TRY_VOID(expr): the same for Result<void>.
#define TRY_VOID(expr)                                                                             \
  do {                                                                                             \
    auto try_void_result_ = (expr);                                                                \
    if (!try_void_result_)                                                                         \
      return tl::unexpected<::xbuild::Error>(std::move(try_void_result_).error());                 \
  } while (0)
