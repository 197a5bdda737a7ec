#include "mix/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <regex>
#include <thread>

#include "analysis/episode_analyzer.h"
#include "codec/audio_decoder.h"
#include "codec/mp3_decoder.h"
#include "codec/mp3_encoder.h"
#include "mix/chain_builder.h"
#include "mix/episode_plot.h"
#include "mix/mastering.h"
#include "mix/mix_chapters.h"
#include "mix/mix_transcript.h"
#include "mix/render_plan.h"
#include "mix/renderer.h"
#include "select/loudness_target.h"

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

Mp3Tags tags_for(const MixRequest& request, const std::vector<ChapterMark>& chapters,
                 const RenderPlan& plan) {
  Mp3Tags tags;
  const std::string source = !request.source_name.empty()
                                 ? request.source_name
                                 : std::filesystem::path(request.input_path).filename().string();
  // A feed's item names itself better than its file does, and dates itself.
  const bool titled = request.source && !request.source->title.empty();
  tags.title = request.theme->name + " — " + (titled ? request.source->title : source);
  tags.artist = "namix";
  tags.album = request.episode_number.empty() ? source : "Episode " + request.episode_number;
  const bool dated = request.source && request.source->published.size() >= 10;
  tags.date = (dated ? request.source->published : iso_now()).substr(0, 10);
  tags.chapters = id3_chapters(chapters, plan.duration_s);
  return tags;
}

// The first unplaced cues a result lists: enough to see what went wrong.
constexpr std::size_t kUnplacedListed = 5;

TranscriptOutcome transcript_outcome(const Transcript& published,
                                     const TranscriptAlignment& aligned) {
  TranscriptOutcome outcome;
  outcome.format = published.format;
  outcome.cues = published.cues.size();
  outcome.pieces = aligned.pieces;
  outcome.unplaced_count = aligned.unplaced_cues.size();
  for (std::size_t index : aligned.unplaced_cues) {
    if (outcome.unplaced.size() >= kUnplacedListed) break;
    const Cue& cue = published.cues[index];
    outcome.unplaced.push_back({index, cue.start_s, cue.text});
  }
  outcome.warnings = published.warnings;
  return outcome;
}

// Reads a download for the streaming analysis and gives up on it when the
// download ends early: one core decoding a stream is then slower than
// analysing the finished file on every core. With the analysis a fraction f
// of the way through, the stream needs (1 - f) of a serial pass and the file
// about 1/cores of one plus the start-up, so below kSwitchFraction it pays
// to start again on the file.
class DownloadFollower final : public ByteSource {
 public:
  static constexpr double kSwitchFraction = 0.4;
  DownloadFollower(GrowingFile& download, std::unique_ptr<ByteSource> reader)
      : download_(download), reader_(std::move(reader)) {}
  Result<std::size_t> read(std::span<std::uint8_t> out) override {
    if (!switched_ && download_.finished() &&
        static_cast<double>(consumed_) < kSwitchFraction * static_cast<double>(download_.size())) {
      switched_ = true;
    }
    if (switched_) return make_error(Errc::unavailable, "switched to the downloaded file");
    auto n = reader_->read(out);
    if (n) consumed_ += *n;
    return n;
  }
  bool switched() const { return switched_; }

 private:
  GrowingFile& download_;
  std::unique_ptr<ByteSource> reader_;
  std::uint64_t consumed_ = 0;
  bool switched_ = false;
};

// Analyses an episode that is still downloading, decoding it as its bytes
// arrive, then waits for the download to end (the renderer seeks in the
// whole file). nullopt when the stream cannot be decoded as it comes (not an
// MP3, say): the caller then analyses the finished file. A failed download
// wins over what it did to the analysis.
std::optional<Result<EpisodeAnalysis>> analyse_download(
    GrowingFile& download, const std::function<Result<void>(double)>& duration_check,
    const ProgressFn& progress) {
  const std::string name = std::filesystem::path(download.path()).filename().string();
  // Each try at a rate reads the download from its start.
  const DownloadFollower* follower = nullptr;
  std::optional<Error> reader_error;
  auto opened = open_at_analysis_rate([&](const DecodeOptions& options) {
    auto reader = download.open_reader();
    if (!reader) {
      reader_error = reader.error();
      return Result<std::unique_ptr<AudioDecoder>>(reader.error());
    }
    auto following = std::make_unique<DownloadFollower>(download, std::move(*reader));
    follower = following.get();
    return open_mp3_stream_decoder(std::move(following), options, name);
  });
  if (reader_error) return Result<EpisodeAnalysis>(*reader_error);
  // The finished file instead: once the download is complete (its failure
  // is what the caller reports).
  const auto use_the_file = [&]() -> std::optional<Result<EpisodeAnalysis>> {
    auto fetched = download.wait_finished();
    if (!fetched) return Result<EpisodeAnalysis>(fetched.error());
    return std::nullopt;
  };
  if (!opened || follower->switched()) return use_the_file();
  std::unique_ptr<AudioDecoder> decoder = std::move(*opened);
  auto checked = duration_check(decoder->info().duration_s());
  if (!checked) {
    download.cancel("the mix was refused: " + checked.error().message);
    return Result<EpisodeAnalysis>(checked.error());
  }
  auto analysis = analyze_episode(*decoder, AnalysisOptions{}, progress);
  if (follower->switched()) return use_the_file();
  // A stream that cannot be analysed stops the download rather than waiting for it.
  const bool stopped =
      !analysis.ok() && analysis.error().code != Errc::undecodable && !download.finished();
  if (stopped) download.cancel("the episode cannot be analysed: " + analysis.error().message);
  auto fetched = download.wait_finished();
  if (!fetched && !stopped) return Result<EpisodeAnalysis>(fetched.error());
  // A damaged stream: the file decoder, which sees the whole file, says
  // exactly what is wrong (truncated, junk) or copes with it.
  if (!analysis.ok() && analysis.error().code == Errc::undecodable) return std::nullopt;
  return analysis;
}

}  // namespace

Result<void> check_about_has_transcript(const std::string& about, bool has_transcript) {
  if (about.empty() || has_transcript) return {};
  return make_error(Errc::invalid_argument, kAboutNeedsTranscript);
}

std::string episode_number_from_name(const std::string& name) {
  // "NA-1779-2025-07-06-Final.mp3", "episode_1779.mp3", "ep1779" -> "1779"
  static const std::regex kNumber(R"((?:^|[^0-9])([0-9]{2,5})(?:[^0-9]|$))");
  const std::string base = std::filesystem::path(name).filename().string();
  std::smatch m;
  if (std::regex_search(base, m, kNumber)) return m[1];
  return "";
}

namespace {

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

Result<MixReport> mix_episode(const MixRequest& request, ByteSink& out);

}  // namespace

Result<MixReport> run_mix(const MixRequest& request, ByteSink& out) {
  auto report = mix_episode(request, out);
  if (report.ok() || request.source_name.empty()) return report;
  // The decoders name the file they read: its path, or (a download being
  // decoded as it arrives) its file name.
  Error error = report.error();
  replace_all(error.message, request.input_path, request.source_name);
  replace_all(error.message, std::filesystem::path(request.input_path).filename().string(),
              request.source_name);
  return error;
}

namespace {

Result<MixReport> mix_episode(const MixRequest& request, ByteSink& out) {
  assert(request.theme != nullptr);
  const Theme& theme = *request.theme;
  const auto t_start = Clock::now();
  // Checked before the minutes of analysis that LAME's own check would follow.
  if (auto q = checked_mp3_quality(request.mp3_quality, "mp3_quality"); !q.ok()) return q.error();
  if (request.target_lufs) NAMIX_TRY(checked_target_lufs(*request.target_lufs, "target_lufs"));
  NAMIX_TRY(check_about_has_transcript(request.about, request.transcript.has_value()));
  auto progress = [&](std::string_view stage, double f) {
    if (request.progress) request.progress(stage, std::clamp(f, 0.0, 1.0));
  };
  MixReport report;
  report.theme_name = theme.name;
  report.episode_number = request.episode_number;
  report.target_s = request.target_s;
  report.source = request.source;
  report.created_at = iso_now();

  // Hum detection reads the first 45 s of the finished file at full rate; it
  // runs beside the analysis, which leaves a core idle while it opens the
  // file and while it segments. (A download in progress: after it.)
  std::future<Result<double>> early_hum;
  if (request.download == nullptr || request.download->finished()) {
    early_hum = std::async(std::launch::async,
                           [path = request.input_path] { return detect_source_hum(path); });
  }

  // 1. Decode a reduced stream and analyse it (while it downloads, if it still is).
  auto t0 = Clock::now();
  progress("decode", 0.0);
  auto duration_check = [&](double episode_s) -> Result<void> {
    if (!request.target_s || *request.target_s <= episode_s || episode_s <= 0.0) return {};
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "duration %.1f s is longer than the episode (%.1f s); ask for less, or \"full\"",
                  *request.target_s, episode_s);
    return make_error(Errc::invalid_argument, buf);
  };
  auto analysis_progress = [&](std::string_view, double f) { progress("analysis", 0.4 * f); };
  std::optional<Result<EpisodeAnalysis>> analysis_result;
  if (request.download != nullptr && request.download->finished()) {
    NAMIX_TRY(request.download->wait_finished());  // a failed download says why
  } else if (request.download != nullptr) {
    analysis_result = analyse_download(*request.download, duration_check, analysis_progress);
  }
  if (!analysis_result) {
    auto analysis_decoder = open_analysis_decoder(request.input_path);
    if (!analysis_decoder.ok()) return analysis_decoder.error();
    // Checked before analysing, so a wrong duration fails in milliseconds, not minutes.
    NAMIX_TRY(duration_check((*analysis_decoder)->info().duration_s()));
    report.timings.decode_ms = ms_since(t0);
    t0 = Clock::now();
    analysis_result =
        analyze_episode_parallel(**analysis_decoder, AnalysisOptions{}, analysis_progress);
  }
  auto& analysis = *analysis_result;
  if (!analysis.ok()) return analysis.error();
  NAMIX_TRY(duration_check(analysis->duration_s));
  report.timings.analysis_ms = ms_since(t0);
  report.source_duration_s = analysis->duration_s;
  report.blocks = analysis->blocks;
  LoudnessTimeline timeline = loudness_timeline(*analysis);
  report.timeline_step_s = timeline.step_s;
  report.timeline_level_db = std::move(timeline.level_db);

  // The published transcript and chapters, moved onto the audio's timeline.
  std::optional<TranscriptAlignment> aligned;
  if (request.transcript) aligned = align_transcript(*request.transcript, *analysis);
  std::vector<ChapterMark> published_chapters;
  if (request.chapters) {
    published_chapters =
        aligned ? align_chapters(request.chapters->chapters, aligned->pieces, analysis->duration_s)
                : request.chapters->chapters;
  }

  // 2. Select.
  progress("select", 0.4);
  SelectionText selection_text;
  if (aligned) selection_text.transcript = &aligned->transcript;
  selection_text.about = request.about;
  auto edits = select_segments(*analysis, theme, request.target_s, selection_text);
  if (!edits.ok()) return edits.error();
  RenderOptions render_options;
  render_options.crossfade_s = theme.crossfade_s;
  const RenderPlan plan = make_render_plan(*edits, *analysis, render_options);
  for (std::size_t i = 0; i < edits->segments.size(); ++i) {
    edits->segments[i].mix_start_s = plan.segment_mix_start_s[i];
  }
  edits->duration_s = plan.duration_s;
  // The per-hop features (about 50 MB for 3 hours) have done their work;
  // rendering holds the mix in memory, so give them back first.
  std::vector<FeatureFrame>().swap(analysis->frames);
  if (plan.pieces.empty()) {
    return make_error(Errc::undecodable, "found nothing to mix in " + request.input_path +
                                             " (no speech or music detected)");
  }

  // 3. Render and master, 4. encode.
  MasteringSpec mastering;
  mastering.target_lufs = request.target_lufs.value_or(theme.target_lufs);
  // The master gain is aimed at it: outside the range the gain is absurd or
  // not a number (below BS.1770's gate the aim divides by no loudness).
  NAMIX_TRY(checked_target_lufs(mastering.target_lufs, "target_lufs"));
  mastering.ceiling_dbtp = theme.true_peak_ceiling_dbtp;
  mastering.mp3_quality = request.mp3_quality;
  auto hum_hz = early_hum.valid() ? early_hum.get() : detect_source_hum(request.input_path);
  if (!hum_hz.ok()) return hum_hz.error();
  // Mixes render on every core: short ones piece by piece, a whole-episode
  // remaster in one window of the mix per core.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto chains = build_theme_chains(theme, *hum_hz, cores - 1);
  if (!chains.ok()) return chains.error();
  report.chapters = mix_chapters(*edits, published_chapters);
  if (aligned) {
    // Each segment's excerpt, where the selection did not give one.
    for (EditSegment& segment : edits->segments) {
      if (segment.text.empty()) {
        segment.text = text_between(aligned->transcript, segment.start_s, segment.end_s);
      }
    }
    report.transcript = transcript_outcome(*request.transcript, *aligned);
    report.transcript->mix = mix_transcript(aligned->transcript, *edits);
  }
  const Mp3Tags tags = tags_for(request, report.chapters, plan);
  auto render_fraction = [&](double f) { progress("render", 0.42 + 0.43 * f); };
  auto mastered = request.target_s ? master_in_memory(request.input_path, plan, *chains, mastering,
                                                      tags, out, render_fraction)
                                   : master_streaming(request.input_path, plan, *chains, mastering,
                                                      tags, out, render_fraction);
  if (!mastered.ok()) return mastered.error();
  progress("encode", 1.0);

  report.edit_list = std::move(edits.value());
  report.duration_s = mastered->duration_s;
  report.integrated_lufs = mastered->integrated_lufs;
  report.true_peak_dbtp = mastered->true_peak_dbtp;
  report.file_size_bytes = out.size();
  report.mp3_quality = mastering.mp3_quality;
  report.timings.render_ms = mastered->render_ms;
  report.timings.encode_ms = mastered->encode_ms;
  report.processing_chain = theme.chain_summary() + " → loudness " +
                            std::to_string(std::lround(mastering.target_lufs)) +
                            " LUFS → true-peak limiter";
  report.warnings = report.edit_list.warnings;
  if (request.chapters) {
    for (const std::string& w : request.chapters->warnings)
      report.warnings.push_back("chapters: " + w);
  }
  for (const std::string& w : mastered->warnings) report.warnings.push_back(w);
  report.timings.total_ms = ms_since(t_start);
  return report;
}

}  // namespace

}  // namespace namix
