#pragma once
// Small string helpers with no domain knowledge.

#include <string>
#include <string_view>
#include <vector>

namespace xbuild::util {

std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word`, or "" when none is close enough to help.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Go's path.Clean for '/'-separated paths: "." and empty parts dropped,
// ".." resolved lexically (kept at the front of relative paths), "." for empty.
std::string clean_path(std::string_view path);

// Lower-case hex of raw bytes.
std::string hex(std::string_view bytes);

// A size as docker/go-units prints it, 4 significant digits: decimal units
// (HumanSize: "1.5MB", "999kB") or binary ones (BytesSize: "128MiB").
enum class SizeUnits { decimal, binary };
std::string human_size(double bytes, SizeUnits units);

} // namespace xbuild::util
