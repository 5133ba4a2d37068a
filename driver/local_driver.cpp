// The `local` driver: runs builds in-process on the embedded engine.

#include <cstdlib>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "driver/build_request.hpp"
#include "engine/build/builder.hpp"
#include "engine/export/exporter.hpp"
#include "oci/descriptor.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace xbuild::driver {
namespace {

Result<std::vector<oci::Platform>> platforms_of(const std::vector<std::string>& specs) {
  std::vector<oci::Platform> out;
  for (const auto& s : specs)
    for (auto& p : TRY(oci::parse_platform_list(s)))
      if (std::find(out.begin(), out.end(), p) == out.end())
        out.push_back(p);
  return out;
}

std::optional<int64_t> source_date_epoch(const std::map<std::string, std::string>& args) {
  auto it = args.find("SOURCE_DATE_EPOCH");
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  std::string v = it != args.end() ? it->second : (env ? env : "");
  if (v.empty())
    return std::nullopt;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  return *end ? std::nullopt : std::optional<int64_t>(n);
}

Result<std::map<std::string, engine::build::NamedContext>>
named_contexts(const BuildRequest& r, const std::map<std::string, size_t>& earlier) {
  using Kind = engine::build::NamedContext::Kind;
  std::map<std::string, engine::build::NamedContext> out;
  for (const auto& spec : r.build_contexts) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("invalid build context \"" + spec + "\": expected NAME=VALUE");
    std::string name = spec.substr(0, eq), value = spec.substr(eq + 1);
    if (value.starts_with("docker-image://")) {
      out[name] = {Kind::image, value.substr(15), 0};
    } else if (value.starts_with("oci-layout://")) {
      out[name] = {Kind::oci_layout, value.substr(13), 0};
    } else if (value.starts_with("target:")) {
      auto it = earlier.find(value.substr(7));
      if (it == earlier.end())
        return fail("context \"" + name + "\" links to target \"" + value.substr(7) +
                    "\", which is not part of this bake");
      out[name] = {Kind::linked, "", it->second};
    } else {
      return fail("build context \"" + name + "=" + value + "\" is not supported yet by the "
                  "embedded engine: use docker-image://REF or oci-layout://DIR[:TAG]");
    }
  }
  return out;
}

Result<engine::build::BuildRequest> engine_request(const BuildRequest& r,
                                                   const std::filesystem::path& scratch,
                                                   const std::map<std::string, size_t>& earlier = {}) {
  engine::build::BuildRequest e;
  e.contexts = TRY(named_contexts(r, earlier));
  if (r.context_path != "-") {
    std::error_code ec;
    if (!std::filesystem::is_directory(r.context_path, ec))
      return fail("unable to prepare context: path \"" + r.context_path + "\" not found");
    e.context_dir = std::filesystem::absolute(r.context_path);
  }
  if (!r.dockerfile_text.empty()) {
    e.dockerfile = r.dockerfile_text;
  } else {
    std::filesystem::path df = r.dockerfile_path.empty()
                                   ? std::filesystem::path(r.context_path) / "Dockerfile"
                                   : std::filesystem::path(r.dockerfile_path);
    auto text = util::read_file(df);
    if (!text)
      return fail("failed to read dockerfile: open " + df.string() +
                  ": no such file or directory (pass the Dockerfile with -f)");
    e.dockerfile = *text;
    e.dockerfile_path = df;
    e.dockerfile_name = df.filename().string();
  }
  e.build_args = r.build_args;
  e.target = r.target;
  e.platforms = TRY(platforms_of(r.platforms));
  e.no_cache = r.no_cache;
  e.no_cache_filter = r.no_cache_filter;
  e.secrets = TRY(resolve_secrets(r.secrets, scratch));
  for (const auto& l : r.labels) {
    auto eq = l.find('=');
    e.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  e.source_date_epoch = source_date_epoch(r.build_args);
  e.max_parallelism = r.max_parallelism;
  // Output compression (`-o …,compression=zstd,compression-level=3`) applies
  // to the layers this build creates; cached layers keep their blobs.
  for (const auto& o : r.outputs) {
    auto spec = TRY(engine::exporter::parse_output(o));
    if (auto c = spec.attr("compression"); !c.empty()) {
      if (c == "gzip")
        e.compression = oci::Compression::gzip;
      else if (c == "zstd")
        e.compression = oci::Compression::zstd;
      else if (c == "uncompressed")
        e.compression = oci::Compression::none;
      else
        return fail("unsupported compression \"" + c + "\": use gzip, zstd or uncompressed");
    }
    if (auto l = spec.attr("compression-level"); !l.empty())
      e.compression_level = std::atoi(l.c_str());
  }
  e.docker_config_dir = r.docker_config_dir;
  return e;
}

} // namespace

Result<std::map<std::string, std::string>> resolve_secrets(const std::vector<std::string>& specs,
                                                           const std::filesystem::path& scratch) {
  std::map<std::string, std::string> out;
  for (const auto& spec : specs) {
    std::map<std::string, std::string> kv;
    for (const auto& f : util::split(spec, ',')) {
      auto eq = f.find('=');
      kv[f.substr(0, eq)] = eq == std::string::npos ? "" : f.substr(eq + 1);
    }
    std::string id = kv["id"];
    if (id.empty())
      return fail("invalid secret \"" + spec + "\": id is required (id=ID[,src=PATH])");
    std::string type = kv.count("type") ? kv["type"] : "";
    if (type.empty())
      type = (kv.count("env") || (!kv.count("src") && !kv.count("source") && std::getenv(id.c_str())))
                 ? "env" : "file";
    if (type == "env") {
      std::string var = kv.count("env") ? kv["env"] : id;
      const char* v = std::getenv(var.c_str());
      if (!v)
        return fail("secret " + id + ": environment variable " + var + " is not set");
      auto path = scratch / ("secret-" + util::sha256_hex(id).substr(0, 16));
      TRY_VOID(util::write_file_atomic(path, v, 0600));
      out[id] = path.string();
    } else {
      std::string src = kv.count("src") ? kv["src"] : (kv.count("source") ? kv["source"] : id);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(src, ec))
        return fail("secret " + id + ": file " + src + " not found");
      out[id] = std::filesystem::absolute(src).string();
    }
  }
  return out;
}

namespace {

using State = TargetOutcome::State;

// The name behind request index `i` for messages ("" for `build`).
std::string name_of(const std::vector<BuildRequest>& requests, size_t i) {
  return requests[i].name.empty() ? "build #" + std::to_string(i + 1) : requests[i].name;
}

// `target:NAME` links of a request, by name.
std::vector<std::string> linked_names(const BuildRequest& r) {
  std::vector<std::string> out;
  for (const auto& spec : r.build_contexts) {
    auto eq = spec.find('=');
    if (eq != std::string::npos && spec.compare(eq + 1, 7, "target:") == 0)
      out.push_back(spec.substr(eq + 8));
  }
  return out;
}

// Fail-fast: once `failed` failed, everything not yet failed is canceled.
void cancel_rest(std::vector<TargetOutcome>& out, const std::string& failed) {
  for (auto& o : out)
    if (o.state == State::built || o.state == State::skipped) {
      o.state = State::canceled;
      o.blocked_by = failed;
      o.result = {};
    }
}

BuildResult to_result(const BuildRequest& request, const engine::build::BuildOutcome& outcome,
                      const engine::exporter::ExportMetadata& meta) {
  BuildResult r;
  r.image_digest = meta.descriptor.digest.str();
  r.descriptor_json = oci::descriptor_to_json(meta.descriptor).dump();
  r.config_digest = meta.config ? meta.config->str() : "";
  r.image_name = meta.image_name.empty() ? util::join(request.tags, ",") : meta.image_name;
  r.loaded = meta.loaded;
  r.warnings = outcome.warnings;
  r.vertices = outcome.vertices;
  r.executed = outcome.executed;
  return r;
}

// One bake run in three steps: prepare every request (its failures are the
// request's), solve them as one graph, export what was built.
class ManyRun {
public:
  ManyRun(const std::vector<BuildRequest>& requests, const BuildEnv& env, const ManyOptions& options)
      : m_requests(requests), m_env(env), m_fail_fast(options.execution == Execution::fail_fast),
        m_options(options), m_out(requests.size()), m_outputs(requests.size()),
        m_engine_of(requests.size(), SIZE_MAX), m_scratch("xbuild-secrets") {
    ::chmod(m_scratch.path().c_str(), 0700);
  }

  Result<std::vector<TargetOutcome>> run(const std::filesystem::path& state_dir) {
    // A fail-fast stop returns what is known so far: the failure is named.
    if (!prepare())
      return std::move(m_out);
    auto state = TRY(engine::build::EngineState::open(state_dir));
    auto solved = TRY(solve(*state));
    if (!collect(solved))
      return std::move(m_out);
    TRY_VOID(export_all(*state, solved));
    return std::move(m_out);
  }

private:
  // Each request becomes an engine request; one that cannot (no context,
  // no Dockerfile, bad output, refused) fails, and requests linking to it
  // are skipped. False when fail-fast stops here.
  bool prepare() {
    std::map<std::string, size_t> earlier, index_of;
    for (size_t i = 0; i < m_requests.size(); ++i) {
      for (const auto& link : linked_names(m_requests[i]))
        if (auto it = index_of.find(link); it != index_of.end() && m_out[it->second].state != State::built) {
          const auto& d = m_out[it->second];
          m_out[i].state = State::skipped;
          m_out[i].blocked_by = d.state == State::skipped ? d.blocked_by : link;
          break;
        }
      index_of[m_requests[i].name] = i;
      if (m_out[i].state != State::built)
        continue;
      auto prepared = prepare_one(i, earlier);
      if (!prepared) {
        m_out[i].state = State::failed;
        m_out[i].error = prepared.error();
        if (m_fail_fast) {
          cancel_rest(m_out, name_of(m_requests, i));
          return false;
        }
        continue;
      }
      m_engine_of[i] = m_ereqs.size();
      m_request_of.push_back(i);
      if (!m_requests[i].name.empty())
        earlier[m_requests[i].name] = m_ereqs.size();
      m_ereqs.push_back(std::move(*prepared));
    }
    return true;
  }

  Result<engine::build::BuildRequest> prepare_one(size_t i, const std::map<std::string, size_t>& earlier) {
    if (m_requests[i].refused)
      return tl::unexpected(*m_requests[i].refused);
    for (const auto& o : m_requests[i].outputs)
      m_outputs[i].push_back(TRY(engine::exporter::parse_output(o)));
    return engine_request(m_requests[i], m_scratch.path(), earlier);
  }

  Result<std::vector<engine::build::RequestOutcome>> solve(engine::build::EngineState& state) {
    engine::build::RunOptions run;
    run.execution = m_fail_fast ? engine::build::Execution::fail_fast
                                : engine::build::Execution::contain;
    run.max_concurrent = m_options.max_concurrent;
    return engine::build::run_builds_partial(m_ereqs, {&state, m_env.progress, m_env.cancel}, run);
  }

  // The engine's outcomes by target name. False when fail-fast stops here.
  bool collect(const std::vector<engine::build::RequestOutcome>& outcomes) {
    using EState = engine::build::RequestOutcome::State;
    std::string first_failure;
    for (size_t e = 0; e < outcomes.size(); ++e) {
      size_t i = m_request_of[e];
      const auto& o = outcomes[e];
      if (o.state == EState::failed) {
        m_out[i].state = State::failed;
        m_out[i].error = o.error;
        if (first_failure.empty())
          first_failure = name_of(m_requests, i);
      } else if (o.state == EState::skipped) {
        m_out[i].state = State::skipped;
        m_out[i].blocked_by = name_of(m_requests, m_request_of[o.blocked_by]);
      } else if (o.state == EState::stopped) {
        m_out[i].state = State::canceled;
        m_out[i].error = o.error;
      }
    }
    if (m_fail_fast && !first_failure.empty()) {
      cancel_rest(m_out, first_failure);
      return false;
    }
    return true;
  }

  // Exports what was built, in request order. Fail-fast: a failed export
  // stops the ones after it (those before it are already written).
  Result<void> export_all(engine::build::EngineState& state,
                          const std::vector<engine::build::RequestOutcome>& outcomes) {
    for (size_t i = 0; i < m_requests.size(); ++i) {
      if (m_out[i].state != State::built)
        continue;
      auto exported = export_one(state, i, outcomes[m_engine_of[i]].outcome);
      if (exported) {
        m_out[i].result = std::move(*exported);
        continue;
      }
      if (exported.error().exit_code == 130)
        return tl::unexpected(exported.error());
      m_out[i].state = State::failed;
      m_out[i].error = exported.error();
      if (m_fail_fast) {
        for (size_t j = i + 1; j < m_requests.size(); ++j)
          if (m_out[j].state == State::built) {
            m_out[j].state = State::canceled;
            m_out[j].blocked_by = name_of(m_requests, i);
          }
        return {};
      }
    }
    return {};
  }

  Result<BuildResult> export_one(engine::build::EngineState& state, size_t i,
                                 const engine::build::BuildOutcome& outcome) {
    const auto& request = m_requests[i];
    auto stored = TRY(engine::exporter::store_result(state, outcome.result, oci::MediaFamily::oci));
    engine::exporter::ExportRequest xr{m_outputs[i], request.tags, request.docker_config_dir,
                                       m_env.cancel, request.docker};
    auto meta = TRY(engine::exporter::export_result(state, outcome.result, stored, xr));
    return to_result(request, outcome, meta);
  }

  const std::vector<BuildRequest>& m_requests;
  const BuildEnv& m_env;
  bool m_fail_fast;
  ManyOptions m_options;
  std::vector<TargetOutcome> m_out;
  std::vector<std::vector<engine::exporter::OutputSpec>> m_outputs; // per request
  std::vector<engine::build::BuildRequest> m_ereqs;                 // the prepared ones
  std::vector<size_t> m_engine_of;  // request → index in m_ereqs (SIZE_MAX: not prepared)
  std::vector<size_t> m_request_of; // index in m_ereqs → request
  util::TempDir m_scratch;          // env secrets, 0700
};

} // namespace

Result<std::vector<TargetOutcome>> build_local_many_partial(
    const std::filesystem::path& state_dir, const std::vector<BuildRequest>& requests,
    const BuildEnv& env, const ManyOptions& options) {
  ManyRun run(requests, env, options);
  return run.run(state_dir);
}

Result<std::vector<BuildResult>> build_local_many(const std::filesystem::path& state_dir,
                                                  const std::vector<BuildRequest>& requests,
                                                  const BuildEnv& env) {
  auto outcomes = TRY(build_local_many_partial(state_dir, requests, env, {}));
  std::vector<BuildResult> results;
  for (auto& o : outcomes)
    if (o.state == State::failed)
      return tl::unexpected(o.error);
  for (auto& o : outcomes) {
    if (o.state != State::built)
      return tl::unexpected(o.error);
    results.push_back(std::move(o.result));
  }
  return results;
}

Result<BuildResult> build_local(const std::filesystem::path& state_dir, const BuildRequest& request,
                                const BuildEnv& env) {
  auto all = TRY(build_local_many(state_dir, {request}, env));
  return std::move(all.front());
}

} // namespace xbuild::driver
