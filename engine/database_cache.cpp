#include "database_cache.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace qinglang::detail {
namespace {

constexpr char kMagic[8] = {'Q', 'L', 'N', 'G', 'D', 'B', '0', '1'};

struct Header {
  char magic[8];
  std::uint64_t key;
  std::uint64_t payload_size;
  std::uint64_t payload_checksum;
};

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool take(std::string_view& in, T& value) {
  if (in.size() < sizeof value) return false;
  std::memcpy(&value, in.data(), sizeof value);
  in.remove_prefix(sizeof value);
  return true;
}

}  // namespace

std::vector<DatabasePtr*> cached_databases(CompiledRuleSetData& data) {
  std::vector<DatabasePtr*> databases;
  for (ViewDatabases& view : data.views) {
    databases.push_back(&view.literals);
    databases.push_back(&view.regex_detector);
    databases.push_back(&view.regex_locator);
  }
  return databases;
}

std::string write_database_cache(const std::filesystem::path& path, std::uint64_t key,
                                 CompiledRuleSetData& data) {
  std::string payload;
  for (DatabasePtr* db : cached_databases(data)) {
    if (!*db) {
      put(payload, std::uint64_t{0});
      continue;
    }
    char* bytes = nullptr;
    std::size_t size = 0;
    if (hs_serialize_database(db->get(), &bytes, &size) != HS_SUCCESS) return "Hyperscan could not serialize";
    put(payload, static_cast<std::uint64_t>(size));
    payload.append(bytes, size);
    std::free(bytes);
  }
  Fnv1a checksum;
  checksum.add(payload.data(), payload.size());
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.key = key;
  header.payload_size = payload.size();
  header.payload_checksum = checksum.value();

  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    if (!out) return "cannot write " + temporary.string();
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return ec ? "cannot rename to " + path.string() + ": " + ec.message() : "";
}

bool read_database_cache(const std::filesystem::path& path, std::uint64_t key, CompiledRuleSetData& data,
                         std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream content;
  content << in.rdbuf();
  std::string bytes = content.str();
  std::string_view rest = bytes;

  Header header{};
  if (!take(rest, header) || std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) {
    why = "not a Qinglang database cache";
    return false;
  }
  if (header.key != key)
    return false;  // built from other rules, Hyperscan or CPU: the usual reason to rebuild
  Fnv1a checksum;
  checksum.add(rest.data(), rest.size());
  if (header.payload_size != rest.size() || header.payload_checksum != checksum.value()) {
    why = "corrupt (checksum mismatch)";
    return false;
  }
  std::vector<DatabasePtr> loaded;
  for (std::size_t i = 0; i < cached_databases(data).size(); ++i) {
    std::uint64_t size = 0;
    if (!take(rest, size) || size > rest.size()) {
      why = "corrupt (truncated)";
      return false;
    }
    hs_database_t* db = nullptr;
    if (size > 0 && hs_deserialize_database(rest.data(), size, &db) != HS_SUCCESS) {
      why = "rejected by Hyperscan";
      return false;
    }
    loaded.emplace_back(db);
    rest.remove_prefix(size);
  }
  std::vector<DatabasePtr*> targets = cached_databases(data);
  for (std::size_t i = 0; i < targets.size(); ++i)
    *targets[i] = std::move(loaded[i]);
  return true;
}

}  // namespace qinglang::detail
