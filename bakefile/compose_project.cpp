// Compose files → one compose model, after compose-go's loader (facts, not
// code). Per file: parse, normalise the short forms that merging must see as
// mappings (`build: ./dir`, `KEY=VALUE` lists), interpolate the values bake
// reads, apply `include` (other compose files whose services join this
// one; their relative paths are rebased onto their directory) and
// `extends` (a service built on another one, from this file or another);
// then merge the files in order: mappings per key, lists appended without
// duplicates, scalars replaced, `x-*` keys replaced whole.

#include "bakefile/compose_project.hpp"

#include <algorithm>
#include <functional>

#include "bakefile/compose_env.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile::compose {

using yaml::error_at;
using yaml::Node;

namespace {

constexpr int k_max_nesting = 16; // include / extends depth: cycles end here

// --- 2. normalisation ------------------------------------------------------

Node scalar_like(const Node& at, std::string value) {
  Node n;
  n.kind = Node::Kind::scalar;
  n.value = std::move(value);
  n.where = at.where;
  return n;
}

Node null_like(const Node& at) {
  Node n;
  n.where = at.where;
  return n;
}

// `["K=V", "K2"]` → `{K: V, K2: null}`; a mapping stays as it is.
Result<void> list_to_mapping(Node& n, std::string_view what) {
  if (n.is_null() || n.is_mapping())
    return {};
  if (!n.is_sequence())
    return error_at(n, std::string(what) +
                           " must be a mapping or a list of KEY=VALUE strings, "
                           "not a " +
                           n.type_name());
  Node m;
  m.kind = Node::Kind::mapping;
  m.where = n.where;
  for (const Node& item : n.items) {
    if (!item.is_scalar())
      return error_at(item, std::string(what) + " entries must be KEY=VALUE strings");
    size_t eq = item.value.find('=');
    std::string key = item.value.substr(0, eq);
    Node value =
        eq == std::string::npos ? null_like(item) : scalar_like(item, item.value.substr(eq + 1));
    if (Node* prev = m.find(key))
      *prev = std::move(value);
    else
      m.entries.emplace_back(key, std::move(value));
  }
  n = std::move(m);
  return {};
}

Result<void> normalize_build(Node& build) {
  if (build.is_scalar()) {
    Node m;
    m.kind = Node::Kind::mapping;
    m.where = build.where;
    m.entries.emplace_back("context", build);
    build = std::move(m);
    return {};
  }
  if (build.is_null()) {
    build.kind = Node::Kind::mapping;
    return {};
  }
  if (!build.is_mapping())
    return error_at(build, "build must be a path or a mapping, not a " + build.type_name());
  for (const char* key : {"args", "labels", "additional_contexts"})
    if (Node* n = build.find(key))
      TRY_VOID(list_to_mapping(*n, std::string("build.") + key));
  return {};
}

Result<void> normalize_file(Node& root) {
  Node* services = root.find("services");
  if (services == nullptr || !services->is_mapping())
    return {};
  for (auto& [name, svc] : services->entries) {
    if (svc.is_null())
      svc.kind = Node::Kind::mapping;
    if (!svc.is_mapping())
      return error_at(svc, "service \"" + name + "\" must be a mapping, not a " + svc.type_name());
    if (Node* build = svc.find("build"))
      TRY_VOID(normalize_build(*build));
    if (Node* env = svc.find("environment"))
      TRY_VOID(list_to_mapping(*env, "environment"));
    if (Node* f = svc.find("env_file"); f && f->is_scalar()) {
      Node seq;
      seq.kind = Node::Kind::sequence;
      seq.where = f->where;
      seq.items.push_back(*f);
      *f = std::move(seq);
    }
  }
  return {};
}

// --- 3. interpolation ------------------------------------------------------

class Interpolator {
public:
  Interpolator(const std::map<std::string, std::string>& env, std::set<std::string>& unset)
      : m_env(env), m_unset(unset) {}

  Result<void> run(Node& n) {
    if (n.is_scalar()) {
      std::vector<std::string> unset;
      auto lookup = [this](const std::string& k) -> std::optional<std::string> {
        auto it = m_env.find(k);
        return it == m_env.end() ? std::nullopt : std::optional<std::string>(it->second);
      };
      auto v = interpolate(n.value, lookup, &unset);
      if (!v)
        return error_at(n, v.error().message);
      n.value = std::move(*v);
      m_unset.insert(unset.begin(), unset.end());
    }
    for (Node& item : n.items)
      TRY_VOID(run(item));
    for (auto& [k, v] : n.entries)
      TRY_VOID(run(v));
    return {};
  }

private:
  const std::map<std::string, std::string>& m_env;
  std::set<std::string>& m_unset;
};

// Only what bake reads is interpolated, so that a runtime field (ports,
// volumes) never warns about a variable bake does not need.
Result<void> interpolate_file(Node& root, Interpolator& interp) {
  if (Node* services = root.find("services"); services && services->is_mapping())
    for (auto& [name, svc] : services->entries)
      for (const char* key : {"image", "build", "environment", "env_file", "platform"})
        if (Node* n = svc.find(key))
          TRY_VOID(interp.run(*n));
  if (Node* secrets = root.find("secrets"))
    TRY_VOID(interp.run(*secrets));
  return {};
}

// --- 4. merging ------------------------------------------------------------

void merge_node(Node& base, const Node& over) {
  if (base.is_mapping() && over.is_mapping()) {
    for (const auto& [k, v] : over.entries) {
      Node* b = base.find(k);
      if (b == nullptr)
        base.entries.emplace_back(k, v);
      else if (util::starts_with(k, "x-"))
        *b = v; // extensions are replaced whole
      else
        merge_node(*b, v);
    }
    return;
  }
  if (base.is_sequence() && over.is_sequence()) {
    for (const Node& item : over.items) {
      bool seen =
          item.is_scalar() && std::any_of(base.items.begin(), base.items.end(), [&](const Node& b) {
            return b.is_scalar() && b.value == item.value;
          });
      if (!seen)
        base.items.push_back(item);
    }
    return;
  }
  base = over;
}

// --- include and extends ---------------------------------------------------

bool is_remote_or_named(const std::string& v) {
  if (v.find("://") != std::string::npos)
    return true;
  for (const char* p : {"service:", "target:", "github.com/", "git@"})
    if (util::starts_with(v, p))
      return true;
  return false;
}

std::string join_dir(const std::string& dir, const std::string& path) {
  if (dir.empty() || dir == "." || path.empty() || util::starts_with(path, "/") ||
      util::starts_with(path, "~"))
    return path;
  return util::clean_path(dir + "/" + path);
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Relative paths of a file loaded from another directory are relative to
// that directory (compose-go resolves them against the file's project dir).
void rebase_paths(Node& root, const std::string& dir) {
  if (dir.empty() || dir == ".")
    return;
  auto rebase = [&](Node& n, bool context) {
    if (n.is_scalar() && !(context && is_remote_or_named(n.value)))
      n.value = join_dir(dir, n.value);
  };
  if (Node* services = root.find("services"); services && services->is_mapping())
    for (auto& [name, svc] : services->entries) {
      if (Node* build = svc.find("build"); build && build->is_mapping()) {
        if (Node* c = build->find("context"))
          rebase(*c, true);
        if (Node* ac = build->find("additional_contexts"); ac && ac->is_mapping())
          for (auto& [k, v] : ac->entries)
            rebase(v, true);
      }
      if (Node* files = svc.find("env_file"); files && files->is_sequence())
        for (Node& f : files->items)
          if (Node* p = f.is_mapping() ? f.find("path") : &f)
            rebase(*p, false);
      if (Node* ext = svc.find("extends"); ext && ext->is_mapping())
        if (Node* f = ext->find("file"))
          rebase(*f, false);
    }
  if (Node* secrets = root.find("secrets"); secrets && secrets->is_mapping())
    for (auto& [name, s] : secrets->entries)
      if (Node* f = s.find("file"))
        rebase(*f, false);
  if (Node* inc = root.find("include"); inc && inc->is_sequence())
    for (Node& i : inc->items) {
      if (i.is_scalar())
        rebase(i, false);
      else if (Node* p = i.find("path"); p && p->is_scalar())
        rebase(*p, false);
      else if (p && p->is_sequence())
        for (Node& e : p->items)
          rebase(e, false);
    }
}

class Loader {
public:
  Loader(const ComposeOptions& options, Project& project)
      : m_options(options), m_project(project), m_interp(options.env, project.unset) {}

  // One file given by the user (relative paths stay relative to the
  // working directory, as buildx leaves them).
  Result<Node> load_root(const hcl::SourceFile& file) {
    Node root = TRY(parse_compose_file(file));
    return prepare(std::move(root), "", 0);
  }

private:
  const ComposeOptions& m_options;
  Project& m_project;
  Interpolator m_interp;

  Result<Node> prepare(Node root, const std::string& dir, int depth) {
    TRY_VOID(normalize_file(root));
    TRY_VOID(interpolate_file(root, m_interp));
    rebase_paths(root, dir);
    TRY_VOID(apply_includes(root, depth));
    TRY_VOID(apply_extends(root, depth));
    return root;
  }

  // Another compose file named at `at` (include, extends.file).
  Result<Node> load_path(const std::string& path, const Node& at, int depth) {
    if (depth >= k_max_nesting)
      return error_at(at, "include/extends nested more than " + std::to_string(k_max_nesting) +
                              " levels deep (a cycle?) at " + path);
    auto text =
        m_options.read_file ? m_options.read_file(path) : Result<std::string>(fail("no reader"));
    if (!text)
      return error_at(at, "failed to read compose file " + path + ": " + text.error().message);
    auto file = std::make_shared<hcl::SourceFile>(hcl::SourceFile{path, std::move(*text)});
    m_project.extra.push_back(file);
    Node root = TRY(parse_compose_file(*file));
    return prepare(std::move(root), dir_of(path), depth + 1);
  }

  Result<void> apply_includes(Node& root, int depth) {
    Node* inc = root.find("include");
    if (inc == nullptr || inc->is_null())
      return {};
    if (!inc->is_sequence())
      return error_at(*inc, "include must be a list, not a " + inc->type_name());
    for (const Node& item : inc->items) {
      std::vector<const Node*> paths;
      if (item.is_scalar()) {
        paths.push_back(&item);
      } else if (const Node* p = item.is_mapping() ? item.find("path") : nullptr) {
        if (p->is_sequence())
          for (const Node& e : p->items)
            paths.push_back(&e);
        else
          paths.push_back(p);
      } else {
        return error_at(item, "an include entry needs a path");
      }
      for (const char* key : {"env_file", "project_directory"})
        if (item.is_mapping() && item.find(key))
          m_project.warnings.push_back("include " + std::string(key) +
                                       " is not supported by bake; ignored");
      Node included;
      for (const Node* p : paths) {
        Node one = TRY(load_path(p->value, *p, depth));
        if (included.is_null())
          included = std::move(one);
        else
          merge_node(included, one);
      }
      TRY_VOID(import_resources(root, included, item));
    }
    return {};
  }

  // An included project's services and secrets join this file's; a name
  // defined on both sides is an error, as in compose.
  static Result<void> import_resources(Node& root, const Node& included, const Node& at) {
    for (const char* key : {"services", "secrets"}) {
      const Node* from = included.find(key);
      if (from == nullptr || !from->is_mapping())
        continue;
      Node* into = root.find(key);
      if (into == nullptr || into->is_null()) {
        root.entries.emplace_back(key, Node{});
        into = &root.entries.back().second;
        into->kind = Node::Kind::mapping;
      }
      for (const auto& [name, v] : from->entries) {
        if (into->find(name))
          return error_at(at, std::string(key) + "." + name + " conflicts with imported resource");
        into->entries.emplace_back(name, v);
      }
    }
    return {};
  }

  Result<void> apply_extends(Node& root, int depth) {
    Node* services = root.find("services");
    if (services == nullptr || !services->is_mapping())
      return {};
    std::set<std::string> done, active;
    std::function<Result<void>(const std::string&, Node&)> resolve =
        [&](const std::string& name, Node& svc) -> Result<void> {
      if (done.count(name))
        return {};
      if (active.count(name))
        return error_at(svc, "circular reference with extends in service " + name);
      Node* ext = svc.find("extends");
      if (ext == nullptr) {
        done.insert(name);
        return {};
      }
      active.insert(name);
      std::string base_name, file;
      if (ext->is_scalar()) {
        base_name = ext->value;
      } else if (ext->is_mapping()) {
        if (const Node* s = ext->find("service"); s && s->is_scalar())
          base_name = s->value;
        if (const Node* f = ext->find("file"); f && f->is_scalar())
          file = f->value;
      }
      if (base_name.empty())
        return error_at(*ext, "extends needs a service name");
      Node base;
      if (!file.empty()) {
        Node other = TRY(load_path(file, *ext, depth));
        const Node* s = other.find("services") ? other.find("services")->find(base_name) : nullptr;
        if (s == nullptr)
          return error_at(*ext, "cannot extend service \"" + name + "\": service \"" + base_name +
                                    "\" not found in " + file);
        base = *s;
      } else {
        Node* s = services->find(base_name);
        if (s == nullptr)
          return error_at(*ext, "cannot extend service \"" + name + "\": service \"" + base_name +
                                    "\" not found");
        TRY_VOID(resolve(base_name, *s));
        base = *s;
      }
      Node own = svc;
      own.entries.erase(std::remove_if(own.entries.begin(), own.entries.end(),
                                       [](const auto& e) { return e.first == "extends"; }),
                        own.entries.end());
      merge_node(base, own);
      svc = std::move(base);
      active.erase(name);
      done.insert(name);
      return {};
    };
    for (auto& [name, svc] : services->entries)
      TRY_VOID(resolve(name, svc));
    return {};
  }
};

} // namespace

Result<Node> parse_compose_file(const hcl::SourceFile& file) {
  Node root = TRY(yaml::parse(file));
  if (!root.is_mapping())
    return error_at(root, "empty compose file: expected a mapping with \"services\"");
  const Node* services = root.find("services");
  // `include` alone is a compose file too: its services come from elsewhere.
  if (!(services && services->is_mapping()) && root.find("secrets") == nullptr &&
      root.find("include") == nullptr)
    return error_at(root, "empty compose file: no \"services\" or \"secrets\"");
  return root;
}

Result<Project> load_project(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                             const ComposeOptions& options) {
  Project project;
  Loader loader(options, project);
  for (const auto& f : files) {
    Node root = TRY(loader.load_root(*f));
    if (project.model.is_null())
      project.model = std::move(root);
    else
      merge_node(project.model, root);
  }
  return project;
}

} // namespace xbuild::bakefile::compose
