// Live streams at scale, with the bundled rules and real Weibo posts as chat messages: many concurrent open
// streams written round-robin (as a service would see interleaved rooms), reporting what each stream holds,
// the process's resident memory, and the message rate; then the same messages scanned as independent records,
// one call each and in batches, as the yardsticks measured in the same run.
//
//   qinglang_stream_bench [STREAMS [MESSAGES_PER_STREAM]]     (default 100000 streams, 8 messages each)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "qinglang/compiler.h"
#include "qinglang/record.h"
#include "qinglang/scanner.h"
#include "qinglang/stream.h"

namespace {

using namespace qinglang;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Resident and peak resident memory of this process, in MiB (Linux).
std::pair<double, double> resident_mib() {
  std::ifstream status("/proc/self/status");
  double rss = 0, peak = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) / 1024;
    if (line.rfind("VmHWM:", 0) == 0) peak = std::atof(line.c_str() + 6) / 1024;
  }
  return {rss, peak};
}

std::vector<std::string> weibo_posts(std::size_t limit) {
  std::vector<std::string> posts;
  std::ifstream in(std::string(QINGLANG_SHARED_DATA) + "/ugc/weibo_ced_texts.tsv");
  for (std::string line; posts.size() < limit && std::getline(in, line);) {
    std::size_t tab = line.find('\t');
    if (tab != std::string::npos) posts.push_back(line.substr(tab + 1));
  }
  if (posts.empty()) {
    std::fprintf(stderr, "no Weibo data under %s: using a fixed sentence\n", QINGLANG_SHARED_DATA);
    posts.push_back("今天和同学一起去图书馆复习，晚上回家做作业，周末准备去公园散步。");
  }
  return posts;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t stream_count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  std::size_t per_stream = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 8;

  CompileOptions options;
  options.cache_file = std::filesystem::temp_directory_path() / "qinglang_bench_normalized.cache";
  CompileResult compiled = compile_rules({QINGLANG_RULES_DIR}, options);
  if (!compiled.ok()) {
    std::fprintf(stderr, "the bundled rules do not compile\n");
    return 1;
  }
  std::size_t messages = stream_count * per_stream;
  std::vector<std::string> posts = weibo_posts(messages);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < messages; ++i)
    bytes += posts[i % posts.size()].size();
  auto [rss_before, peak_before] = resident_mib();

  Scanner scanner(compiled.rules);
  std::vector<Stream> streams(stream_count);
  std::size_t hits = 0, windows = 0;
  Clock::time_point start = Clock::now();
  for (std::size_t round = 0; round < per_stream; ++round) {
    for (std::size_t s = 0; s < stream_count; ++s) {
      std::size_t i = round * stream_count + s;
      const StreamVerdict& v =
          scanner.write(streams[s], {round + 1, static_cast<double>(round), posts[i % posts.size()]});
      hits += v.hits.size();
      windows += v.windows.size();
    }
  }
  double stream_seconds = seconds_since(start);
  auto [rss_open, peak_open] = resident_mib();
  std::size_t held = 0, most = 0;
  for (const Stream& s : streams) {
    held += s.memory_bytes();
    most = std::max(most, s.memory_bytes());
  }
  start = Clock::now();
  for (Stream& s : streams)
    hits += scanner.close(s).hits.size();
  double close_seconds = seconds_since(start);

  // The yardsticks: the same messages as independent records.
  start = Clock::now();
  for (std::size_t i = 0; i < messages; ++i) {
    Record record = Record::from_text(posts[i % posts.size()]);
    hits += scanner.scan(record).hits.size();
  }
  double single_seconds = seconds_since(start);
  std::vector<Record> batch;
  start = Clock::now();
  for (std::size_t i = 0; i < messages; ++i) {
    batch.push_back(Record::from_text(posts[i % posts.size()]));
    if (batch.size() == 1024 || i + 1 == messages) {
      for (const Verdict& v : scanner.scan_batch(batch))
        hits += v.hits.size();
      batch.clear();
    }
  }
  double batch_seconds = seconds_since(start);

  double rate = static_cast<double>(messages) / stream_seconds;
  std::printf("%zu streams open at once, %zu messages each: %zu messages, %.1f MB (Weibo posts)\n",
              stream_count, per_stream, messages, static_cast<double>(bytes) / 1e6);
  std::printf("stream history bound     %zu bytes\n", compiled.rules->stats().stream_history_bytes);
  std::printf("state per open stream    %.0f bytes on average, %zu at most (Stream::memory_bytes)\n",
              static_cast<double>(held) / static_cast<double>(stream_count), most);
  std::printf("resident memory          %.0f MiB before opening, %.0f MiB with all open (peak %.0f MiB)\n",
              rss_before, rss_open, peak_open);
  std::printf("                         %.0f bytes per open stream, allocator included\n",
              (rss_open - rss_before) * 1024 * 1024 / static_cast<double>(stream_count));
  std::printf("\n%-36s %12s %10s %8s\n", "", "messages/s", "MB/s", "ratio");
  auto row = [&](const char* name, double seconds) {
    std::printf("%-36s %12.0f %10.1f %8.2f\n", name, static_cast<double>(messages) / seconds,
                static_cast<double>(bytes) / 1e6 / seconds, static_cast<double>(messages) / seconds / rate);
  };
  row("streams, round-robin (write)", stream_seconds);
  row("records, one scan() each", single_seconds);
  row("records, scan_batch() of 1024", batch_seconds);
  std::printf("\nclosing every stream: %.2f s; hits %zu, window rules fired %zu\n", close_seconds, hits,
              windows);
  return 0;
}
