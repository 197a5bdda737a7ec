#include "mix/result_json.h"

#include <cmath>

#include "mix/mix_chapters.h"

namespace namix {
namespace {

double round_to(double x, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(x * f) / f;
}

nlohmann::json transcript_json(const TranscriptOutcome& outcome) {
  using nlohmann::json;
  json alignment = json::array();
  for (const AlignmentPiece& p : outcome.pieces) {
    alignment.push_back({{"start_s", round_to(p.source_start_s, 3)},
                         {"end_s", round_to(p.source_end_s, 3)},
                         {"offset_s", round_to(p.offset_s, 3)},
                         {"cues", p.cue_count},
                         {"matched_onsets", p.matched_onsets}});
  }
  json unplaced = json::array();
  for (const UnplacedCue& c : outcome.unplaced) {
    unplaced.push_back({{"index", c.index}, {"start_s", round_to(c.start_s, 3)}, {"text", c.text}});
  }
  return {{"format", transcript_format_name(outcome.format)},
          {"cues", outcome.cues},
          {"alignment", alignment},
          {"unplaced_cues", outcome.unplaced_count},
          {"unplaced", unplaced},
          {"mix_cues", outcome.mix.cues.size()},
          {"warnings", outcome.warnings}};
}

std::string summary_text(const MixReport& report) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s mix: %zu segments, %.1f s, %.1f LUFS, %.1f dBTP",
                report.theme_name.c_str(), report.edit_list.segments.size(), report.duration_s,
                report.integrated_lufs, report.true_peak_dbtp);
  return buf;
}

}  // namespace

nlohmann::json result_json(const MixReport& report, const DownloadInfo& download,
                           const std::string& session_id) {
  using nlohmann::json;
  const EditList& edits = report.edit_list;
  double confidence_sum = 0.0;
  json segments = json::array();
  for (std::size_t i = 0; i < edits.segments.size(); ++i) {
    const EditSegment& s = edits.segments[i];
    confidence_sum += s.confidence;
    // The parts of long pauses left out inside the segment, as [start, end]
    // source seconds: with them a reader can map any mix time to the source.
    json dropped = json::array();
    for (const Pause& p : s.dropped)
      dropped.push_back(json::array({round_to(p.start_s, 3), round_to(p.end_s, 3)}));
    segments.push_back(
        {{"name", "Segment " + std::to_string(i + 1) + " (" + segment_chapter_title(s) + ")"},
         {"start_time", round_to(s.start_s, 3)},
         {"end_time", round_to(s.end_s, 3)},
         {"duration", round_to(s.duration_s(), 3)},
         {"mix_start", round_to(s.mix_start_s, 3)},
         {"kind", s.kind},
         {"confidence", round_to(s.confidence, 3)},
         {"description", s.description},
         {"dropped", dropped}});
    if (report.transcript) {
      segments.back()["text"] = s.text;
      segments.back()["matched"] = s.matched;
    }
    if (s.score) segments.back()["score"] = round_to(*s.score, 3);
  }
  const double mb = static_cast<double>(report.file_size_bytes) / (1024.0 * 1024.0);
  json target = report.target_s ? json(round_to(*report.target_s, 3)) : json("full");
  json blocks = json::array();
  for (const Block& b : report.blocks) {
    blocks.push_back({{"start", round_to(b.start_s, 2)},
                      {"end", round_to(b.end_s, 2)},
                      {"kind", block_kind_name(b.kind)}});
  }
  json levels = json::array();
  for (float l : report.timeline_level_db) levels.push_back(round_to(l, 1));

  json result = {{"status", "success"},
                 {"session_id", session_id},
                 {"mix_metadata",
                  {{"theme", report.theme_name},
                   {"episode_number", report.episode_number},
                   {"duration_target", target},
                   {"duration_actual", round_to(report.duration_s, 3)},
                   {"segments_count", edits.segments.size()},
                   {"file_size_bytes", report.file_size_bytes},
                   {"file_size_mb", round_to(mb, 2)},
                   {"bitrate_kbps", report.bitrate_kbps},
                   {"mp3_quality", report.mp3_quality},
                   {"sample_rate", report.sample_rate},
                   {"integrated_lufs", round_to(report.integrated_lufs, 2)},
                   {"true_peak_dbtp", round_to(report.true_peak_dbtp, 2)},
                   {"created_at", report.created_at}}},
                 {"download",
                  {{"url", download.url},
                   {"s3_key", download.s3_key},
                   {"bucket", download.bucket},
                   {"expires_in_hours", download.expires_in_hours}}},
                 {"analysis",
                  {{"audio_duration", round_to(report.source_duration_s, 3)},
                   {"segments_selected", edits.segments.size()},
                   {"selection_method", edits.selection_method},
                   {"average_confidence",
                    edits.segments.empty()
                        ? 0.0
                        : round_to(confidence_sum / static_cast<double>(edits.segments.size()), 3)},
                   {"timeline", {{"step_s", report.timeline_step_s}, {"level_db", levels}}},
                   {"blocks", blocks}}},
                 {"segments", segments},
                 {"processing_chain", report.processing_chain},
                 {"timings_ms",
                  {{"fetch", std::lround(report.timings.fetch_ms)},
                   {"decode", std::lround(report.timings.decode_ms)},
                   {"analysis", std::lround(report.timings.analysis_ms)},
                   {"render", std::lround(report.timings.render_ms)},
                   {"encode", std::lround(report.timings.encode_ms)},
                   {"store", std::lround(report.timings.store_ms)},
                   {"total", std::lround(report.timings.total_ms)}}},
                 {"warnings", report.warnings},
                 {"message", summary_text(report)}};
  if (report.transcript) result["transcript"] = transcript_json(*report.transcript);
  if (report.source) {
    const EpisodeSource& source = *report.source;
    result["source"] = {
        {"feed_url", source.feed_url},
        {"item_guid", source.item_guid},
        {"episode", source.episode},
        {"title", source.title},
        {"published", source.published.empty() ? json(nullptr) : json(source.published)},
        {"episode_url", source.episode_url},
        {"transcript_url", source.transcript_url},
        {"chapters_url", source.chapters_url}};
  }
  if (!download.companions.empty()) {
    json downloads = json::object();
    for (const CompanionLink& link : download.companions) {
      downloads[link.name] = {
          {"url", link.url}, {"s3_key", link.s3_key}, {"content_type", link.content_type}};
    }
    result["downloads"] = downloads;
  }
  return result;
}

}  // namespace namix
