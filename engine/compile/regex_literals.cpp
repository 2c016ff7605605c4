#include "compile/regex_literals.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/utf8.h"

namespace qinglang::detail {
namespace {

// Expands plain-text regex syntax into the strings it matches; gives up (nullopt) on anything else: classes,
// repeats, anchors, `.`, escapes of letters or digits (\d, \x{…}, \b), group options.
class Expander {
 public:
  Expander(std::string_view regex, std::size_t limit) : text_(regex), limit_(limit) {}

  std::optional<std::vector<std::string>> expand() {
    std::optional<std::vector<std::string>> result = alternatives();
    if (!result || at_ < text_.size()) return std::nullopt;
    return result;
  }

 private:
  std::optional<std::vector<std::string>> alternatives() {
    std::optional<std::vector<std::string>> all = sequence();
    while (all && at_ < text_.size() && text_[at_] == '|') {
      ++at_;
      std::optional<std::vector<std::string>> next = sequence();
      if (!next || all->size() + next->size() > limit_) return std::nullopt;
      all->insert(all->end(), next->begin(), next->end());
    }
    return all;
  }

  std::optional<std::vector<std::string>> sequence() {
    std::vector<std::string> strings = {""};
    while (at_ < text_.size() && text_[at_] != '|' && text_[at_] != ')') {
      std::optional<std::vector<std::string>> piece = atom();
      if (!piece) return std::nullopt;
      if (at_ < text_.size() && text_[at_] == '?') {
        ++at_;
        piece->emplace_back();
      }
      if (strings.size() * piece->size() > limit_) return std::nullopt;
      std::vector<std::string> product;
      for (const std::string& head : strings)
        for (const std::string& tail : *piece)
          product.push_back(head + tail);
      strings = std::move(product);
    }
    return strings;
  }

  std::optional<std::vector<std::string>> atom() {
    char c = text_[at_];
    if (c == '(') {
      ++at_;
      if (at_ < text_.size() && text_[at_] == '?') {
        if (at_ + 1 >= text_.size() || text_[at_ + 1] != ':') return std::nullopt;
        at_ += 2;
      }
      std::optional<std::vector<std::string>> inner = alternatives();
      if (!inner || at_ >= text_.size() || text_[at_] != ')') return std::nullopt;
      ++at_;
      return inner;
    }
    if (c == '\\') {
      if (at_ + 1 >= text_.size()) return std::nullopt;
      auto escaped = static_cast<unsigned char>(text_[at_ + 1]);
      bool punctuation = escaped < 0x80 && !std::isalnum(escaped) && escaped > ' ';
      if (!punctuation) return std::nullopt;
      at_ += 2;
      return std::vector<std::string>{std::string(1, static_cast<char>(escaped))};
    }
    if (std::string_view("[]{}*+.^$?").find(c) != std::string_view::npos) return std::nullopt;
    // One character, all its UTF-8 bytes, so a following `?` applies to the whole character.
    std::size_t length = 1;
    while (at_ + length < text_.size() && is_continuation_byte(text_[at_ + length]))
      ++length;
    std::string character(text_.substr(at_, length));
    at_ += length;
    return std::vector<std::string>{std::move(character)};
  }

  std::string_view text_;
  std::size_t limit_;
  std::size_t at_ = 0;
};

// Calls `visit(i, c, depth)` for each character of the regex that is syntax (neither escaped nor inside a
// class), with the depth of groups after it; stops when `visit` returns false.
template <typename Visit>
void walk_syntax(std::string_view regex, Visit visit) {
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else {
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (!visit(i, c, depth)) return;
    }
  }
}

// The regex's top-level alternatives: '|' outside groups and classes.
std::vector<std::string_view> top_level_alternatives(std::string_view regex) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  walk_syntax(regex, [&](std::size_t i, char c, int depth) {
    if (c == '|' && depth == 0) {
      parts.push_back(regex.substr(start, i - start));
      start = i + 1;
    }
    return true;
  });
  parts.push_back(regex.substr(start));
  return parts;
}

// A regex written as one group, `(a|b|c)` or `(?:a|b|c)` with nothing after it, without that group: its
// alternatives are then the top-level ones.
std::string_view without_enclosing_group(std::string_view regex) {
  std::size_t open = regex.starts_with("(?:")                             ? 3
                     : regex.starts_with("(") && !regex.starts_with("(?") ? 1
                                                                          : 0;
  if (open == 0 || !regex.ends_with(")")) return regex;
  std::string_view inner = regex;
  walk_syntax(regex, [&](std::size_t i, char c, int depth) {
    if (c != ')' || depth != 0) return true;
    if (i + 1 == regex.size()) inner = regex.substr(open, i - open);
    return false;  // the first group closes here: it encloses the whole regex or it does not
  });
  return inner;
}

}  // namespace

RegexSplit split_regex(std::string_view regex, std::size_t max_literals) {
  RegexSplit split;
  for (std::string_view alternative : top_level_alternatives(without_enclosing_group(regex))) {
    std::optional<std::vector<std::string>> strings = Expander(alternative, max_literals).expand();
    bool plain = strings && std::none_of(strings->begin(), strings->end(),
                                         [](const std::string& s) { return s.empty(); });
    if (plain) {
      split.literals.insert(split.literals.end(), strings->begin(), strings->end());
    } else {
      split.regexes.emplace_back(alternative);
    }
  }
  if (split.literals.empty()) split.regexes = {std::string(regex)};
  std::sort(split.literals.begin(), split.literals.end());
  split.literals.erase(std::unique(split.literals.begin(), split.literals.end()), split.literals.end());
  return split;
}

}  // namespace qinglang::detail
