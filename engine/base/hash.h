// Fast hashes of bytes: cache keys, checksums of cache files, and fingerprints of rule files and lines.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

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

// A fast hash of bytes: the checksum of each part of a cache file, and the hash of a rule file's bytes.
std::uint64_t checksum_of(std::string_view bytes);

// The bytes of a file, hashed with checksum_of; nullopt when it cannot be read.
std::optional<std::uint64_t> hash_file(const std::filesystem::path& path);

}  // namespace qinglang::detail
