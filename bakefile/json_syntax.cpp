// HCL's JSON syntax for bake files. nlohmann's ordered_json keeps keys in
// document order, so walking the document and searching each key and
// string forward in the raw text finds where it was written; every string
// is then lexed as a template starting at its real line and column, and
// errors inside JSON strings point at the right place.

#include "bakefile/json_syntax.hpp"

#include <nlohmann/json.hpp>

#include "bakefile/hcl/parser.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile {

using nlohmann::ordered_json;

namespace {

bool is_block_type(const std::string& k) {
  return k == "variable" || k == "target" || k == "group" || k == "function";
}

bool is_comment(const std::string& k) { return util::starts_with(k, "//"); }

class Converter {
public:
  Converter(std::shared_ptr<const hcl::SourceFile> source, hcl::File& file)
      : m_source(std::move(source)), m_text(m_source->text), m_file(file) {}

  Result<void> body(const ordered_json& doc) {
    for (const auto& [key, value] : doc.items()) {
      hcl::Range key_range = locate(key);
      if (is_comment(key))
        continue;
      if (is_block_type(key))
        TRY_VOID(blocks(key, value, key_range, m_file.body));
      else
        m_file.body.attributes.push_back(TRY(attribute("", key, key_range, value)));
    }
    return {};
  }

private:
  std::shared_ptr<const hcl::SourceFile> m_source;
  std::string_view m_text;
  hcl::File& m_file;
  size_t m_cursor = 0; // raw text searched so far
  hcl::Pos m_pos;      // position of m_cursor

  void advance_to(size_t offset) {
    for (; m_cursor < offset && m_cursor < m_text.size(); ++m_cursor) {
      unsigned char c = static_cast<unsigned char>(m_text[m_cursor]);
      if (c == '\n') {
        ++m_pos.line;
        m_pos.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++m_pos.column;
      }
    }
    m_pos.offset = static_cast<uint32_t>(m_cursor);
  }

  // The range of the next occurrence of string `s` (quoted, as JSON writes
  // it), starting just inside its opening quote; `found` tells whether it
  // was found (a string written with needless \u escapes is not).
  hcl::Range locate(const std::string& s, bool* found = nullptr) {
    std::string encoded = ordered_json(s).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    size_t at = m_text.find(encoded, m_cursor);
    if (found)
      *found = at != std::string_view::npos;
    if (at != std::string_view::npos) {
      advance_to(at + 1);
      hcl::Range r{m_source.get(), m_pos, m_pos};
      advance_to(at + encoded.size());
      return r;
    }
    return hcl::Range{m_source.get(), m_pos, m_pos};
  }

  // A string value as a template, lexed from its real position: the text
  // given to the lexer is the source line up to the string, then the
  // string's decoded value.
  Result<hcl::ExprPtr> string_expr(const std::string& s, bool as_expression) {
    bool found = false;
    hcl::Range r = locate(s, &found);
    if (!found) {
      auto bare = std::make_shared<hcl::SourceFile>(hcl::SourceFile{m_source->name, s});
      m_file.extra_sources.push_back(bare);
      return as_expression ? hcl::parse_expression(*bare) : hcl::parse_template(*bare);
    }
    size_t line_start = m_text.rfind('\n', r.begin.offset == 0 ? 0 : r.begin.offset - 1);
    line_start = (line_start == std::string_view::npos || r.begin.offset == 0) ? 0 : line_start + 1;
    std::string prefix(m_text.substr(line_start, r.begin.offset - line_start));
    auto sub = std::make_shared<hcl::SourceFile>(hcl::SourceFile{m_source->name, prefix + s});
    m_file.extra_sources.push_back(sub);
    hcl::Pos start{r.begin.line, r.begin.column, static_cast<uint32_t>(prefix.size())};
    return as_expression ? hcl::parse_expression(*sub, start) : hcl::parse_template(*sub, start);
  }

  hcl::Range here() const { return hcl::Range{m_source.get(), m_pos, m_pos}; }

  Result<hcl::ExprPtr> expr(const ordered_json& v) {
    if (v.is_string())
      return string_expr(v.get<std::string>(), false);
    if (v.is_null())
      return hcl::ExprPtr(std::make_unique<hcl::LiteralExpr>(here(), hcl::Value()));
    if (v.is_boolean())
      return hcl::ExprPtr(std::make_unique<hcl::LiteralExpr>(here(), hcl::Value::boolean(v.get<bool>())));
    if (v.is_number()) {
      auto n = hcl::Number::parse(v.dump());
      return hcl::ExprPtr(std::make_unique<hcl::LiteralExpr>(here(), hcl::Value::number(n ? *n : hcl::Number())));
    }
    if (v.is_array()) {
      auto t = std::make_unique<hcl::TupleExpr>(here());
      for (const auto& e : v)
        t->items.push_back(TRY(expr(e)));
      return hcl::ExprPtr(std::move(t));
    }
    auto o = std::make_unique<hcl::ObjectExpr>(here());
    for (const auto& [k, e] : v.items()) {
      hcl::Range kr = locate(k);
      if (is_comment(k))
        continue;
      o->items.emplace_back(std::make_unique<hcl::LiteralExpr>(kr, hcl::Value::string(k)), TRY(expr(e)));
    }
    return hcl::ExprPtr(std::move(o));
  }

  // A name written as a JSON string (function params).
  Result<hcl::ExprPtr> name_expr(const ordered_json& v, const hcl::Range& where) {
    if (!v.is_string())
      return tl::unexpected(hcl::make_error(where, "Invalid name; a parameter name must be a string"));
    std::string n = v.get<std::string>();
    return hcl::ExprPtr(std::make_unique<hcl::VariableExpr>(locate(n), n));
  }

  Result<hcl::Attribute> attribute(const std::string& block_type, const std::string& key,
                                   const hcl::Range& key_range, const ordered_json& v) {
    hcl::Attribute a;
    a.name = key;
    a.name_range = key_range;
    a.range = key_range;
    if (block_type == "variable" && key == "type" && v.is_string()) {
      a.expr = TRY(string_expr(v.get<std::string>(), true));
    } else if (block_type == "function" && key == "params" && v.is_array()) {
      auto t = std::make_unique<hcl::TupleExpr>(key_range);
      for (const auto& p : v)
        t->items.push_back(TRY(name_expr(p, key_range)));
      a.expr = std::move(t);
    } else if (block_type == "function" && key == "variadic_params") {
      a.expr = TRY(name_expr(v, key_range));
    } else {
      a.expr = TRY(expr(v));
    }
    return a;
  }

  Result<void> block_body(const std::string& type, const ordered_json& content, hcl::Body& out) {
    if (!content.is_object())
      return tl::unexpected(hcl::make_error(here(), "Incorrect JSON value type; a JSON object is "
                                                    "required for the body of a " + type + " block"));
    for (const auto& [key, value] : content.items()) {
      hcl::Range kr = locate(key);
      if (is_comment(key))
        continue;
      if (type == "variable" && key == "validation") {
        for (const auto& v : value.is_array() ? value : ordered_json::array({value})) {
          hcl::Block b;
          b.type = "validation";
          b.range = kr;
          b.body = std::make_unique<hcl::Body>();
          TRY_VOID(block_body("validation", v, *b.body));
          out.blocks.push_back(std::move(b));
        }
        continue;
      }
      out.attributes.push_back(TRY(attribute(type, key, kr, value)));
    }
    return {};
  }

  Result<void> blocks(const std::string& type, const ordered_json& value, const hcl::Range& where,
                      hcl::Body& out) {
    if (value.is_array()) {
      for (const auto& e : value)
        TRY_VOID(blocks(type, e, where, out));
      return {};
    }
    if (!value.is_object())
      return tl::unexpected(hcl::make_error(where, "Incorrect JSON value type; a JSON object is "
                                                   "required for \"" + type + "\" blocks"));
    for (const auto& [label, content] : value.items()) {
      hcl::Range lr = locate(label);
      if (is_comment(label))
        continue;
      for (const auto& body : content.is_array() ? content : ordered_json::array({content})) {
        hcl::Block b;
        b.type = type;
        b.labels = {label};
        b.label_ranges = {lr};
        b.range = lr;
        b.body = std::make_unique<hcl::Body>();
        TRY_VOID(block_body(type, body, *b.body));
        out.blocks.push_back(std::move(b));
      }
    }
    return {};
  }
};

// Line and column of byte `offset`, for JSON syntax errors.
hcl::Pos pos_at(std::string_view text, size_t offset) {
  hcl::Pos p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  p.offset = static_cast<uint32_t>(std::min(offset, text.size()));
  return p;
}

} // namespace

Result<hcl::File> parse_json_file(std::shared_ptr<const hcl::SourceFile> source) {
  ordered_json doc;
  try {
    doc = ordered_json::parse(source->text);
  } catch (const ordered_json::parse_error& e) {
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    hcl::Pos p = pos_at(source->text, at);
    std::string what = e.what();
    size_t colon = what.rfind(": ");
    return tl::unexpected(hcl::make_error(hcl::Range{source.get(), p, p},
                                          "Invalid JSON; " + (colon == std::string::npos ? what : what.substr(colon + 2))));
  } catch (const ordered_json::exception& e) {
    // e.g. a number too large for a double: no position is known.
    return tl::unexpected(hcl::make_error(hcl::Range{source.get(), {}, {}},
                                          std::string("Invalid JSON; ") + e.what()));
  }
  hcl::File file;
  file.source = source;
  if (!doc.is_object())
    return tl::unexpected(hcl::make_error(hcl::Range{source.get(), {}, {}},
                                          "Incorrect JSON value type; the root of a bake file must "
                                          "be an object"));
  Converter c(source, file);
  TRY_VOID(c.body(doc));
  return file;
}

} // namespace xbuild::bakefile
