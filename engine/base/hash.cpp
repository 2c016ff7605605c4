#include "base/hash.h"

#include <fstream>
#include <sstream>

namespace qinglang::detail {

// Eight bytes per step, in four independent lanes: FNV-1a byte by byte took longer than loading the databases
// it guards, and one lane waits on each multiply (over a cached start's 15 MB: one lane 4.3 ms, four 1.4 ms).
std::uint64_t checksum_of(std::string_view bytes) {
  std::uint64_t lanes[4] = {0xcbf29ce484222325ULL ^ bytes.size(), 1, 2, 3};
  std::size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i + 8 * lane, 8);
      lanes[lane] = Hasher::mix(lanes[lane], word);
    }
  }
  std::uint64_t hash = lanes[0];
  for (std::size_t lane = 1; lane < 4; ++lane)
    hash = Hasher::mix(hash, lanes[lane]);
  for (; i < bytes.size(); ++i)
    hash = (hash ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ULL;
  return hash;
}

std::optional<std::uint64_t> hash_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return checksum_of(bytes.view());
}

}  // namespace qinglang::detail
