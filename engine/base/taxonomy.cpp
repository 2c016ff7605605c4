#include "qinglang/taxonomy.h"

namespace qinglang {
namespace {

constexpr std::array<std::string_view, 6> kCategoryIds = {"short_video_live", "social",      "ecommerce",
                                                          "app_store",        "kids_device", "minor_mode"};
constexpr std::array<std::string_view, kItemCount> kItemTitles = {"“二次包装”经典动画或儿歌，展示暴力血腥",
                                                                  "摆拍校园霸凌视频",
                                                                  "利用“网红儿童”牟利、卖惨引流",
                                                                  "诱导胁迫未成年人变相参与直播",
                                                                  "诱导不良交友、引流非法网站",
                                                                  "“网络厕所”“人肉开盒”",
                                                                  "恶意编造网络黑话、低俗流行语",
                                                                  "煽动亲子、师生对立",
                                                                  "售卖软色情手办文具、动漫周边",
                                                                  "儿童模特不雅姿势、性暗示营销",
                                                                  "有偿代骂、恶搞同学学校",
                                                                  "以动漫游戏为名引流涉黄涉暴资源",
                                                                  "仿冒未成年人喜爱的APP",
                                                                  "马甲包“变身”涉黄涉赌平台",
                                                                  "学习类工具类APP打擦边球",
                                                                  "匿名加密小众APP诈骗、隔空猥亵",
                                                                  "设备自带APP含不良内容",
                                                                  "第三方APP内容审核不严",
                                                                  "相貌PK、运势测算",
                                                                  "积分排行、功能解锁诱导过度消费",
                                                                  "“虚假模式”无内容无法使用",
                                                                  "诱导模仿不安全行为、养成不良嗜好",
                                                                  "防逃逸不完备，无需验证即可退出",
                                                                  "诱导投票打榜、刷屏控评"};
constexpr std::array<std::string_view, 4> kSeverityNames = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 2> kActionNames = {"review", "block"};
constexpr std::array<std::string_view, 3> kDecisionNames = {"pass", "review", "block"};

template <typename Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::string_view, N>& names, std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Category category) noexcept {
  return kCategoryIds[static_cast<int>(category)];
}
std::optional<Category> parse_category(std::string_view id) noexcept {
  return find_name<Category>(kCategoryIds, id);
}

std::optional<CategorySet> parse_category_list(std::string_view list, std::string_view* unknown) {
  CategorySet set;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view id = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (id.empty()) continue;
    std::optional<Category> category = parse_category(id);
    if (!category) {
      if (unknown) *unknown = id;
      return std::nullopt;
    }
    set.insert(*category);
  }
  return set;
}

std::string_view item_title(int item) noexcept {
  return is_valid_item(item) ? kItemTitles[item - 1] : "";
}

std::string_view to_string(Severity severity) noexcept {
  return kSeverityNames[static_cast<int>(severity)];
}
std::optional<Severity> parse_severity(std::string_view text) noexcept {
  return find_name<Severity>(kSeverityNames, text);
}

std::string_view to_string(Action action) noexcept {
  return kActionNames[static_cast<int>(action)];
}
std::optional<Action> parse_action(std::string_view text) noexcept {
  return find_name<Action>(kActionNames, text);
}

std::string_view to_string(Decision decision) noexcept {
  return kDecisionNames[static_cast<int>(decision)];
}

}  // namespace qinglang
