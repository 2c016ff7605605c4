#include "train_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "labelled_lines.h"
#include "qinglang/json.h"

namespace qinglang::cli {
namespace {

// FNV-1a of a file's bytes, for the manifest: it says which data made a model, and notices a changed file;
// it is not a defence against tampering.
std::string checksum(const std::string& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes)
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return fmt::format("fnv1a64:{:016x}", hash);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

// The lines of a benign file, at most `most` of them taken evenly through it: a dump of a million posts
// says no more about "none" than forty thousand of them, and would outweigh every violation.
std::vector<std::string_view> benign_lines(std::string_view bytes, std::size_t most) {
  std::vector<std::string_view> lines;
  while (!bytes.empty()) {
    std::string_view line = bytes.substr(0, bytes.find('\n'));
    bytes.remove_prefix(std::min(bytes.size(), line.size() + 1));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() <= most) return lines;
  std::vector<std::string_view> taken;
  for (std::size_t i = 0; i < most; ++i)
    taken.push_back(lines[i * lines.size() / most]);
  return taken;
}

}  // namespace

int run_train(const TrainSettings& settings) {
  std::vector<TrainingExample> examples;
  std::string manifest_files;
  LabelledLineReader reader;
  std::size_t bad_lines = 0;
  auto note_file = [&](const std::string& path, const std::string& bytes, std::size_t used) {
    if (!manifest_files.empty()) manifest_files += ",\n";
    manifest_files += "    {\"path\":";
    append_json_string(manifest_files, path);
    manifest_files += fmt::format(",\"checksum\":\"{}\",\"examples\":{}}}", checksum(bytes), used);
  };
  for (const std::string& path : settings.labelled) {
    std::optional<std::string> bytes = read_file(path);
    if (!bytes) {
      std::fprintf(stderr, "qinglang: cannot read %s\n", path.c_str());
      return 2;
    }
    std::istringstream in(*bytes);
    std::size_t used = 0;
    bad_lines +=
        reader.read(path, in, "a labelled line", [&](const Label& label, const Record& record, std::size_t) {
          examples.push_back(
              {model_text(record), label.positive ? fmt::format("item{}", label.item) : "none"});
          ++used;
        });
    note_file(path, *bytes, used);
  }
  for (const std::string& path : settings.benign) {
    std::optional<std::string> bytes = read_file(path);
    if (!bytes) {
      std::fprintf(stderr, "qinglang: cannot read %s\n", path.c_str());
      return 2;
    }
    std::vector<std::string_view> lines = benign_lines(*bytes, settings.benign_max);
    for (std::string_view line : lines)
      examples.push_back({std::string(line), "none"});
    note_file(path, *bytes, lines.size());
  }
  if (bad_lines > 0) return 1;

  TrainResult result = train_model(examples, settings.output, settings.options);
  if (!result.ok()) {
    std::fprintf(stderr, "qinglang: %s\n", result.error.c_str());
    return 1;
  }
  std::string report =
      fmt::format("trained on {} examples; {} held back; model {} bytes: {}\n\n", result.training_examples,
                  result.held_back_examples, result.model_bytes, settings.output);
  report +=
      "| label | held back | predicted | correct | precision | recall |\n|---|---:|---:|---:|---:|---:|\n";
  std::string labels;
  for (const LabelScore& score : result.held_back_scores) {
    std::size_t predicted = score.true_positives + score.false_positives;
    auto ratio = [](std::size_t a, std::size_t b) {
      return b == 0 ? std::string("-")
                    : fmt::format("{:.2f}", static_cast<double>(a) / static_cast<double>(b));
    };
    report += fmt::format("| {} | {} | {} | {} | {} | {} |\n", score.label, score.examples, predicted,
                          score.true_positives, ratio(score.true_positives, predicted),
                          ratio(score.true_positives, score.examples));
    if (!labels.empty()) labels += ',';
    append_json_string(labels, score.label);
  }
  std::fputs(report.c_str(), stdout);

  std::filesystem::path manifest_path =
      std::filesystem::path(settings.output).replace_extension(".manifest.json");
  std::string manifest = "{\n  \"command\": ";
  append_json_string(manifest, settings.command_line);
  const TrainOptions& o = settings.options;
  manifest += fmt::format(
      ",\n  \"options\": {{\"dimensions\":{},\"epochs\":{},\"learning_rate\":{},\"min_count\":{},\"seed\":{},"
      "\"held_back\":{},\"quantize\":{},\"cutoff\":{},\"benign_max\":{}}}",
      o.dimensions, o.epochs, o.learning_rate, o.min_count, o.seed, o.held_back, o.quantize, o.cutoff,
      settings.benign_max);
  manifest += ",\n  \"labels\": [" + labels + "],\n  \"files\": [\n" + manifest_files + "\n  ],\n";
  std::optional<std::string> model_bytes = read_file(settings.output);
  manifest += fmt::format("  \"model\": {{\"bytes\":{},\"checksum\":\"{}\"}}\n}}\n", result.model_bytes,
                          model_bytes ? checksum(*model_bytes) : std::string());
  std::ofstream out(manifest_path, std::ios::binary);
  out << manifest;
  if (!out.flush()) {
    std::fprintf(stderr, "qinglang: cannot write %s\n", manifest_path.c_str());
    return 3;
  }
  return 0;
}

}  // namespace qinglang::cli
