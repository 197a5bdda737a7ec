// `namix analyze INPUT [--json] [--frames N]`: the segmentation of an
// episode — utterances, pauses, speakers, blocks — as a table or as JSON.
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

namespace namix {
namespace {

std::string clock_time(double s) {
  char buf[32];
  const int whole = static_cast<int>(s);
  std::snprintf(buf, sizeof buf, "%d:%02d:%04.1f", whole / 3600, whole / 60 % 60,
                s - static_cast<double>(whole / 60 * 60));
  return buf;
}

void print_table(const EpisodeAnalysis& a, const std::string& path) {
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
    seconds[block_kind_name(b.kind)] += b.end_s - b.start_s;
  }
  std::printf("\n");
  for (const auto& [kind, s] : seconds)
    std::printf("%-9s %s\n", kind.c_str(), clock_time(s).c_str());
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
  cmd->add_option("INPUT", *input, "Episode file (MP3, WAV or FLAC)")->required();
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
  return [cmd, input, json, frames, options, plot]() -> int {
    if (!cmd->parsed()) return -1;
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
    if (*json) {
      std::cout << analysis_to_json(*analysis, {.frame_decimation = *frames}).dump(1) << "\n";
    } else {
      print_table(*analysis, *input);
    }
    return kExitOk;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(analyze, add_analyze);
}  // namespace namix
