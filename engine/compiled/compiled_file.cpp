#include "compiled/compiled_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/hash.h"
#include "base/parallel.h"

namespace qinglang {
namespace detail {
namespace {

constexpr char kMagic[8] = {'Q', 'L', 'N', 'G', 'D', 'B', '1', '0'};

// The header, the databases (the payload), then the tables (compiled_tables.h), each part checksummed.
struct Header {
  char magic[8];
  std::uint64_t key;
  std::uint64_t payload_size;
  std::uint64_t payload_checksum;
  std::uint64_t tables_size;
  std::uint64_t tables_checksum;
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

std::string write_compiled_file(const std::filesystem::path& path, std::uint64_t key,
                                CompiledRuleSetData& data, std::string_view tables) {
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
  header.tables_size = tables.size();
  header.tables_checksum = checksum_of(tables);

  // Only a regular file is ever replaced: a cache path that names a device, a folder or a link is a mistake
  // (or a trap), and renaming over it would replace /dev/null or another user's link.
  std::error_code ec;
  std::filesystem::file_status existing = std::filesystem::symlink_status(path, ec);
  if (std::filesystem::exists(existing) && !std::filesystem::is_regular_file(existing))
    return path.string() + " is not a regular file: it is left as it is";
  // A new name of this process's own, in the same folder (so the rename is atomic): workers starting together
  // may all rewrite a stale cache. O_EXCL and O_NOFOLLOW: a file or link planted under that name is never
  // written through.
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
    temporary = path;
    temporary += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(attempt);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return "cannot create a temporary file beside " + path.string() + ": " + std::strerror(errno);
  auto write_all = [fd](const void* data, std::size_t size) {
    for (const char* at = static_cast<const char*>(data); size > 0;) {
      ssize_t written = ::write(fd, at, size);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return false;
      at += written;
      size -= static_cast<std::size_t>(written);
    }
    return true;
  };
  bool written = write_all(&header, sizeof header) && write_all(payload.data(), payload.size()) &&
                 write_all(tables.data(), tables.size());
  int saved_errno = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    saved_errno = errno;
  }
  if (!written) {
    std::filesystem::remove(temporary, ec);
    return "cannot write " + temporary.string() + ": " + std::strerror(saved_errno);
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return "cannot rename to " + path.string() + ": " + ec.message();
  }
  return "";
}

namespace {

// The parts of a file whose header is ours and whose sizes add up; `why` says what is wrong otherwise, and
// stays empty for a file that is missing or of an older format (rebuilt quietly).
struct Parts {
  Header header{};
  std::string_view payload, tables;
};

bool split_parts(const MappedFile& file, Parts& parts, std::string& why) {
  if (!file.ok()) return false;
  std::string_view rest = file.bytes();
  if (!take(rest, parts.header) || std::memcmp(parts.header.magic, kMagic, 6) != 0) {
    why = "not a compiled Qinglang rule set";
    return false;
  }
  if (std::memcmp(parts.header.magic, kMagic, sizeof kMagic) != 0) return false;
  if (parts.header.payload_size > rest.size() ||
      parts.header.tables_size != rest.size() - parts.header.payload_size) {
    why = "corrupt (truncated)";
    return false;
  }
  parts.payload = rest.substr(0, parts.header.payload_size);
  parts.tables = rest.substr(parts.header.payload_size);
  return true;
}

// Deserializes every database of the payload into `data`; the regex widths that follow are left in `rest`.
bool load_databases(std::string_view& rest, CompiledRuleSetData& data, std::string& why) {
  std::vector<std::string_view> serialized;
  std::vector<DatabasePtr*> targets = cached_databases(data);
  for (std::size_t i = 0; i < targets.size(); ++i) {
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
  for (std::size_t i = 0; i < targets.size(); ++i)
    *targets[i] = std::move(loaded[i]);
  return true;
}

}  // namespace

bool read_databases(const std::filesystem::path& path, std::uint64_t key, CompiledRuleSetData& data,
                    std::string& why) {
  MappedFile file(path);
  Parts parts;
  if (!split_parts(file, parts, why)) return false;
  if (parts.header.key != key)
    return false;  // built from other rules, Hyperscan or CPU: the usual reason to rebuild
  if (parts.header.payload_checksum != checksum_of(parts.payload)) {
    why = "corrupt (checksum mismatch)";
    return false;
  }
  std::string_view rest = parts.payload;
  CompiledRuleSetData loaded;
  if (!load_databases(rest, loaded, why)) return false;
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
  for (std::size_t v = 0; v < data.views.size(); ++v) {
    data.views[v].tiers = std::move(loaded.views[v].tiers);
    for (std::size_t i = 0; i < widths[v].size(); ++i) {
      data.views[v].regex_targets[i].min_width = widths[v][i].first;
      data.views[v].regex_targets[i].max_width = widths[v][i].second;
    }
  }
  return true;
}

std::unique_ptr<CompiledRuleSetData> load_compiled_file(const std::filesystem::path& path,
                                                        std::vector<Diagnostic>& diagnostics,
                                                        std::string& why, const AcceptInputs& accept) {
  auto started = std::chrono::steady_clock::now();
  MappedFile file(path);
  Parts parts;
  if (!split_parts(file, parts, why)) {
    if (why.empty())
      why = file.ok() ? "written by an older Qinglang: compile the rules again" : "cannot read it";
    return nullptr;
  }
  if (parts.header.tables_checksum != checksum_of(parts.tables)) {
    why = "corrupt (checksum mismatch)";
    return nullptr;
  }
  auto data = std::make_unique<CompiledRuleSetData>();
  std::vector<Diagnostic> compiled_with;
  CompileInputs inputs;
  if (!deserialize_tables(parts.tables, *data, compiled_with, inputs)) {
    why = "written by another build of Qinglang: compile the rules again";
    return nullptr;
  }
  // The databases are most of the file: a file turned down for its inputs is not checksummed whole, since the
  // compile that follows reads its databases again (read_databases) and checks them there.
  if (accept && !accept(inputs)) return nullptr;
  if (parts.header.payload_checksum != checksum_of(parts.payload)) {
    why = "corrupt (checksum mismatch)";
    return nullptr;
  }
  std::string_view rest = parts.payload;
  if (!load_databases(rest, *data, why) || !prepare_for_scanning(*data, diagnostics)) return nullptr;
  diagnostics.insert(diagnostics.end(), compiled_with.begin(), compiled_with.end());
  DatabaseStats& stats = data->stats;
  stats.from_cache = stats.rules_from_cache = true;
  stats.compile_milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return data;
}

}  // namespace detail

CompileResult load_compiled_rules(const std::filesystem::path& file) {
  CompileResult result;
  std::string why;
  std::unique_ptr<detail::CompiledRuleSetData> data =
      detail::load_compiled_file(file, result.diagnostics, why);
  if (data) {
    result.rules = detail::CompiledRuleSetAccess::make(std::move(data));
  } else if (!why.empty()) {
    result.diagnostics.push_back(
        {DiagnosticLevel::error, "E015", "cannot load the compiled rules: " + why, {file.string()}, {}});
  }
  return result;
}

}  // namespace qinglang
