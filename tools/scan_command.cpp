#include "scan_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "line_reader.h"
#include "qinglang/json.h"
#include "qinglang/scanner.h"
#include "standard_output.h"
#include "stop_signals.h"

namespace qinglang::cli {
namespace {

// Batches amortise Hyperscan's cost per call and hand-offs between threads. Larger ones outgrow the caches:
// with 8192 short records a one-thread scan took 1.19x as long as with 2048, and 1024 took 0.95x; records of
// 1.4 KB took 0.94x as long in batches of 256 KB as of 1 MB, in 45 MiB instead of 76.
constexpr std::size_t kBatchLines = 1024;
constexpr std::size_t kBatchBytes = 1 << 18;

struct Summary {
  std::size_t records = 0;
  std::size_t errors = 0;
  std::array<std::size_t, 3> decisions{};  // by Decision
  std::array<std::size_t, kAllCategories.size()> category_records{};
  std::array<std::size_t, kItemCount + 1> item_records{};
  std::array<std::size_t, kItemCount + 1> item_hits{};
  std::map<std::string_view, std::size_t> rule_hits;  // the ids live as long as the compiled rules

  void add(const Summary& o) {
    records += o.records;
    errors += o.errors;
    for (std::size_t i = 0; i < decisions.size(); ++i)
      decisions[i] += o.decisions[i];
    for (std::size_t i = 0; i < category_records.size(); ++i)
      category_records[i] += o.category_records[i];
    for (std::size_t i = 0; i < item_records.size(); ++i) {
      item_records[i] += o.item_records[i];
      item_hits[i] += o.item_hits[i];
    }
    for (const auto& [rule, hits] : o.rule_hits)
      rule_hits[rule] += hits;
  }

  void count(const Verdict& verdict) {
    ++records;
    ++decisions[static_cast<std::size_t>(verdict.decision)];
    for (Category c : kAllCategories)
      if (verdict.categories.contains(c)) ++category_records[static_cast<std::size_t>(c)];
    std::array<bool, kItemCount + 1> seen{};
    for (const Hit& hit : verdict.hits) {
      ++rule_hits[hit.rule.id];
      ++item_hits[static_cast<std::size_t>(hit.rule.item)];
      if (!seen[static_cast<std::size_t>(hit.rule.item)]) {
        seen[static_cast<std::size_t>(hit.rule.item)] = true;
        ++item_records[static_cast<std::size_t>(hit.rule.item)];
      }
    }
  }
};

struct Batch {
  struct Entry {
    std::size_t offset, length, number;
    bool too_long;
  };
  const std::string* source = nullptr;  // the input's name, for error messages
  std::string text;
  std::vector<Entry> lines;
  std::string output;
  Summary summary;
  bool done = false;
};

// The per-thread part of the pipeline: parse, scan, format.
class Worker {
 public:
  Worker(std::shared_ptr<const CompiledRuleSet> rules, const ScanSettings& settings)
      : scanner_(std::move(rules)), settings_(settings) {
    scanner_.restrict_to(settings.categories);
  }

  // Parses every line of the batch, scans the records in one call (short records are dominated by Hyperscan's
  // cost per call), then writes one line per input line, in order.
  void process(Batch& batch) {
    batch.output.clear();
    outcomes_.clear();
    std::size_t parsed = 0;
    for (const Batch::Entry& line : batch.lines) {
      std::string_view text(batch.text.data() + line.offset, line.length);
      if (parsed == records_.size()) records_.emplace_back();
      Record& record = records_[parsed];
      Outcome& outcome = outcomes_.emplace_back();
      outcome.number = line.number;
      if (line.too_long) {
        outcome.too_long = true;
      } else if (settings_.text_lines) {
        record.clear();
        record.add_text("text", text);
        record.set_id_json(std::to_string(line.number));
        outcome.record = parsed++;
      } else if (std::string_view problem = parser_.parse_padded(text, record); problem.empty()) {
        outcome.record = parsed++;
      } else {
        outcome.problem = text.empty() ? "empty line" : problem;
        outcome.id.assign(record.id_json());
      }
    }
    const std::vector<Verdict>& verdicts =
        scanner_.scan_batch(std::span<const Record>(records_.data(), parsed));
    for (const Outcome& outcome : outcomes_) {
      if (outcome.record == kNoRecord) {
        std::string where = fmt::format("{}:{}", *batch.source, outcome.number);
        std::string message = outcome.too_long
                                  ? fmt::format("record longer than {} bytes", settings_.max_record_bytes)
                                  : std::string(outcome.problem);
        append_error_json(batch.output, outcome.id, where, message, outcome.number);
        ++batch.summary.errors;
      } else {
        const Verdict& verdict = verdicts[outcome.record];
        append_verdict_json(batch.output, records_[outcome.record], verdict);
        if (verdict.error.empty()) {
          batch.summary.count(verdict);
        } else {
          ++batch.summary.errors;
        }
      }
      batch.output.push_back('\n');
    }
  }

 private:
  static constexpr std::size_t kNoRecord = SIZE_MAX;
  // What became of one input line: a parsed record, or the problem that stopped it.
  struct Outcome {
    std::size_t number = 0;
    std::size_t record = kNoRecord;
    bool too_long = false;
    std::string_view problem;  // static text
    std::string id;            // the id, when it could be read from a bad line
  };

  Scanner scanner_;
  JsonRecordParser parser_;
  std::vector<Record> records_;  // reused between batches
  std::vector<Outcome> outcomes_;
  const ScanSettings& settings_;
};

// Workers take batches from a queue; the main thread reads and writes, so output keeps input order.
class Pipeline {
 public:
  Pipeline(std::shared_ptr<const CompiledRuleSet> rules, const ScanSettings& settings) {
    unsigned workers = std::max(1u, settings.threads);
    for (unsigned i = 0; i < workers; ++i)
      workers_.push_back(std::make_unique<Worker>(rules, settings));
    if (workers > 1)
      for (unsigned i = 0; i < workers; ++i)
        threads_.emplace_back([this, i] { work(*workers_[i]); });
    max_in_flight_ = 2 * workers + 2;
  }

  ~Pipeline() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : threads_)
      t.join();
  }

  void submit(std::unique_ptr<Batch> batch) {
    // Each line is then followed by the slack that lets the parser read it in place.
    batch->text.append(JsonRecordParser::kPadding, ' ');
    if (threads_.empty()) {
      workers_[0]->process(*batch);
      write(*batch);
      return;
    }
    while (in_flight_.size() >= max_in_flight_)
      write_oldest();
    Batch* raw = batch.get();
    in_flight_.push_back(std::move(batch));
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(raw);
    }
    work_ready_.notify_one();
  }

  void finish() {
    while (!in_flight_.empty())
      write_oldest();
    output_.flush();
  }

  const Summary& summary() const { return summary_; }
  const StandardOutput& output() const { return output_; }

 private:
  void work(Worker& worker) {
    for (;;) {
      Batch* batch;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch = queue_.front();
        queue_.pop_front();
      }
      worker.process(*batch);
      {
        std::lock_guard lock(mutex_);
        batch->done = true;
      }
      batch_done_.notify_all();
    }
  }

  void write_oldest() {
    Batch& oldest = *in_flight_.front();
    {
      std::unique_lock lock(mutex_);
      batch_done_.wait(lock, [&] { return oldest.done; });
    }
    write(oldest);
    in_flight_.pop_front();
  }

  void write(const Batch& batch) {
    if (output_.write(batch.output)) summary_.add(batch.summary);
  }

  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::deque<std::unique_ptr<Batch>> in_flight_;
  std::size_t max_in_flight_ = 0;
  std::mutex mutex_;
  std::condition_variable work_ready_, batch_done_;
  std::deque<Batch*> queue_;
  bool stopping_ = false;
  Summary summary_;
  StandardOutput output_;
};

// What was read and how fast, then the counts.
void print_summary(const Summary& s, std::size_t bytes, double seconds, unsigned threads) {
  std::string out = fmt::format(
      "\n{:.1f} MB scanned in {:.2f} s on {} thread{}: {:.0f} MB/s, {:.0f}k records/s\n", bytes / 1e6,
      seconds, threads, threads == 1 ? "" : "s", bytes / 1e6 / std::max(seconds, 1e-9),
      (s.records + s.errors) / 1e3 / std::max(seconds, 1e-9));
  out += fmt::format("records {}  pass {}  review {}  block {}  errors {}\n\n", s.records, s.decisions[0],
                     s.decisions[1], s.decisions[2], s.errors);
  out += fmt::format("{:<18} {:>8}\n", "category", "records");
  for (Category c : kAllCategories)
    out += fmt::format("{:<18} {:>8}\n", to_string(c), s.category_records[static_cast<std::size_t>(c)]);
  out += fmt::format("\n{:>4}  {:<18} {:>8} {:>6}  {}\n", "item", "category", "records", "hits",
                     "campaign problem");
  for (int item = 1; item <= kItemCount; ++item) {
    if (s.item_hits[static_cast<std::size_t>(item)] == 0) continue;
    out += fmt::format("{:>4}  {:<18} {:>8} {:>6}  {}\n", item, to_string(category_of_item(item)),
                       s.item_records[static_cast<std::size_t>(item)],
                       s.item_hits[static_cast<std::size_t>(item)], item_title(item));
  }
  std::vector<std::pair<std::size_t, std::string_view>> top;
  for (const auto& [rule, hits] : s.rule_hits)
    top.emplace_back(hits, rule);
  std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (!top.empty()) out += fmt::format("\n{:>8}  {}\n", "hits", "rules that fired most");
  for (std::size_t i = 0; i < top.size() && i < 15; ++i)
    out += fmt::format("{:>8}  {}\n", top[i].first, top[i].second);
  std::fputs(out.c_str(), stderr);
}

}  // namespace

int run_scan(std::shared_ptr<const CompiledRuleSet> rules, const ScanSettings& settings) {
  static char output_buffer[1 << 16];
  std::setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);

  stop_on_signals();
  auto start = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  Pipeline pipeline(std::move(rules), settings);
  bool inputs_ok = read_inputs(
      settings.inputs, settings.max_record_bytes, [&](LineReader& reader, const std::string& source) {
        auto batch = std::make_unique<Batch>();
        Line line;
        // Once the output failed, what is left to read could never be answered.
        while (!pipeline.output().failed() && reader.next(line)) {
          batch->lines.push_back({batch->text.size(), line.text.size(), line.number, line.too_long});
          bytes += line.text.size() + 1;
          batch->text.append(line.text);
          if (batch->lines.size() >= kBatchLines || batch->text.size() >= kBatchBytes) {
            batch->source = &source;
            pipeline.submit(std::move(batch));
            batch = std::make_unique<Batch>();
          }
        }
        if (!batch->lines.empty()) {
          batch->source = &source;
          pipeline.submit(std::move(batch));
        }
        // The batches point at `source`: write them out before it goes.
        pipeline.finish();
      });
  if (std::optional<int> status = cut_short_status(pipeline.output())) return *status;
  if (settings.summary) {
    std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    print_summary(pipeline.summary(), bytes, seconds.count(), std::max(1u, settings.threads));
  }
  return !inputs_ok || pipeline.summary().errors > 0 ? 1 : 0;
}

}  // namespace qinglang::cli
