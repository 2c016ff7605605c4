// What Hyperscan says of each regex, and the databases it builds.
#include <algorithm>
#include <cstdlib>

#include "base/parallel.h"
#include "base/utf8.h"
#include "compile/compiler_internal.h"

namespace qinglang::detail {
namespace {

struct ErrorDeleter {
  void operator()(hs_compile_error_t* e) const noexcept { hs_free_compile_error(e); }
};
using CompileErrorPtr = std::unique_ptr<hs_compile_error_t, ErrorDeleter>;

}  // namespace

ExpressionInfo expression_info(const std::string& regex) {
  ExpressionInfo result;
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_expression_info(regex.c_str(), kRegexFlags, &info, &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    result.error = error->message;
    return result;
  }
  result.min_width = info->min_width;
  result.max_width = info->max_width;
  std::free(info);
  return result;
}

// The widths of every regex the databases hold: how far back the locator looks, and how much text a stream
// carries. Loaded with the databases from a cache, or worked out by Hyperscan here.
void Compiler::analyse_regexes() {
  for (std::size_t v = 0; v < kViewCount; ++v) {
    std::vector<RegexTarget>& targets = data_->views[v].regex_targets;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const ExpressionInfo& info = info_of(patterns_[v].regexes[i]);
      targets[i].min_width = info.min_width;
      targets[i].max_width = info.max_width;
    }
  }
}

// Hyperscan compiles each database on its own and keeps no state between compiles: the databases are built on
// every core, each a task, and errors are reported in task order whichever finished first.
bool Compiler::build_databases() {
  struct Task {
    View view;
    Tier tier;
    int kind;  // 0 literals, 1 regex detector, 2 regex locator
  };
  std::vector<Task> tasks;
  for (std::size_t v = 0; v < kViewCount; ++v)
    for (std::size_t t = 0; t < kTierCount; ++t)
      for (int kind = 0; kind < 3; ++kind)
        tasks.push_back({static_cast<View>(v), static_cast<Tier>(t), kind});
  std::vector<std::vector<Diagnostic>> errors(tasks.size());
  std::vector<std::uint8_t> built(tasks.size(), 0);
  run_on_every_core(tasks.size(), [&](std::size_t i) {
    const Task& task = tasks[i];
    TierDatabases& dbs = data_->views[static_cast<std::size_t>(task.view)].tiers[task.tier];
    built[i] = task.kind == 0 ? build_literal_database(task.view, task.tier, dbs.literals, errors[i])
               : task.kind == 1
                   ? build_regex_database(task.view, task.tier, kDetectorFlags, dbs.regex_detector, errors[i])
                   : build_regex_database(task.view, task.tier, kLocatorFlags, dbs.regex_locator, errors[i]);
  });
  for (std::vector<Diagnostic>& task_errors : errors)
    diagnostics_.insert(diagnostics_.end(), task_errors.begin(), task_errors.end());
  return std::all_of(built.begin(), built.end(), [](std::uint8_t ok) { return ok != 0; });
}

bool Compiler::build_literal_database(View view, std::optional<Tier> tier, DatabasePtr& out,
                                      std::vector<Diagnostic>& errors) const {
  const std::vector<std::string>& literals = patterns_[static_cast<std::size_t>(view)].literals;
  std::vector<const char*> expressions;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> ids;
  for (std::size_t id = 0; id < literals.size(); ++id) {
    if (tier && (patterns_[static_cast<std::size_t>(view)].literal_tiers[id] >> *tier & 1) == 0) continue;
    ids.push_back(static_cast<unsigned>(id));
    expressions.push_back(literals[id].data());
    lengths.push_back(literals[id].size());
  }
  if (expressions.empty()) return true;
  std::vector<unsigned> flags(expressions.size(), kLiteralFlags);
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                           &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    auto position = static_cast<std::size_t>(error->expression);
    const ViewDatabases& dbs = data_->views[static_cast<std::size_t>(view)];
    if (error->expression >= 0 && position < ids.size()) {
      // The word Hyperscan refused, named where a rule lists it; a word of thousands of characters is shown
      // by its opening.
      std::size_t id = ids[position];
      const Leaf& leaf = data_->model.leaves[dbs.literal_targets[dbs.literal_targets_offset[id]].leaf];
      errors.push_back(
          {DiagnosticLevel::error, "E011",
           "the word '" + opening_of(literals[id]) + "' rejected by Hyperscan: " + error->message,
           leaf.location, data_->model.rules[leaf.rule].id});
    } else {
      errors.push_back({DiagnosticLevel::error,
                        "E011",
                        std::string("Hyperscan could not compile the word lists: ") + error->message,
                        {},
                        {}});
    }
    return false;
  }
  out.reset(db);
  return true;
}

bool Compiler::build_regex_database(View view, std::optional<Tier> tier, unsigned pattern_flags,
                                    DatabasePtr& out, std::vector<Diagnostic>& errors) const {
  const std::vector<std::string>& regexes = patterns_[static_cast<std::size_t>(view)].regexes;
  std::vector<const char*> expressions;
  std::vector<unsigned> ids;
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    if (tier && (patterns_[static_cast<std::size_t>(view)].regex_tiers[i] >> *tier & 1) == 0) continue;
    expressions.push_back(regexes[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  if (expressions.empty()) return true;
  std::vector<unsigned> flags(expressions.size(), regex_flags(view, pattern_flags));
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                       &raw_error) != HS_SUCCESS) {
    CompileErrorPtr error(raw_error);
    auto position = static_cast<std::size_t>(error->expression);
    if (error->expression >= 0 && position < ids.size()) {
      std::size_t index = ids[position];
      const Leaf& leaf =
          data_->model
              .leaves[data_->views[static_cast<std::size_t>(view)].regex_targets[index].leaves.front()];
      errors.push_back({DiagnosticLevel::error, "E011",
                        "regex '" + regexes[index] + "' rejected: " + error->message, leaf.location,
                        data_->model.rules[leaf.rule].id});
    } else {
      errors.push_back({DiagnosticLevel::error,
                        "E011",
                        std::string("Hyperscan could not compile the regexes: ") + error->message,
                        {},
                        {}});
    }
    return false;
  }
  out.reset(db);
  return true;
}

unsigned Compiler::regex_flags(View view, unsigned kind_flags) const {
  // Normalized views are lower case: a regex written with capitals must still match them.
  return view == View::raw ? kind_flags : kind_flags | HS_FLAG_CASELESS;
}

}  // namespace qinglang::detail
