// Collection functions of cty's stdlib (collection.go, set.go, sequence.go).
// Sets are lists here; set functions return their result sorted and
// without duplicates, which is how cty orders sets of primitives.

#include <algorithm>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/utf8.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

Value::List as_set(Value::List items) {
  std::sort(items.begin(), items.end(), value_less);
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

bool contains_value(const Value::List& items, const Value& v) {
  return std::find(items.begin(), items.end(), v) != items.end();
}

void flatten_into(const Value::List& items, Value::List& out) {
  for (const Value& v : items) {
    if (v.is_list())
      flatten_into(v.as_list(), out);
    else
      out.push_back(v);
  }
}

void add_sequence_basics(FunctionTable& t) {
  args::add(t, "length", 1, 1, [](const Args& a) -> Result<Value> {
    const Value& v = a[0];
    if (v.is_list())
      return Value::number(static_cast<int64_t>(v.as_list().size()));
    if (v.is_object())
      return Value::number(static_cast<int64_t>(v.as_object().size()));
    if (v.is_string())
      return Value::number(static_cast<int64_t>(utf8::graphemes(v.as_string()).size()));
    if (v.is_null())
      return fail("argument must not be null");
    return fail("collection must be a list, a map or a tuple");
  });
  args::add(t, "concat", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (size_t i = 0; i < a.size(); ++i)
      for (const Value& v : TRY(args::list(a, i, "seqs")))
        out.push_back(v);
    return Value::list(std::move(out));
  });
  args::add(t, "contains", 2, 2, [](const Args& a) -> Result<Value> {
    return Value::boolean(contains_value(TRY(args::list(a, 0, "list")), a[1]));
  });
  args::add(t, "distinct", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (const Value& v : TRY(args::list(a, 0, "list")))
      if (!contains_value(out, v))
        out.push_back(v);
    return Value::list(std::move(out));
  });
  args::add(t, "flatten", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List out;
    flatten_into(TRY(args::list(a, 0, "list")), out);
    return Value::list(std::move(out));
  });
  args::add(t, "reverselist", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List l = TRY(args::list(a, 0, "list"));
    std::reverse(l.begin(), l.end());
    return Value::list(std::move(l));
  });
  args::add(t, "compact", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (const Value& v : TRY(args::list(a, 0, "list")))
      if (!v.is_null() && !(v.is_string() && v.as_string().empty()))
        out.push_back(Value::string(TRY(to_string_value(v))));
    return Value::list(std::move(out));
  });
  args::add(t, "sort", 1, 1, [](const Args& a) -> Result<Value> {
    std::vector<std::string> s = TRY(args::string_list(a, 0, "list"));
    std::sort(s.begin(), s.end());
    Value::List out;
    for (std::string& x : s)
      out.push_back(Value::string(std::move(x)));
    return Value::list(std::move(out));
  });
}

void add_indexing(FunctionTable& t) {
  args::add(t, "element", 2, 2, [](const Args& a) -> Result<Value> {
    Value::List l = TRY(args::list(a, 0, "list"));
    int64_t i = TRY(args::integer(a, 1, "index"));
    if (l.empty())
      return fail("cannot use element function with an empty list");
    if (i < 0)
      return fail("cannot use element function with a negative index");
    return l[static_cast<size_t>(i) % l.size()];
  });
  args::add(t, "index", 2, 2, [](const Args& a) -> Result<Value> {
    if (a[0].is_object()) {
      auto it = a[0].as_object().find(TRY(args::str(a, 1, "key")));
      if (it == a[0].as_object().end())
        return fail("the given key does not identify an element in this collection value");
      return it->second;
    }
    Value::List l = TRY(args::list(a, 0, "collection"));
    int64_t i = TRY(args::integer(a, 1, "key"));
    if (i < 0 || static_cast<size_t>(i) >= l.size())
      return fail("the given key does not identify an element in this collection value");
    return l[static_cast<size_t>(i)];
  });
  args::add(t, "hasindex", 2, 2, [](const Args& a) -> Result<Value> {
    if (a[0].is_object()) {
      auto k = to_string_value(a[1]);
      return Value::boolean(k && a[0].as_object().count(*k) > 0);
    }
    Value::List l = TRY(args::list(a, 0, "collection"));
    auto n = to_number_value(a[1]);
    return Value::boolean(n && n->is_int() && n->as_int() >= 0 &&
                          static_cast<size_t>(n->as_int()) < l.size());
  });
  args::add(t, "slice", 3, 3, [](const Args& a) -> Result<Value> {
    Value::List l = TRY(args::list(a, 0, "list"));
    int64_t from = TRY(args::integer(a, 1, "start_index"));
    int64_t to = TRY(args::integer(a, 2, "end_index"));
    if (from < 0)
      return fail("the start index must not be less than zero");
    if (to > static_cast<int64_t>(l.size()))
      return fail("the end index must not be greater than the length of the list");
    if (from > to)
      return fail("the start index must not be greater than the end index");
    return Value::list(Value::List(l.begin() + from, l.begin() + to));
  });
  args::add(t, "chunklist", 2, 2, [](const Args& a) -> Result<Value> {
    Value::List l = TRY(args::list(a, 0, "list"));
    int64_t size = TRY(args::integer(a, 1, "size"));
    if (size < 0)
      return fail("the size argument must be positive");
    if (size == 0)
      return Value::list({Value::list(l)});
    Value::List out;
    for (size_t i = 0; i < l.size(); i += static_cast<size_t>(size)) {
      size_t end = std::min(l.size(), i + static_cast<size_t>(size));
      out.push_back(Value::list(Value::List(l.begin() + static_cast<long>(i), l.begin() + static_cast<long>(end))));
    }
    return Value::list(std::move(out));
  });
}

void add_maps(FunctionTable& t) {
  args::add(t, "keys", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (const auto& [k, v] : TRY(args::object(a, 0, "inputMap")))
      out.push_back(Value::string(k));
    return Value::list(std::move(out));
  });
  args::add(t, "values", 1, 1, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (const auto& [k, v] : TRY(args::object(a, 0, "values")))
      out.push_back(v);
    return Value::list(std::move(out));
  });
  args::add(t, "lookup", 2, 3, [](const Args& a) -> Result<Value> {
    Value::Object m = TRY(args::object(a, 0, "inputMap"));
    std::string key = TRY(args::str(a, 1, "key"));
    if (auto it = m.find(key); it != m.end())
      return it->second;
    if (a.size() == 3)
      return a[2];
    return fail("lookup failed to find key \"" + key + "\"");
  });
  args::add(t, "merge", 0, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Value::Object out;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_null())
        continue; // cty skips null arguments
      for (const auto& [k, v] : TRY(args::object(a, i, "maps")))
        out[k] = v;
    }
    return Value::object(std::move(out));
  });
  args::add(t, "zipmap", 2, 2, [](const Args& a) -> Result<Value> {
    std::vector<std::string> keys = TRY(args::string_list(a, 0, "keys"));
    Value::List values = TRY(args::list(a, 1, "values"));
    if (keys.size() != values.size())
      return fail("number of keys (" + std::to_string(keys.size()) +
                  ") does not match number of values (" + std::to_string(values.size()) + ")");
    Value::Object out;
    for (size_t i = 0; i < keys.size(); ++i)
      out[keys[i]] = values[i];
    return Value::object(std::move(out));
  });
}

void add_coalesce_and_range(FunctionTable& t) {
  args::add(t, "coalesce", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    for (const Value& v : a)
      if (!v.is_null())
        return v;
    return fail("no non-null arguments");
  });
  args::add(t, "coalescelist", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    for (size_t i = 0; i < a.size(); ++i)
      if (!TRY(args::list(a, i, "vals")).empty())
        return a[i];
    return fail("no non-null arguments");
  });
  args::add(t, "range", 1, 3, [](const Args& a) -> Result<Value> {
    Number start = Number::from_int(0), limit, step = Number::from_int(1);
    if (a.size() == 1) {
      limit = TRY(args::num(a, 0, "limit"));
    } else {
      start = TRY(args::num(a, 0, "start"));
      limit = TRY(args::num(a, 1, "limit"));
      step = a.size() == 3 ? TRY(args::num(a, 2, "step"))
                           : Number::from_int(limit < start ? -1 : 1);
    }
    if (step.as_double() == 0)
      return fail("step must not be zero");
    bool down = step < Number::from_int(0);
    if (down ? start < limit : limit < start)
      return Value::list({});
    Value::List out;
    for (Number v = start; down ? limit < v : v < limit; v = v + step) {
      if (out.size() >= 1024)
        return fail("more than 1024 values were generated; either decrease the difference "
                    "between start and end or use a smaller step");
      out.push_back(Value::number(v));
    }
    return Value::list(std::move(out));
  });
}

void add_sets(FunctionTable& t) {
  args::add(t, "sethaselement", 2, 2, [](const Args& a) -> Result<Value> {
    return Value::boolean(contains_value(TRY(args::list(a, 0, "set")), a[1]));
  });
  args::add(t, "setunion", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Value::List out;
    for (size_t i = 0; i < a.size(); ++i)
      for (const Value& v : TRY(args::list(a, i, "sets")))
        out.push_back(v);
    return Value::list(as_set(std::move(out)));
  });
  args::add(t, "setintersection", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Value::List out = as_set(TRY(args::list(a, 0, "first_set")));
    for (size_t i = 1; i < a.size(); ++i) {
      Value::List other = TRY(args::list(a, i, "other_sets"));
      std::erase_if(out, [&](const Value& v) { return !contains_value(other, v); });
    }
    return Value::list(std::move(out));
  });
  args::add(t, "setsubtract", 2, 2, [](const Args& a) -> Result<Value> {
    Value::List out = as_set(TRY(args::list(a, 0, "a")));
    Value::List other = TRY(args::list(a, 1, "b"));
    std::erase_if(out, [&](const Value& v) { return contains_value(other, v); });
    return Value::list(std::move(out));
  });
  args::add(t, "setsymmetricdifference", 1, Function::k_variadic,
            [](const Args& a) -> Result<Value> {
              Value::List out;
              for (size_t i = 0; i < a.size(); ++i) {
                for (const Value& v : as_set(TRY(args::list(a, i, "sets")))) {
                  auto it = std::find(out.begin(), out.end(), v);
                  if (it == out.end())
                    out.push_back(v);
                  else
                    out.erase(it);
                }
              }
              return Value::list(as_set(std::move(out)));
            });
  args::add(t, "setproduct", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Value::List rows{Value::list({})};
    for (size_t i = 0; i < a.size(); ++i) {
      Value::List next;
      for (const Value& row : rows)
        for (const Value& v : TRY(args::list(a, i, "sets"))) {
          Value::List r = row.as_list();
          r.push_back(v);
          next.push_back(Value::list(std::move(r)));
        }
      rows = std::move(next);
    }
    return Value::list(std::move(rows));
  });
}

} // namespace

void add_collection_functions(FunctionTable& t) {
  add_sequence_basics(t);
  add_indexing(t);
  add_maps(t);
  add_coalesce_and_range(t);
  add_sets(t);
}

} // namespace xbuild::bakefile::hcl
