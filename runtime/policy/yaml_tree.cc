#include "policy/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

#include "policy/suggest.h"

namespace cordon::policy {

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.scalar == key) return &v;
  return nullptr;
}

Where where_of(const std::string& file, const YamlNode& node) { return Where{file, node.line, node.column}; }

namespace {

// Thrown out of the event handler to stop yaml-cpp at the first structural refusal; carries the place.
struct Refusal {
  int line;
  int column;
  std::string message;
};

// Returns the 1-based line and column of the first byte that is not well-formed UTF-8, if any.
// Overlong forms, surrogates and code points past U+10FFFF are refused like any other bad byte.
std::optional<std::pair<int, int>> first_bad_utf8(std::string_view s) {
  int line = 1, column = 1;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned min = 0, cp = 0;
    if (c < 0x80) len = 1;
    else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return std::make_pair(line, column);
    if (i + len > s.size()) return std::make_pair(line, column);
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::make_pair(line, column);
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) return std::make_pair(line, column);
    if (c == '\n') { line++; column = 1; } else { column += static_cast<int>(len); }  // columns count bytes
    i += len;
  }
  return std::nullopt;
}

std::optional<std::pair<int, int>> first_nul(std::string_view s) {
  int line = 1, column = 1;
  for (char c : s) {
    if (c == '\0') return std::make_pair(line, column);
    if (c == '\n') { ++line; column = 1; } else { ++column; }
  }
  return std::nullopt;
}

// yaml-cpp scans flow collections ahead of its parser: a megabyte of unclosed '[' costs it a quarter
// of a gigabyte before our depth limit sees an event. Counting brackets outside quotes and comments
// first refuses that early. It may over-count a bracket inside a plain scalar, so its bound is twice
// the tree's.
std::optional<std::pair<int, int>> flow_too_deep(std::string_view s, int max_depth) {
  int depth = 0, line = 1, column = 0;
  char quote = 0;
  bool comment = false;
  for (char c : s) {
    ++column;
    if (c == '\n') {  // a quote left open by "it's" in a plain scalar ends with its line
      ++line;
      column = 0;
      comment = false;
      quote = 0;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') comment = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return std::make_pair(line, column);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

bool check_raw_input(std::string_view text, const std::string& file, Diagnostics& diags, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    diags.error(Where{file, 0, 0}, "file is " + std::to_string(text.size()) + " bytes; policy files are limited to " +
                                       std::to_string(limits.max_bytes) + " bytes");
    return false;
  }
  if (auto at = first_nul(text)) {
    diags.error(Where{file, at->first, at->second}, "NUL byte in file; policy files are UTF-8 text");
    return false;
  }
  if (auto at = first_bad_utf8(text)) {
    diags.error(Where{file, at->first, at->second}, "file is not valid UTF-8");
    return false;
  }
  if (auto at = flow_too_deep(text, 2 * limits.max_depth)) {
    diags.error(Where{file, at->first, at->second}, "nesting deeper than " + std::to_string(limits.max_depth) + " levels");
    return false;
  }
  return true;
}

// Builds the tree from parser events. Containers under construction sit on a stack; a finished
// node is attached to its parent (as an item, a key, or the value of the pending key).
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) throw Refusal{mark.line + 1, mark.column + 1, "more than one YAML document in file"};
  }
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    throw Refusal{mark.line + 1, mark.column + 1, "anchor '&" + name + "' is not allowed in policy files; write the value out"};
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw Refusal{mark.line + 1, mark.column + 1, "aliases are not allowed in policy files; write the value out"};
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    finish(make(YamlNode::Kind::null, mark));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    YamlNode n = make(YamlNode::Kind::scalar, mark);
    n.scalar = value;
    n.quoted = tag == "!";
    if (!n.quoted && n.scalar == "<<" && expecting_key())
      throw Refusal{n.line, n.column, "merge keys ('<<') are not allowed in policy files; write the entries out"};
    finish(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, YamlNode::Kind::sequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, YamlNode::Kind::mapping);
  }
  void OnMapEnd() override { close(); }

  std::optional<YamlNode> take_root() { return std::move(root_); }
  std::vector<Diagnostic> take_duplicates() { return std::move(duplicates_); }

 private:
  struct Open {
    YamlNode node;
    std::optional<YamlNode> pending_key;  // mappings: the key whose value comes next
    std::map<std::string, std::pair<int, int>, std::less<>> keys;  // mappings: where each key first stood
  };

  YamlNode make(YamlNode::Kind kind, const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes)
      throw Refusal{mark.line + 1, mark.column + 1, "more than " + std::to_string(limits_.max_nodes) + " YAML nodes in file"};
    YamlNode n;
    n.kind = kind;
    n.line = mark.line + 1;
    n.column = mark.column + 1;
    return n;
  }

  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor)
      throw Refusal{mark.line + 1, mark.column + 1, "anchors are not allowed in policy files; write the value out"};
  }

  // "?" is a plain scalar, "!" a quoted one; anything else was written by the author as a tag.
  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    if (!tag.empty() && tag != "?" && tag != "!")
      throw Refusal{mark.line + 1, mark.column + 1, "tag '" + tag + "' is not allowed in policy files"};
  }

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().node.is_mapping() && !stack_.back().pending_key;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YamlNode::Kind kind) {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      throw Refusal{mark.line + 1, mark.column + 1,
                    "nesting deeper than " + std::to_string(limits_.max_depth) + " levels"};
    if (expecting_key()) throw Refusal{mark.line + 1, mark.column + 1, "mapping keys must be plain strings"};
    stack_.push_back(Open{make(kind, mark), std::nullopt, {}});
  }

  void close() {
    YamlNode done = std::move(stack_.back().node);
    stack_.pop_back();
    finish(std::move(done));
  }

  void finish(YamlNode n) {
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    Open& parent = stack_.back();
    if (parent.node.is_sequence()) {
      parent.node.items.push_back(std::move(n));
    } else if (!parent.pending_key) {
      if (!n.is_scalar()) throw Refusal{n.line, n.column, "mapping keys must be plain strings"};
      parent.pending_key = std::move(n);
    } else {
      // An empty value ("key:") sits where yaml-cpp saw the next token, often the next line;
      // the key is where a reader looks.
      if (n.is_null()) {
        n.line = parent.pending_key->line;
        n.column = parent.pending_key->column;
      }
      // A repeated key is reported and dropped: the first value stays the only one.
      if (!is_duplicate(parent, *parent.pending_key))
        parent.node.entries.emplace_back(std::move(*parent.pending_key), std::move(n));
      parent.pending_key.reset();
    }
  }

  bool is_duplicate(Open& map, const YamlNode& key) {
    auto [it, fresh] = map.keys.try_emplace(key.scalar, key.line, key.column);
    if (fresh) return false;
    Diagnostic d{Where{"", key.line, key.column}, Severity::error, "duplicate key " + quoted(key.scalar), {}};
    d.notes.push_back(Diagnostic{Where{"", it->second.first, it->second.second}, Severity::note, "first defined here", {}});
    duplicates_.push_back(std::move(d));
    return true;
  }

  const YamlLimits& limits_;
  std::vector<Open> stack_;
  std::optional<YamlNode> root_;
  std::vector<Diagnostic> duplicates_;
  std::size_t nodes_ = 0;
  int documents_ = 0;
};

}  // namespace

std::optional<YamlNode> parse_yaml(std::string_view text, const std::string& file, Diagnostics& diags,
                                   const YamlLimits& limits) {
  if (!check_raw_input(text, file, diags, limits)) return std::nullopt;
  std::istringstream in{std::string(text)};
  TreeBuilder builder(limits);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Refusal& r) {
    diags.error(Where{file, r.line, r.column}, r.message);
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    // yaml-cpp's own depth guard says only "bad file"; our depth limit normally fires first.
    diags.error(Where{file, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
    return std::nullopt;
  }
  std::vector<Diagnostic> dups = builder.take_duplicates();
  for (Diagnostic& d : dups) {
    d.where.file = file;
    for (Diagnostic& n : d.notes) n.where.file = file;
    diags.error(d.where, d.message).notes = d.notes;
  }
  // Duplicates do not stop the load: the first value was kept so that later errors still show.
  std::optional<YamlNode> root = builder.take_root();
  if (!root) {  // empty file: a null document, placed at its start
    root = YamlNode{};
    root->line = 1;
    root->column = 1;
  }
  return root;
}

}  // namespace cordon::policy
