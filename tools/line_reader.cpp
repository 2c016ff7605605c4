#include "line_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "stop_signals.h"

namespace qinglang::cli {

namespace {
constexpr std::size_t kBlockBytes = 1 << 20;
}

LineReader::LineReader(std::FILE* input, std::size_t max_line_bytes)
    : input_(input), max_line_bytes_(max_line_bytes), buffer_(2 * kBlockBytes) {}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  // The buffer grows only when a line outgrows it, so a high --max-record-bytes costs nothing until a line
  // that long arrives; it never holds more than one longest line and a block.
  std::size_t most = std::max(kBlockBytes, max_line_bytes_ + 1) + kBlockBytes;
  if (buffer_.size() - end_ < kBlockBytes && buffer_.size() < most)
    buffer_.resize(std::min(most, 2 * buffer_.size()));
  // read(), not fread(): it returns what a pipe holds now instead of waiting for a full block, so live input
  // is handled as it comes.
  ssize_t got;
  do {
    if (stop_signal() != 0) {
      eof_ = true;
      return false;
    }
    got = ::read(fileno(input_), buffer_.data() + end_, buffer_.size() - end_);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    eof_ = true;
    read_failed_ = got < 0;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool LineReader::line_ready() const {
  return eof_ ? begin_ < end_ : std::memchr(buffer_.data() + begin_, '\n', end_ - begin_) != nullptr;
}

bool LineReader::next(Line& line) {
  // Asked to stop: the lines already in the buffer are not read either, so the output ends on a whole line.
  if (stop_signal() != 0) return false;
  std::size_t scanned = 0;  // bytes after begin_ already known to hold no newline
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const char* newline =
        static_cast<const char*>(std::memchr(start + scanned, '\n', end_ - begin_ - scanned));
    if (newline != nullptr || (eof_ && end_ > begin_)) {
      std::size_t length = newline ? static_cast<std::size_t>(newline - start) : end_ - begin_;
      line.number = ++line_number_;
      line.too_long = length > max_line_bytes_;
      std::size_t kept = std::min(length, max_line_bytes_);
      if (!line.too_long && kept > 0 && start[kept - 1] == '\r') --kept;
      line.text = std::string_view(start, kept);
      begin_ += newline ? length + 1 : length;
      return true;
    }
    if (eof_) return false;
    scanned = end_ - begin_;
    if (scanned > max_line_bytes_) {
      // Too long: keep the head for the error line, drop the rest up to the newline.
      std::size_t number = ++line_number_;
      begin_ = end_;
      for (;;) {
        end_ = begin_ = 0;
        if (!fill()) break;
        const char* nl = static_cast<const char*>(std::memchr(buffer_.data(), '\n', end_));
        if (nl) {
          begin_ = static_cast<std::size_t>(nl - buffer_.data()) + 1;
          break;
        }
      }
      line.number = number;
      line.too_long = true;
      line.text = {};
      return true;
    }
    if (!fill() && !eof_) return false;
  }
}

bool LineReader::live() const {
  struct stat info {};
  return fstat(fileno(input_), &info) != 0 || !S_ISREG(info.st_mode);
}

bool read_inputs(const std::vector<std::string>& inputs, std::size_t max_line_bytes,
                 const std::function<void(LineReader& reader, const std::string& source)>& read) {
  bool ok = true;
  for (const std::string& input : inputs.empty() ? std::vector<std::string>{"-"} : inputs) {
    if (stop_signal() != 0) break;
    bool is_stdin = input == "-";
    std::FILE* file = is_stdin ? stdin : std::fopen(input.c_str(), "rb");
    if (!file) {
      std::fprintf(stderr, "qinglang: cannot open %s\n", input.c_str());
      ok = false;
      continue;
    }
    const std::string source = is_stdin ? "<stdin>" : input;
    LineReader reader(file, max_line_bytes);
    read(reader, source);
    if (reader.read_failed()) {
      std::fprintf(stderr, "qinglang: read error in %s\n", source.c_str());
      ok = false;
    }
    if (!is_stdin) std::fclose(file);
  }
  return ok;
}

}  // namespace qinglang::cli
