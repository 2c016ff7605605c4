// The compiled-database cache: Hyperscan databases serialized to one file, so that a process starts in
// milliseconds instead of recompiling. The file is keyed by everything that decides the databases' contents
// and where they run (see cache_key in compiler.cpp) and checksummed; anything that does not match is not
// used.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cache/model_cache.h"
#include "compile/compiled_rule_set.h"

namespace qinglang::detail {

// FNV-1a's multiply, eight bytes a step, each step folded so that every input bit reaches the low bits: a
// cache key covers every pattern of the rules, and a multiply per byte made it a noticeable part of a cached
// start. A cache key and a checksum, not a defence against tampering. Data of varying length goes in after
// its length, as add(string_view) does: a short last word is padded with zeros.
class Hasher {
 public:
  static std::uint64_t mix(std::uint64_t hash, std::uint64_t word) {
    hash = (hash ^ word) * 0x100000001b3ULL;
    return hash ^ hash >> 32;
  }
  void add(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (; size >= 8; p += 8, size -= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      hash_ = mix(hash_, word);
    }
    if (size > 0) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, size);
      hash_ = mix(hash_, word);
    }
  }
  void add(std::string_view text) {
    std::uint64_t size = text.size();
    add(&size, sizeof size);
    add(text.data(), text.size());
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// A fast hash of bytes: the checksum of each part of a cache file, and the hash of a rule file's bytes.
std::uint64_t checksum_of(std::string_view bytes);

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
