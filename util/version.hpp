#pragma once

namespace xbuild {
// Both are generated at configure time (cmake/version_info.cpp.in).
const char* version();
const char* git_commit();
} // namespace xbuild
