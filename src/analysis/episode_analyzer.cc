#include "analysis/episode_analyzer.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <memory>
#include <thread>
#include <utility>

#include "analysis/blocks.h"
#include "analysis/segmentation.h"
#include "analysis/speakers.h"
#include "codec/audio_decoder.h"
#include "codec/parallel_decode.h"

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
    : options_(options), extractor_(sample_rate_hz) {}

void EpisodeAnalyzer::add(const float* mono, std::size_t n) {
  // Three hours of frames, so a long episode never reallocates mid-stream.
  if (frames_.capacity() == 0) {
    frames_.reserve(3 * 3600 * 100);
    timbre_.reserve(3 * 3600 * 100);
  }
  extractor_.add(mono, n, frames_, timbre_);
}

double EpisodeAnalyzer::seconds_fed() const {
  return static_cast<double>(extractor_.samples_seen()) / extractor_.sample_rate_hz();
}

EpisodeAnalysis EpisodeAnalyzer::finish() {
  extractor_.finish(frames_, timbre_);
  duration_s_ = seconds_fed();
  return analyse_frames();
}

EpisodeAnalysis EpisodeAnalyzer::finish(std::vector<FeatureFrame> frames,
                                        std::vector<TimbreBands> timbre,
                                        std::int64_t stream_samples) {
  assert(frames_.empty() && extractor_.samples_seen() == 0 && frames.size() == timbre.size());
  frames_ = std::move(frames);
  timbre_ = std::move(timbre);
  duration_s_ = static_cast<double>(stream_samples) / extractor_.sample_rate_hz();
  return analyse_frames();
}

EpisodeAnalysis EpisodeAnalyzer::analyse_frames() {
  EpisodeAnalysis a;
  a.analysis_rate_hz = extractor_.sample_rate_hz();
  a.hop_s = 0.01;
  a.duration_s = duration_s_;

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

Result<std::unique_ptr<AudioDecoder>> open_at_analysis_rate(const DecoderOpener& open) {
  for (int divisor : {4, 2, 1}) {
    auto decoder = open({.rate_divisor = divisor, .force_mono = true});
    if (!decoder) return decoder.error();
    if ((*decoder)->info().sample_rate >= 11000 || divisor == 1) return decoder;
  }
  return make_error(Errc::internal, "no decoder rate was tried");
}

Result<std::unique_ptr<AudioDecoder>> open_analysis_decoder(const std::string& path) {
  return open_at_analysis_rate(
      [&](const DecodeOptions& options) { return open_decoder(path, options); });
}

namespace {

Result<void> check_analysis_stream(const StreamInfo& info) {
  if (info.sample_rate < 8000 || info.channels < 1 || info.channels > 2) {
    return make_error(Errc::not_audio, "the stream has " + std::to_string(info.channels) +
                                           " channels at " + std::to_string(info.sample_rate) +
                                           " Hz; analysis needs mono or stereo at 8 kHz or more");
  }
  return {};
}

Error empty_stream_error() {
  return make_error(Errc::undecodable,
                    "the audio stream is empty; check the file is a complete episode");
}

// The mono signal of `audio`: its one channel, or the mean of two in `scratch`.
const float* mono_of(AudioView audio, std::vector<float>& scratch) {
  if (audio.num_channels == 1) return audio[0];
  scratch.resize(audio.num_frames);
  const float* l = audio[0];
  const float* r = audio[1];
  for (std::size_t i = 0; i < audio.num_frames; ++i) scratch[i] = 0.5f * (l[i] + r[i]);
  return scratch.data();
}

// Progress is reported about once a minute of audio.
constexpr int kProgressEveryS = 60;
// A span shorter than this is not worth a decoder and a thread of its own.
constexpr std::int64_t kMinSpanS = 10;

}  // namespace

Result<EpisodeAnalysis> analyze_episode(AudioDecoder& decoder, const AnalysisOptions& options,
                                        const ProgressFn& progress) {
  const StreamInfo& info = decoder.info();
  NAMIX_TRY(check_analysis_stream(info));
  EpisodeAnalyzer analyzer(info.sample_rate, options);
  constexpr std::size_t kBlock = 8192;
  AudioBuffer buffer(info.channels, kBlock);
  std::vector<float> mono;
  const auto total = static_cast<double>(std::max<std::int64_t>(1, info.num_frames));
  std::int64_t done = 0, last_report = 0;
  for (;;) {
    auto got = decoder.read(buffer.view());
    if (!got) return got.error();
    const std::size_t n = *got;
    if (n == 0) break;
    analyzer.add(mono_of(buffer.view().slice(0, n), mono), n);
    done += static_cast<std::int64_t>(n);
    if (progress && done - last_report >= info.sample_rate * kProgressEveryS) {
      last_report = done;
      progress("analysis", std::min(1.0, static_cast<double>(done) / total));
    }
  }
  if (done == 0) return empty_stream_error();
  EpisodeAnalysis result = analyzer.finish();
  if (progress) progress("analysis", 1.0);
  return result;
}

Result<EpisodeAnalysis> analyze_episode_parallel(AudioDecoder& file_decoder,
                                                 const AnalysisOptions& options,
                                                 const ProgressFn& progress, int n_threads) {
  const StreamInfo info = file_decoder.info();
  NAMIX_TRY(check_analysis_stream(info));
  if (n_threads <= 0)
    n_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int fs = info.sample_rate;
  const std::int64_t total = info.num_frames;
  const std::int64_t n_spans = std::clamp<std::int64_t>(total / (kMinSpanS * fs), 1, n_threads);
  const auto serial = [&]() -> Result<EpisodeAnalysis> {
    NAMIX_TRY(file_decoder.seek(0));
    return analyze_episode(file_decoder, options, progress);
  };
  if (n_spans <= 1 || !can_decode_spans(info)) return serial();

  // Span k computes hops [total_hops * k / n, total_hops * (k + 1) / n); the
  // last one runs to the end of the stream like a serial pass.
  const std::int64_t total_hops = (total * 100 + fs - 1) / fs;
  struct Span {
    std::unique_ptr<FeatureExtractor> extractor;
    std::vector<FeatureFrame> frames;
    std::vector<TimbreBands> timbre;
    std::vector<float> mono;
  };
  std::vector<Span> spans(static_cast<std::size_t>(n_spans));
  std::vector<SpanPlan> plans(spans.size());
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const bool last = k + 1 == spans.size();
    FeatureSpan span;
    span.first_hop = total_hops * static_cast<std::int64_t>(k) / n_spans;
    if (!last) span.end_hop = total_hops * static_cast<std::int64_t>(k + 1) / n_spans;
    Span& s = spans[k];
    s.extractor = std::make_unique<FeatureExtractor>(fs, span);
    // The first span's vectors receive all the others', so they never grow.
    const std::int64_t hops =
        k == 0 ? total_hops + 1 : (last ? total_hops : span.end_hop) - span.first_hop + 1;
    s.frames.reserve(static_cast<std::size_t>(hops));
    s.timbre.reserve(static_cast<std::size_t>(hops));
    plans[k].first_frame = s.extractor->input_start();
    plans[k].num_frames =
        (last ? total : std::min(total, s.extractor->input_end())) - plans[k].first_frame;
  }

  std::atomic<std::int64_t> decoded{0};
  std::int64_t last_report = 0;
  auto status = decode_spans(
      file_decoder, plans,
      [&](std::size_t k, std::int64_t first_frame, AudioView audio) -> Result<void> {
        Span& s = spans[k];
        assert(first_frame == s.extractor->samples_seen());
        (void)first_frame;
        s.extractor->add(mono_of(audio, s.mono), audio.num_frames, s.frames, s.timbre);
        const std::int64_t done = decoded.fetch_add(static_cast<std::int64_t>(audio.num_frames)) +
                                  static_cast<std::int64_t>(audio.num_frames);
        // Only the calling thread (span 0) reports, as a serial pass would.
        if (k == 0 && progress && done - last_report >= std::int64_t{fs} * kProgressEveryS) {
          last_report = done;
          progress("analysis",
                   std::min(1.0, static_cast<double>(done) / static_cast<double>(total)));
        }
        return {};
      });
  if (!status.ok()) return status.error();
  Span& tail = spans.back();
  tail.extractor->finish(tail.frames, tail.timbre);

  // Every span but the last must have got to its end (a stream that ends
  // before its scan said stops a span early), and each seam's envelope
  // high-pass must agree with the previous span's; else the spans cannot
  // stand for a serial pass, which is what runs then.
  for (std::size_t k = 1; k < spans.size(); ++k) {
    HighPassState exact;
    if (!spans[k - 1].extractor->span_complete() ||
        !spans[k - 1].extractor->highpass_at_end(exact) ||
        !spans[k].extractor->reconcile_envelope(exact, spans[k].frames)) {
      spans.clear();
      return serial();
    }
  }
  const std::int64_t stream_samples = tail.extractor->samples_seen();
  std::vector<FeatureFrame> frames = std::move(spans[0].frames);
  std::vector<TimbreBands> timbre = std::move(spans[0].timbre);
  for (std::size_t k = 1; k < spans.size(); ++k) {
    frames.insert(frames.end(), spans[k].frames.begin(), spans[k].frames.end());
    timbre.insert(timbre.end(), spans[k].timbre.begin(), spans[k].timbre.end());
    spans[k] = Span{};
  }
  spans.clear();
  EpisodeAnalyzer analyzer(fs, options);
  EpisodeAnalysis result = analyzer.finish(std::move(frames), std::move(timbre), stream_samples);
  if (progress) progress("analysis", 1.0);
  return result;
}

Result<EpisodeAnalysis> analyze_episode_file(const std::string& path,
                                             const AnalysisOptions& options,
                                             const ProgressFn& progress, int n_threads) {
  auto decoder = open_analysis_decoder(path);
  if (!decoder) return decoder.error();
  return analyze_episode_parallel(**decoder, options, progress, n_threads);
}

}  // namespace namix
