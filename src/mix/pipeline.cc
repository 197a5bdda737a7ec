#include "mix/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <regex>

#include "analysis/episode_analyzer.h"
#include "codec/audio_decoder.h"
#include "codec/mp3_encoder.h"
#include "mix/chain_builder.h"
#include "mix/episode_plot.h"
#include "mix/mastering.h"
#include "mix/render_plan.h"
#include "mix/renderer.h"

namespace namix {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string iso_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string clock_text(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

Mp3Tags tags_for(const MixRequest& request, const EditList& edits, const RenderPlan& plan) {
  Mp3Tags tags;
  const std::string source = std::filesystem::path(request.input_path).filename().string();
  tags.title = request.theme->name + " — " + source;
  tags.artist = "namix";
  tags.album = request.episode_number.empty() ? source : "Episode " + request.episode_number;
  tags.date = iso_now().substr(0, 10);
  for (std::size_t i = 0; i < edits.segments.size(); ++i) {
    const double start = plan.segment_mix_start_s[i];
    const double end =
        i + 1 < edits.segments.size() ? plan.segment_mix_start_s[i + 1] : plan.duration_s;
    Chapter ch;
    ch.start_ms = static_cast<std::uint32_t>(std::lround(start * 1000.0));
    ch.end_ms = static_cast<std::uint32_t>(std::lround(end * 1000.0));
    ch.title = clock_text(edits.segments[i].start_s) + " " + edits.segments[i].kind;
    tags.chapters.push_back(ch);
  }
  return tags;
}

}  // namespace

std::string episode_number_from_name(const std::string& name) {
  // "NA-1779-2025-07-06-Final.mp3", "episode_1779.mp3", "ep1779" -> "1779"
  static const std::regex kNumber(R"((?:^|[^0-9])([0-9]{2,5})(?:[^0-9]|$))");
  const std::string base = std::filesystem::path(name).filename().string();
  std::smatch m;
  if (std::regex_search(base, m, kNumber)) return m[1];
  return "";
}

Result<MixReport> run_mix(const MixRequest& request, ByteSink& out) {
  assert(request.theme != nullptr);
  const Theme& theme = *request.theme;
  const auto t_start = Clock::now();
  auto progress = [&](std::string_view stage, double f) {
    if (request.progress) request.progress(stage, std::clamp(f, 0.0, 1.0));
  };
  MixReport report;
  report.theme_name = theme.name;
  report.episode_number = request.episode_number;
  report.target_s = request.target_s;
  report.created_at = iso_now();

  // 1. Decode a reduced stream and analyse it.
  auto t0 = Clock::now();
  progress("decode", 0.0);
  auto analysis_decoder = open_analysis_decoder(request.input_path);
  if (!analysis_decoder.ok()) return analysis_decoder.error();
  // Checked before analysing, so a wrong duration fails in milliseconds, not minutes.
  const double episode_s = (*analysis_decoder)->info().duration_s();
  if (request.target_s && *request.target_s > episode_s) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "duration %.1f s is longer than the episode (%.1f s); ask for less, or \"full\"",
                  *request.target_s, episode_s);
    return make_error(Errc::invalid_argument, buf);
  }
  report.timings.decode_ms = ms_since(t0);

  t0 = Clock::now();
  auto analysis =
      analyze_episode_parallel(**analysis_decoder, AnalysisOptions{},
                               [&](std::string_view, double f) { progress("analysis", 0.4 * f); });
  if (!analysis.ok()) return analysis.error();
  report.timings.analysis_ms = ms_since(t0);
  report.source_duration_s = analysis->duration_s;
  report.blocks = analysis->blocks;
  LoudnessTimeline timeline = loudness_timeline(*analysis);
  report.timeline_step_s = timeline.step_s;
  report.timeline_level_db = std::move(timeline.level_db);

  // 2. Select.
  progress("select", 0.4);
  auto edits = select_segments(*analysis, theme, request.target_s);
  if (!edits.ok()) return edits.error();
  RenderOptions render_options;
  render_options.crossfade_s = theme.crossfade_s;
  const RenderPlan plan = make_render_plan(*edits, *analysis, render_options);
  for (std::size_t i = 0; i < edits->segments.size(); ++i) {
    edits->segments[i].mix_start_s = plan.segment_mix_start_s[i];
  }
  edits->duration_s = plan.duration_s;
  if (plan.pieces.empty()) {
    return make_error(Errc::undecodable, "found nothing to mix in " + request.input_path +
                                             " (no speech or music detected)");
  }

  // 3. Render and master, 4. encode.
  MasteringSpec mastering;
  mastering.target_lufs = request.target_lufs.value_or(theme.target_lufs);
  mastering.ceiling_dbtp = theme.true_peak_ceiling_dbtp;
  auto hum_hz = detect_source_hum(request.input_path);
  if (!hum_hz.ok()) return hum_hz.error();
  auto chains = build_theme_chains(theme, *hum_hz);
  if (!chains.ok()) return chains.error();
  const Mp3Tags tags = tags_for(request, *edits, plan);
  auto render_fraction = [&](double f) { progress("render", 0.42 + 0.43 * f); };
  auto mastered = master_and_encode(request.input_path, plan, *chains, mastering, tags, out,
                                    !request.target_s.has_value(), render_fraction);
  if (!mastered.ok()) return mastered.error();
  progress("encode", 1.0);

  report.edit_list = std::move(edits.value());
  report.duration_s = mastered->duration_s;
  report.integrated_lufs = mastered->integrated_lufs;
  report.true_peak_dbtp = mastered->true_peak_dbtp;
  report.file_size_bytes = out.size();
  report.timings.render_ms = mastered->render_ms;
  report.timings.encode_ms = mastered->encode_ms;
  report.processing_chain = theme.chain_summary() + " → loudness " +
                            std::to_string(std::lround(mastering.target_lufs)) +
                            " LUFS → true-peak limiter";
  report.warnings = report.edit_list.warnings;
  for (const std::string& w : mastered->warnings) report.warnings.push_back(w);
  report.timings.total_ms = ms_since(t_start);
  return report;
}

}  // namespace namix
