#include "compile_command.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>

#include "qinglang/scanner.h"
#include "qinglang/stream.h"
#include "qinglang/taxonomy.h"

namespace qinglang::cli {
namespace {

// What a stream holds once its window counts and recent lines are full: the figure to size a service by.
std::size_t measured_stream_state(const std::shared_ptr<const CompiledRuleSet>& rules) {
  Scanner scanner(rules);
  Stream stream;
  for (std::uint64_t seq = 1; seq <= 100; ++seq) {
    std::string text = fmt::format("第{:03}条弹幕：主播今天唱得真好听，点赞关注", seq);
    scanner.write(stream, {seq, static_cast<double>(seq), text});
  }
  return stream.memory_bytes();
}

}  // namespace

int run_compile(const RuleSource& source) {
  std::shared_ptr<const CompiledRuleSet> rules = load_rules_and_report(source);
  if (!rules) return 1;
  const DatabaseStats& s = rules->stats();
  std::array<std::size_t, kAllCategories.size()> per_category{};
  std::size_t windows = 0;
  for (std::size_t i = 0; i < rules->rule_count(); ++i) {
    RuleInfo info = rules->rule(i);
    ++per_category[static_cast<std::size_t>(info.rule.category)];
    windows += info.window;
  }
  std::string out = fmt::format("rules             {} ({} window rules, for streams)\n", s.rules, windows);
  for (Category c : kAllCategories)
    out += fmt::format("  {:<16} {}\n", to_string(c), per_category[static_cast<std::size_t>(c)]);
  out += fmt::format("literal patterns  {}\nregex patterns    {}\n", s.literal_patterns, s.regex_patterns);
  out += fmt::format("deferred          {} of them, scanned only where an anchor of their rule matched\n",
                     s.deferred_patterns);
  out += fmt::format("field-bound       {} of them, scanned only in the fields their rules name (not text)\n",
                     s.field_bound_patterns);
  out += fmt::format("database bytes    {}\nscratch bytes     {}\n", s.database_bytes, s.scratch_bytes);
  out += fmt::format("{}      {:.1f} ms{}\nhyperscan         {}\n",
                     s.from_cache ? "cached load " : "compile time", s.compile_milliseconds,
                     s.rules_from_cache ? " (rules too: no YAML parsed)" : "", s.engine_version);
  out +=
      fmt::format("stream history    at most {} bytes of text carried between messages (plain text: less)\n",
                  s.stream_history_bytes);
  out += fmt::format(
      "stream state      {} bytes per open stream, measured after 100 distinct 60-byte messages\n",
      measured_stream_state(rules));
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace qinglang::cli
