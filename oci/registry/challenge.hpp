#pragma once
// WWW-Authenticate challenges (RFC 7235) and Distribution token scopes.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xbuild::oci::registry {

// One challenge: `Bearer realm="…",service="…",scope="…"`.
// Invariant: scheme is lower-case ("basic", "bearer"); parameter names are
// lower-case; values are unquoted.
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Parses every challenge of one or more WWW-Authenticate header values.
// Malformed parts are skipped, never fatal.
std::vector<AuthChallenge> parse_www_authenticate(const std::vector<std::string>& headers);

// A token scope `type:name:action[,action…]`, e.g. `repository:team/app:pull,push`.
// The name may hold `host:port`, so it is split at the first and last colon.
struct Scope {
  std::string type;                 // "repository", "registry"
  std::string name;                 // repository path or "catalog"
  std::vector<std::string> actions; // sorted, unique

  static bool parse(std::string_view text, Scope& out);
  std::string str() const;
};

// The scope that pushing to `repository` needs ("pull,push" like docker).
std::string push_scope(std::string_view repository);
std::string pull_scope(std::string_view repository);

// Merges scope strings: actions on the same resource are united; the order of
// first appearance is kept (some registries only look at the first scope).
// Space-separated lists (a challenge's scope param) are split first.
std::vector<std::string> merge_scopes(const std::vector<std::string>& scopes);

// True when every action of every scope in `needed` is in `have`.
bool scopes_cover(const std::vector<std::string>& have, const std::vector<std::string>& needed);

} // namespace xbuild::oci::registry
