// The compiled-database cache: Hyperscan databases serialized to one file, so that a process starts in
// milliseconds instead of recompiling. The file is keyed by everything that decides the databases' contents
// and where they run (see cache_key in compiler.cpp) and checksummed; anything that does not match is not
// used.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cache/model_cache.h"
#include "compile/compiled_rule_set.h"

namespace qinglang::detail {

// The databases of every view, in a fixed order (view, tier, then literals, detector, locator); null where
// absent.
std::vector<DatabasePtr*> cached_databases(CompiledRuleSetData& data);

// Writes the databases, and the widths of their regexes, under `key`, then the serialized rule model (may be
// empty), through a temporary file and a rename so readers never see half a file. Returns an empty string, or
// what went wrong.
std::string write_database_cache(const std::filesystem::path& path, std::uint64_t key,
                                 CompiledRuleSetData& data, std::string_view model);

// Fills the databases and regex widths from the file when it holds exactly `key`, its checksum matches and
// Hyperscan accepts
// every database (its version and platform are checked again there). Otherwise returns false and, when the
// file is damaged or not a cache at all, says why in `why`; a missing file, or one built for other patterns,
// leaves `why` empty: that is the ordinary reason to rebuild.
bool read_database_cache(const std::filesystem::path& path, std::uint64_t key, CompiledRuleSetData& data,
                         std::string& why);

// The rule model the file holds, when it was read from exactly `rule_files` as they are now (model_cache.h).
// Quietly nullopt otherwise: the rules are then loaded from YAML, and read_database_cache says what is wrong.
std::optional<CachedModel> read_cached_model(const std::filesystem::path& path,
                                             const std::vector<std::filesystem::path>& rule_files);

}  // namespace qinglang::detail
