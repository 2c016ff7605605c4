#include "cache/database_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "base/hash.h"
#include "base/parallel.h"

namespace qinglang::detail {
namespace {

constexpr char kMagic[8] = {'Q', 'L', 'N', 'G', 'D', 'B', '0', '9'};

// The header, the databases (the payload), then the rule model (model_cache.h), each part checksummed.
struct Header {
  char magic[8];
  std::uint64_t key;
  std::uint64_t payload_size;
  std::uint64_t payload_checksum;
  std::uint64_t model_size;
  std::uint64_t model_checksum;
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

// A file mapped read-only: the databases are deserialized straight from the page cache, with no buffer to
// allocate, zero and fill first.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && info.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<std::size_t>(info.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool ok() const { return data_ != nullptr; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

std::vector<DatabasePtr*> cached_databases(CompiledRuleSetData& data) {
  std::vector<DatabasePtr*> databases;
  for (ViewDatabases& view : data.views) {
    for (TierDatabases& tier : view.tiers) {
      databases.push_back(&tier.literals);
      databases.push_back(&tier.regex_detector);
      databases.push_back(&tier.regex_locator);
    }
  }
  return databases;
}

std::string write_database_cache(const std::filesystem::path& path, std::uint64_t key,
                                 CompiledRuleSetData& data, std::string_view model) {
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
  for (const ViewDatabases& view : data.views) {
    put(payload, static_cast<std::uint64_t>(view.regex_targets.size()));
    for (const RegexTarget& target : view.regex_targets) {
      put(payload, target.min_width);
      put(payload, target.max_width);
    }
  }
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.key = key;
  header.payload_size = payload.size();
  header.payload_checksum = checksum_of(payload);
  header.model_size = model.size();
  header.model_checksum = checksum_of(model);

  // A name of this process's own: workers starting together may all rewrite a stale cache.
  std::filesystem::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.write(model.data(), static_cast<std::streamsize>(model.size()));
    if (!out) return "cannot write " + temporary.string();
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return ec ? "cannot rename to " + path.string() + ": " + ec.message() : "";
}

bool read_database_cache(const std::filesystem::path& path, std::uint64_t key, CompiledRuleSetData& data,
                         std::string& why) {
  MappedFile file(path);
  if (!file.ok()) return false;
  std::string_view rest = file.bytes();

  Header header{};
  if (!take(rest, header) || std::memcmp(header.magic, kMagic, 6) != 0) {
    why = "not a Qinglang database cache";
    return false;
  }
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0)
    return false;  // an older format: rebuilt quietly
  if (header.key != key)
    return false;  // built from other rules, Hyperscan or CPU: the usual reason to rebuild
  if (header.payload_size > rest.size() || header.model_size != rest.size() - header.payload_size ||
      header.payload_checksum != checksum_of(rest.substr(0, header.payload_size))) {
    why = "corrupt (checksum mismatch)";
    return false;
  }
  rest = rest.substr(0, header.payload_size);
  std::vector<std::string_view> serialized;
  for (std::size_t i = 0; i < cached_databases(data).size(); ++i) {
    std::uint64_t size = 0;
    if (!take(rest, size) || size > rest.size()) {
      why = "corrupt (truncated)";
      return false;
    }
    serialized.push_back(rest.substr(0, size));
    rest.remove_prefix(size);
  }
  // Deserializing copies every database into memory of its own, most of a cached start: on every core.
  std::vector<DatabasePtr> loaded(serialized.size());
  std::vector<std::uint8_t> rejected(serialized.size(), 0);
  run_on_every_core(serialized.size(), [&](std::size_t i) {
    hs_database_t* db = nullptr;
    if (serialized[i].empty()) return;
    rejected[i] = hs_deserialize_database(serialized[i].data(), serialized[i].size(), &db) != HS_SUCCESS;
    loaded[i].reset(db);
  });
  if (std::find(rejected.begin(), rejected.end(), 1) != rejected.end()) {
    why = "rejected by Hyperscan";
    return false;
  }
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> widths;
  for (const ViewDatabases& view : data.views) {
    std::uint64_t count = 0;
    if (!take(rest, count) || count != view.regex_targets.size()) {
      why = "corrupt (regex widths)";
      return false;
    }
    auto& view_widths = widths.emplace_back(count);
    for (auto& [min_width, max_width] : view_widths) {
      if (!take(rest, min_width) || !take(rest, max_width)) {
        why = "corrupt (truncated)";
        return false;
      }
    }
  }
  std::vector<DatabasePtr*> targets = cached_databases(data);
  for (std::size_t i = 0; i < targets.size(); ++i)
    *targets[i] = std::move(loaded[i]);
  for (std::size_t v = 0; v < data.views.size(); ++v) {
    for (std::size_t i = 0; i < widths[v].size(); ++i) {
      data.views[v].regex_targets[i].min_width = widths[v][i].first;
      data.views[v].regex_targets[i].max_width = widths[v][i].second;
    }
  }
  return true;
}

std::optional<CachedModel> read_cached_model(const std::filesystem::path& path,
                                             const std::vector<std::filesystem::path>& rule_files) {
  MappedFile file(path);
  if (!file.ok()) return std::nullopt;
  std::string_view rest = file.bytes();
  Header header{};
  if (!take(rest, header) || std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 ||
      header.payload_size > rest.size() || header.model_size != rest.size() - header.payload_size)
    return std::nullopt;
  std::string_view model = rest.substr(header.payload_size);
  if (model.empty() || header.model_checksum != checksum_of(model)) return std::nullopt;
  return deserialize_model(model, rule_files);
}

}  // namespace qinglang::detail
