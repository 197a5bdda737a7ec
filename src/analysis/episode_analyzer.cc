#include "analysis/episode_analyzer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "analysis/blocks.h"
#include "analysis/segmentation.h"
#include "analysis/speakers.h"
#include "codec/audio_decoder.h"

namespace namix {

const char* sound_class_name(SoundClass c) {
  switch (c) {
    case SoundClass::silence:
      return "silence";
    case SoundClass::speech:
      return "speech";
    case SoundClass::music:
      return "music";
    case SoundClass::clip:
      return "clip";
  }
  return "?";
}

const char* block_kind_name(BlockKind k) {
  switch (k) {
    case BlockKind::banter:
      return "banter";
    case BlockKind::rant:
      return "rant";
    case BlockKind::clip:
      return "clip";
    case BlockKind::donation:
      return "donation";
    case BlockKind::jingle:
      return "jingle";
    case BlockKind::music:
      return "music";
    case BlockKind::silence:
      return "silence";
  }
  return "?";
}

EpisodeAnalyzer::EpisodeAnalyzer(int sample_rate_hz, const AnalysisOptions& options)
    : options_(options), extractor_(sample_rate_hz) {
  // Three hours of frames, so a long episode never reallocates mid-stream.
  frames_.reserve(3 * 3600 * 100);
  timbre_.reserve(3 * 3600 * 100);
}

void EpisodeAnalyzer::add(const float* mono, std::size_t n) {
  extractor_.add(mono, n, frames_, timbre_);
}

double EpisodeAnalyzer::seconds_fed() const {
  return static_cast<double>(extractor_.samples_seen()) / extractor_.sample_rate_hz();
}

EpisodeAnalysis EpisodeAnalyzer::finish() {
  extractor_.finish(frames_, timbre_);
  EpisodeAnalysis a;
  a.analysis_rate_hz = extractor_.sample_rate_hz();
  a.hop_s = 0.01;
  a.duration_s = seconds_fed();

  SegmentationOptions seg_options;
  seg_options.min_pause_s = options_.min_pause_s;
  seg_options.min_utterance_s = options_.min_utterance_s;
  seg_options.tail_guard_s = options_.tail_guard_s;
  seg_options.hop_s = a.hop_s;
  Segmentation seg = segment(frames_, seg_options);
  const auto measure_and_classify = [&] {
    stats_ = measure_utterances(frames_, timbre_, seg, seg_options);
    for (std::size_t i = 0; i < seg.utterances.size(); ++i) {
      auto& u = seg.utterances[i];
      const auto& s = stats_[i];
      u.level_db = s.level_db;
      u.pitch_hz = s.pitch_hz;
      u.pitch_range_st = s.pitch_range_st;
      u.band_limit_hz = s.band_limit_hz;
    }
    classify_sounds(seg.utterances, stats_, a.analysis_rate_hz);
  };
  measure_and_classify();
  // Clip utterances closer than a clip pause are one piece of recording.
  const auto min_clip_gap =
      static_cast<std::size_t>(std::lround(options_.min_clip_pause_s / a.hop_s));
  std::vector<FrameRun> merged;
  bool any_merged = false;
  for (std::size_t i = 0; i < seg.sounds.size(); ++i) {
    const bool join = !merged.empty() && seg.utterances[i].sound == SoundClass::clip &&
                      seg.utterances[i - 1].sound == SoundClass::clip &&
                      seg.sounds[i].first < merged.back().last + min_clip_gap;
    if (join) {
      merged.back().last = seg.sounds[i].last;
      any_merged = true;
    } else {
      merged.push_back(seg.sounds[i]);
    }
  }
  if (any_merged) {
    seg.sounds = std::move(merged);
    set_utterances_from_sounds(seg, frames_.size(), seg_options);
    measure_and_classify();
  }
  a.utterances = std::move(seg.utterances);
  a.pauses = std::move(seg.pauses);
  assign_speakers(a.utterances, stats_);
  a.blocks = find_blocks(a.utterances, stats_, a.hosts);
  // A rant or a read-out is one voice: the block's speaker, found from the
  // whole run, overrides single utterances the clustering got wrong.
  for (const auto& b : a.blocks) {
    if (b.speaker < 0) continue;
    for (std::size_t k = b.first_utterance; k < b.first_utterance + b.utterance_count; ++k)
      if (a.utterances[k].sound == SoundClass::speech) a.utterances[k].speaker = b.speaker;
  }
  a.frames = std::move(frames_);
  frames_.clear();
  timbre_.clear();
  timbre_.shrink_to_fit();
  return a;
}

Result<std::unique_ptr<AudioDecoder>> open_analysis_decoder(const std::string& path) {
  for (int divisor : {4, 2, 1}) {
    auto decoder = open_decoder(path, {.rate_divisor = divisor, .force_mono = true});
    if (!decoder) return decoder.error();
    if ((*decoder)->info().sample_rate >= 11000 || divisor == 1) return decoder;
  }
  return make_error(Errc::internal, "no decoder rate was tried");
}

Result<EpisodeAnalysis> analyze_episode(AudioDecoder& decoder, const AnalysisOptions& options,
                                        const ProgressFn& progress) {
  const StreamInfo& info = decoder.info();
  if (info.sample_rate < 8000 || info.channels < 1 || info.channels > 2) {
    return make_error(Errc::not_audio, "the stream has " + std::to_string(info.channels) +
                                           " channels at " + std::to_string(info.sample_rate) +
                                           " Hz; analysis needs mono or stereo at 8 kHz or more");
  }
  EpisodeAnalyzer analyzer(info.sample_rate, options);
  constexpr std::size_t kBlock = 8192;
  AudioBuffer buffer(info.channels, kBlock);
  std::vector<float> mono(kBlock);
  const auto total = static_cast<double>(std::max<std::int64_t>(1, info.num_frames));
  std::int64_t done = 0, last_report = 0;
  for (;;) {
    auto got = decoder.read(buffer.view());
    if (!got) return got.error();
    const std::size_t n = *got;
    if (n == 0) break;
    const float* src = buffer.channel(0);
    if (info.channels == 2) {
      const float* r = buffer.channel(1);
      for (std::size_t i = 0; i < n; ++i) mono[i] = 0.5f * (buffer.channel(0)[i] + r[i]);
      src = mono.data();
    }
    analyzer.add(src, n);
    done += static_cast<std::int64_t>(n);
    if (progress && done - last_report >= info.sample_rate * 60) {
      last_report = done;
      progress("analysis", std::min(1.0, static_cast<double>(done) / total));
    }
  }
  if (done == 0) {
    return make_error(Errc::undecodable,
                      "the audio stream is empty; check the file is a complete episode");
  }
  EpisodeAnalysis result = analyzer.finish();
  if (progress) progress("analysis", 1.0);
  return result;
}

}  // namespace namix
