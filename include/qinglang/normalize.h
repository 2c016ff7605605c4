// How rules see a text: its normalized views (docs/rule-language.md, "Views").
#pragma once

#include <string>
#include <string_view>

namespace qinglang {

struct TextViews {
  std::string
      folded;  // width, style, case, traditional characters, look-alike letters folded; invisibles gone
  std::string skeleton;  // folded, without punctuation, symbols, emoji and spaces
};

// Thread-safe; allocates the result. For tools and explanations, not the scan path.
TextViews normalized_views(std::string_view text);

}  // namespace qinglang
