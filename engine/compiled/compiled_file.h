// The compiled rule set as one file (`qinglang compile -o`, `--cache`): the Hyperscan databases, serialized,
// then the tables (compiled_tables.h), each part checksummed. A process that loads it starts in milliseconds
// and needs neither the rule files nor the compiler. The databases are also keyed by everything that decides
// their contents and where they run (cache_key in compiler.cpp), so that a compile whose patterns did not
// change reuses them. Anything that does not match is not used.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiled/compiled_rule_set.h"
#include "compiled/compiled_tables.h"

namespace qinglang::detail {

// The databases of every view, in a fixed order (view, tier, then literals, detector, locator); null where
// absent.
std::vector<DatabasePtr*> cached_databases(CompiledRuleSetData& data);

// Writes the databases, and the widths of their regexes, under `key`, then `tables`, through a temporary file
// and a rename so readers never see half a file. Returns an empty string, or what went wrong.
std::string write_compiled_file(const std::filesystem::path& path, std::uint64_t key,
                                CompiledRuleSetData& data, std::string_view tables);

// For a compile: fills the databases and regex widths from the file when it holds exactly `key`, its checksum
// matches and Hyperscan accepts every database (its version and platform are checked again there). Otherwise
// returns false and, when the file is damaged or not a compiled rule set at all, says why in `why`; a missing
// file, or one built for other patterns, leaves `why` empty: that is the ordinary reason to rebuild.
bool read_databases(const std::filesystem::path& path, std::uint64_t key, CompiledRuleSetData& data,
                    std::string& why);

// What a load accepts, seen before any database is deserialized: what the rules were compiled from.
using AcceptInputs = std::function<bool(const CompileInputs&)>;

// For a load: the whole compiled rule set (databases and tables) from the file, ready to scan with
// (prepare_for_scanning), with the compile's diagnostics. Null otherwise, with `why` saying what is wrong,
// or empty when `accept` (if given) turned the file down.
std::unique_ptr<CompiledRuleSetData> load_compiled_file(const std::filesystem::path& path,
                                                        std::vector<Diagnostic>& diagnostics,
                                                        std::string& why, const AcceptInputs& accept = {});

}  // namespace qinglang::detail
