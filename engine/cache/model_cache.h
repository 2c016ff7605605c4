// The rule model in the compiled-database cache, so that a cached start skips YAML: parsing the bundled rules
// was most of a start once the databases came from the cache. The model is keyed by the bytes of every file
// it was read from (the rule files and their words files) and by the build of the code that reads them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qinglang/diagnostic.h"
#include "rules/rule_model.h"

namespace qinglang::detail {

// A file the model was read from, and a hash of its bytes.
struct ModelSource {
  std::string path;
  std::uint64_t hash = 0;
};

// The model, the loader's diagnostics and the sources, as stored in a cache file.
std::string serialize_model(const RuleSetModel& model, const std::vector<Diagnostic>& diagnostics,
                            const std::vector<ModelSource>& sources);

struct CachedModel {
  RuleSetModel model;
  std::vector<Diagnostic> diagnostics;
  std::string bytes;  // as stored, to store again when the databases are rebuilt
};

// The model stored in `bytes` when it was read by this build from exactly `rule_files` (in that order), and
// every source still holds the bytes it held then; nullopt otherwise.
std::optional<CachedModel> deserialize_model(std::string_view bytes,
                                             const std::vector<std::filesystem::path>& rule_files);

}  // namespace qinglang::detail
