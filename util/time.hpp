#pragma once
// Time formatting for files and wire formats that expect Go's layouts.

#include <chrono>
#include <string>

namespace xbuild::util {

// "2026-11-30T15:04:05Z" (RFC 3339, UTC, seconds).
std::string format_rfc3339(std::chrono::system_clock::time_point t);
// "2026-11-30T15:04:05.123456789Z" (Go's RFC3339Nano: trailing zeros dropped).
std::string format_rfc3339_nano(std::chrono::system_clock::time_point t);

} // namespace xbuild::util
