// `namix analyze INPUT [--json] [--frames N] [--transcript T]`: the
// segmentation of an episode — utterances, pauses, speakers, blocks — as a
// table or as JSON; with a transcript, aligned to the audio, each block's
// text and the alignment too.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "analysis/analysis_json.h"
#include "analysis/episode_analysis.h"
#include "analysis/episode_analyzer.h"
#include "app/command.h"
#include "app/exit_code.h"
#include "codec/audio_decoder.h"
#include "core/atomic_file.h"
#include "mix/episode_plot.h"
#include "select/edit_list.h"
#include "select/theme.h"
#include "transcript/alignment.h"
#include "transcript/alignment_json.h"

namespace namix {
namespace {

std::string clock_time(double s) {
  char buf[32];
  const int whole = static_cast<int>(s);
  std::snprintf(buf, sizeof buf, "%d:%02d:%04.1f", whole / 3600, whole / 60 % 60,
                s - static_cast<double>(whole / 60 * 60));
  return buf;
}

// A block's words, cut to one line of the table.
std::string block_text(const Transcript& aligned, const Block& b) {
  constexpr std::size_t kMaxChars = 96;
  std::string text = text_between(aligned, b.start_s, b.end_s);
  if (text.size() > kMaxChars) {
    std::size_t cut = kMaxChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

void print_alignment(const TranscriptAlignment& al, const Transcript& source) {
  std::printf("\ntranscript: %zu cues (%s), %zu placed, %zu unplaced\n", source.cues.size(),
              std::string(transcript_format_name(source.format)).c_str(), al.transcript.cues.size(),
              al.unplaced_cues.size());
  for (const auto& p : al.pieces) {
    std::printf("  %s..%s %+8.3f s  %zu cues, %zu onsets matched (median error %.3f s)\n",
                clock_time(p.source_start_s).c_str(), clock_time(p.source_end_s).c_str(),
                p.offset_s, p.cue_count, p.matched_onsets, p.onset_error_s);
  }
  for (const auto& w : source.warnings) std::printf("  warning: %s\n", w.c_str());
}

void print_table(const EpisodeAnalysis& a, const std::string& path, const Transcript* aligned) {
  std::printf("%s: %s, analysed at %d Hz\n", path.c_str(), clock_time(a.duration_s).c_str(),
              a.analysis_rate_hz);
  for (int h = 0; h < 2; ++h) {
    std::printf("host %c: level %.1f dB, pitch %.0f Hz, %.1f syllables/s\n", h == 0 ? 'A' : 'B',
                a.hosts[h].level_db, a.hosts[h].pitch_hz, a.hosts[h].words_per_s);
  }
  std::map<std::string, int> sounds;
  for (const auto& u : a.utterances) ++sounds[sound_class_name(u.sound)];
  std::printf("%zu utterances (", a.utterances.size());
  bool first = true;
  for (const auto& [name, count] : sounds) {
    std::printf("%s%d %s", first ? "" : ", ", count, name.c_str());
    first = false;
  }
  std::printf("), %zu pauses\n\n", a.pauses.size());
  std::printf("%-12s %-12s %-9s %-4s %-5s %-6s %s\n", "start", "end", "kind", "host", "conf",
              "engage", "why");
  std::map<std::string, double> seconds;
  for (const auto& b : a.blocks) {
    const char* host = b.speaker == 0 ? "A" : b.speaker == 1 ? "B" : "-";
    std::printf("%-12s %-12s %-9s %-4s %-5.2f %-6.2f %s\n", clock_time(b.start_s).c_str(),
                clock_time(b.end_s).c_str(), block_kind_name(b.kind), host, b.confidence,
                b.engagement, b.why.c_str());
    if (aligned != nullptr) {
      const std::string text = block_text(*aligned, b);
      if (!text.empty()) std::printf("%12s \"%s\"\n", "", text.c_str());
    }
    seconds[block_kind_name(b.kind)] += b.end_s - b.start_s;
  }
  std::printf("\n");
  for (const auto& [kind, s] : seconds)
    std::printf("%-9s %s\n", kind.c_str(), clock_time(s).c_str());
}

// Adds "transcript" (the alignment report and the placed cues) and each
// block's "text" to `doc`.
void add_transcript_json(nlohmann::json& doc, const TranscriptAlignment& al,
                         const Transcript& source, const EpisodeAnalysis& analysis) {
  nlohmann::json report = alignment_to_json(al, source);
  nlohmann::json cues = nlohmann::json::array();
  for (std::size_t k = 0; k < al.transcript.cues.size(); ++k) {
    const Cue& c = al.transcript.cues[k];
    cues.push_back({{"start_s", c.start_s},
                    {"end_s", c.end_s},
                    {"speaker", c.speaker},
                    {"text", c.text},
                    {"source_index", al.source_cues[k]}});
  }
  report["placed"] = std::move(cues);
  doc["transcript"] = std::move(report);
  if (doc.contains("blocks") && doc["blocks"].size() == analysis.blocks.size()) {
    for (std::size_t i = 0; i < analysis.blocks.size(); ++i) {
      const Block& b = analysis.blocks[i];
      doc["blocks"][i]["text"] = text_between(al.transcript, b.start_s, b.end_s);
    }
  }
}

struct PlotOptions {
  std::string path;
  std::string theme;
  double duration_s = 90.0;
};

// The picture of the episode the web page draws, as a standalone SVG.
Result<void> write_plot(const EpisodeAnalysis& analysis, const std::string& input,
                        const PlotOptions& plot) {
  std::optional<EditList> edits;
  if (!plot.theme.empty()) {
    auto catalog = load_theme_catalog("");
    if (!catalog.ok()) return catalog.error();
    auto theme = catalog->find(plot.theme);
    if (!theme.ok()) return theme.error();
    auto selected = select_segments(analysis, **theme, plot.duration_s);
    if (!selected.ok()) return selected.error();
    edits = std::move(selected.value());
  }
  EpisodePlotOptions options;
  options.title = std::filesystem::path(input).filename().string();
  const std::string svg = episode_plot_svg(analysis, edits ? &*edits : nullptr, options);
  auto file = AtomicFile::create(plot.path);
  if (!file.ok()) return file.error();
  NAMIX_TRY(file->write(std::span(reinterpret_cast<const std::uint8_t*>(svg.data()), svg.size())));
  return file->commit();
}

std::function<int()> add_analyze(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("analyze", "Print an episode's utterances, pauses and blocks");
  auto input = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto frames = std::make_shared<int>(0);
  auto options = std::make_shared<AnalysisOptions>();
  auto plot = std::make_shared<PlotOptions>();
  auto transcript_path = std::make_shared<std::string>();
  cmd->add_option("INPUT", *input, "Episode file (MP3, WAV or FLAC)")->required();
  cmd->add_option("--transcript", *transcript_path,
                  "The episode's transcript (SRT, WebVTT or Podcasting 2.0 JSON): align it and "
                  "show each block's text");
  cmd->add_flag("--json", *json, "Print the analysis as JSON");
  cmd->add_option("--frames", *frames, "With --json, include every N-th 10 ms feature frame")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--tail-guard", options->tail_guard_s,
                  "Seconds added after each utterance's audible end (breathy voices: 0.15)")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--plot", plot->path, "Also draw the episode (loudness, blocks) as an SVG file");
  cmd->add_option("--theme", plot->theme,
                  "With --plot, also select for this theme and highlight the chosen segments");
  cmd->add_option("--duration", plot->duration_s, "With --theme, the mix length in seconds")
      ->capture_default_str();
  return [cmd, input, json, frames, options, plot, transcript_path]() -> int {
    if (!cmd->parsed()) return -1;
    // Read before the analysis, so a bad transcript fails fast.
    std::optional<Transcript> transcript;
    if (!transcript_path->empty()) {
      auto loaded = load_transcript_file(*transcript_path);
      if (!loaded) return report_error(loaded.error());
      transcript = std::move(loaded.value());
    }
    auto decoder = open_analysis_decoder(*input);
    if (!decoder) return report_error(decoder.error());
    const bool show_progress = isatty(STDERR_FILENO) != 0;
    ProgressFn progress;
    if (show_progress) {
      progress = [](std::string_view, double fraction) {
        std::fprintf(stderr, "\ranalysing %3d%%", static_cast<int>(fraction * 100.0));
      };
    }
    auto analysis = analyze_episode_parallel(**decoder, *options, progress);
    if (show_progress) std::fprintf(stderr, "\r              \r");
    if (!analysis) return report_error(analysis.error());
    if (!plot->path.empty()) {
      if (auto drawn = write_plot(*analysis, *input, *plot); !drawn.ok()) {
        return report_error(drawn.error());
      }
    }
    std::optional<TranscriptAlignment> aligned;
    if (transcript) aligned = align_transcript(*transcript, *analysis);
    if (*json) {
      auto doc = analysis_to_json(*analysis, {.frame_decimation = *frames});
      if (aligned) add_transcript_json(doc, *aligned, *transcript, *analysis);
      std::cout << doc.dump(1) << "\n";
    } else {
      print_table(*analysis, *input, aligned ? &aligned->transcript : nullptr);
      if (aligned) print_alignment(*aligned, *transcript);
    }
    return kExitOk;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(analyze, add_analyze);
}  // namespace namix
