// The whole mix, from an episode file to encoded MP3 bytes and a report:
// decode (reduced) -> analyse -> select -> render (seek, per-segment chain,
// crossfades, master chain, loudness, true-peak limiter) -> encode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/episode_analysis.h"
#include "codec/mp3_encoder.h"
#include "core/byte_sink.h"
#include "core/error.h"
#include "core/growing_file.h"
#include "core/progress.h"
#include "select/edit_list.h"
#include "select/theme.h"
#include "transcript/alignment.h"
#include "transcript/chapters.h"
#include "transcript/transcript.h"

namespace namix {

// Where an episode came from when its podcast feed named it: for tags,
// storage keys and the result's "source".
struct EpisodeSource {
  std::string feed_url;
  std::string item_guid;
  std::string episode;  // itunes:episode (or the number its title gives); may be empty
  std::string title;
  std::string published;       // ISO 8601 UTC; empty when the item has no date
  std::string episode_url;     // the enclosure, as fetched
  std::string media_url;       // the same without measurement prefixes: names the file
  std::string transcript_url;  // the one chosen (JSON, WebVTT, SubRip); empty when none
  std::string chapters_url;
};

struct MixRequest {
  std::string input_path;
  // What the MP3's tags and the error messages call the input: the name its
  // user knows it by (an upload's file name, say), where input_path is a
  // server's temporary file. Empty: input_path's file name in the tags, and
  // input_path in messages.
  std::string source_name;
  // Set when input_path is still being downloaded: the analysis then decodes
  // it as it arrives, and the rest waits for the download to end.
  GrowingFile* download = nullptr;
  const Theme* theme = nullptr;
  std::optional<double> target_s;  // nullopt: whole-episode remaster
  // Overrides the theme's; kMinTargetLufs to kMaxTargetLufs (select/loudness_target.h).
  std::optional<double> target_lufs;
  // LAME -q, 0 (best) to 9 (fastest). At 7 LAME skips noise shaping, and a
  // whole-episode remaster takes about a third less time (README, Performance).
  int mp3_quality = kDefaultMp3Quality;
  std::string episode_number;           // "1779", from the file name or the request; may be empty
  std::optional<EpisodeSource> source;  // set when a feed named the episode
  // The episode's published transcript and chapters as read, timed to the
  // file they were made from: the mix aligns them to the audio it analyses
  // (served files may carry stitched-in ads).
  std::optional<Transcript> transcript;
  std::optional<Chapters> chapters;
  // The producer's own subject ("gas stoves, electric car mandate"): a mix
  // of the passages that talk about it. Needs a transcript.
  std::string about;
  ProgressFn progress;
};

// The refusal of an `about` without a transcript to read it in, given
// before any audio is decoded.
inline constexpr const char* kAboutNeedsTranscript =
    "--about needs a transcript: add --transcript FILE|URL (or a feed that publishes one)";
Result<void> check_about_has_transcript(const std::string& about, bool has_transcript);

// A published cue the alignment could not place, for the result JSON.
struct UnplacedCue {
  std::size_t index = 0;  // among the published cues
  double start_s = 0.0;   // its published time
  std::string text;
};

// What the mix made of the published transcript.
struct TranscriptOutcome {
  TranscriptFormat format = TranscriptFormat::vtt;
  std::size_t cues = 0;  // published
  std::vector<AlignmentPiece> pieces;
  std::size_t unplaced_count = 0;
  std::vector<UnplacedCue> unplaced;  // the first few
  std::vector<std::string> warnings;  // repairs made while reading it
  // The mix's own transcript: the words it plays, at their mix times.
  Transcript mix;
};

struct StageTimings {
  double fetch_ms = 0, decode_ms = 0, analysis_ms = 0, render_ms = 0, encode_ms = 0, store_ms = 0,
         total_ms = 0;
};

struct MixReport {
  std::string theme_name;
  std::string episode_number;
  std::optional<double> target_s;
  double source_duration_s = 0.0;
  EditList edit_list;
  double duration_s = 0.0;  // of the encoded mix
  // A mix of a given length: measured on the decoded MP3 (the true peak by
  // libebur128's interpolator). A whole-episode remaster, which is not
  // decoded again: on the limited PCM fed to the encoder (the true peak by
  // the limiter's interpolator). Both 4x oversampled.
  double integrated_lufs = 0.0;
  double true_peak_dbtp = 0.0;
  std::uint64_t file_size_bytes = 0;
  int bitrate_kbps = 320;
  int mp3_quality = kDefaultMp3Quality;
  int sample_rate = 44100;
  std::string processing_chain;
  StageTimings timings;
  std::vector<std::string> warnings;
  std::string created_at;  // ISO 8601 UTC
  // Set when the request had a transcript.
  std::optional<TranscriptOutcome> transcript;
  std::optional<EpisodeSource> source;  // the request's
  // The mix's chapters (mix_chapters.h), as written into its ID3 CHAP frames.
  std::vector<ChapterMark> chapters;
  // For the picture of the episode (web page, --plot): level over time and blocks.
  double timeline_step_s = 1.0;
  std::vector<float> timeline_level_db;
  std::vector<Block> blocks;
};

Result<MixReport> run_mix(const MixRequest& request, ByteSink& out);

// Guesses the episode number from a file name or URL ("NA-1779-2025-07-06-Final.mp3" -> "1779").
std::string episode_number_from_name(const std::string& name);

}  // namespace namix
