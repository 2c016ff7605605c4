// The campaign's taxonomy: six categories, 24 items, and the rule vocabulary (severity, action, decision).
// These ids are a contract shared by rule files, output records and evaluation data.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qinglang {

enum class Category : std::uint8_t {
  short_video_live,
  social,
  ecommerce,
  app_store,
  kids_device,
  minor_mode
};

inline constexpr std::array<Category, 6> kAllCategories = {Category::short_video_live, Category::social,
                                                           Category::ecommerce,        Category::app_store,
                                                           Category::kids_device,      Category::minor_mode};

// The id used in rules and output, e.g. "short_video_live".
std::string_view to_string(Category category) noexcept;
std::optional<Category> parse_category(std::string_view id) noexcept;

// Campaign items are numbered 1..24, four per category in the order of kAllCategories.
inline constexpr int kItemCount = 24;
constexpr Category category_of_item(int item) noexcept {
  return static_cast<Category>((item - 1) / 4);
}
constexpr bool is_valid_item(int item) noexcept {
  return item >= 1 && item <= kItemCount;
}
// The campaign's own short wording of an item, for summaries; empty for an invalid item.
std::string_view item_title(int item) noexcept;

// A set of categories, used to limit a scan without recompiling. Cheap to copy.
class CategorySet {
 public:
  constexpr CategorySet() = default;
  static constexpr CategorySet all() { return CategorySet(0x3f); }

  constexpr void insert(Category c) { bits_ |= bit(c); }
  constexpr bool contains(Category c) const { return (bits_ & bit(c)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const CategorySet&) const = default;

 private:
  constexpr explicit CategorySet(std::uint8_t bits) : bits_(bits) {}
  static constexpr std::uint8_t bit(Category c) {
    return static_cast<std::uint8_t>(1u << static_cast<int>(c));
  }
  std::uint8_t bits_ = 0;
};

// Parses "social,ecommerce" into a set; returns the first unknown id through `unknown` on failure.
std::optional<CategorySet> parse_category_list(std::string_view list, std::string_view* unknown = nullptr);

enum class Severity : std::uint8_t { low, medium, high, critical };
std::string_view to_string(Severity severity) noexcept;
std::optional<Severity> parse_severity(std::string_view text) noexcept;

// What a rule asks for when it fires. Ordered by strength.
enum class Action : std::uint8_t { review, block };
std::string_view to_string(Action action) noexcept;
std::optional<Action> parse_action(std::string_view text) noexcept;

// The verdict for a record: the strongest action among surviving hits.
enum class Decision : std::uint8_t { pass, review, block };
std::string_view to_string(Decision decision) noexcept;
constexpr Decision decision_for(Action action) noexcept {
  return action == Action::block ? Decision::block : Decision::review;
}

}  // namespace qinglang
