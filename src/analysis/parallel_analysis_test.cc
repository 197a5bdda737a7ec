// Parallel analysis must be the serial analysis, bit for bit: spans of
// FeatureExtractor laid end to end, and analyze_episode_file() on 1, 2 and 3
// threads against analyze_episode() on one decoder.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "analysis/episode_analyzer.h"
#include "analysis/features.h"
#include "analysis/synthetic_show.h"
#include "codec/codec_test_fixtures.h"
#include "codec/parallel_decode.h"

namespace namix {
namespace {

using synthetic::ShowBuilder;
using synthetic::Voice;
using testing::encode_mp3;

// Two hosts, a telephone clip and music over noise, `seconds` long at `fs`.
std::vector<float> show_audio(int fs, double seconds, std::uint32_t seed) {
  ShowBuilder show(fs, seed);
  const Voice a{.pitch_hz = 115, .level_dbfs = -20};
  const Voice b{.pitch_hz = 95, .formant_scale = 0.9, .level_dbfs = -27};
  const Voice clip{.pitch_hz = 200, .level_dbfs = -18, .telephone = true};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (show.now() < seconds - 12.0) {
    show.say(u(rng) < 0.5 ? a : b, 1.5 + 2.0 * u(rng), 0);
    show.gap(0.2 + 0.6 * u(rng));
  }
  show.say(clip, 3.0, -1);
  show.gap(0.4);
  show.music(seconds - show.now(), -15.0);
  return show.render();
}

struct Frames {
  std::vector<FeatureFrame> frames;
  std::vector<TimbreBands> timbre;
};

// Feeds [from, to) of `audio` in odd blocks (not MP3 frames, not hops).
void feed(FeatureExtractor& x, const std::vector<float>& audio, std::size_t from, std::size_t to,
          Frames& out) {
  for (std::size_t i = from; i < to; i += 997)
    x.add(audio.data() + i, std::min<std::size_t>(997, to - i), out.frames, out.timbre);
}

Frames serial_frames(const std::vector<float>& audio, int fs) {
  FeatureExtractor x(fs);
  Frames out;
  feed(x, audio, 0, audio.size(), out);
  x.finish(out.frames, out.timbre);
  return out;
}

// Hops [0, h1), [h1, h2), [h2, end) by three extractors, each fed only from
// its own input_start() to its input_end(), then the seams reconciled.
Frames span_frames(const std::vector<float>& audio, int fs, std::int64_t h1, std::int64_t h2,
                   std::int64_t settle) {
  const std::int64_t bounds[4] = {0, h1, h2, std::numeric_limits<std::int64_t>::max()};
  std::vector<std::unique_ptr<FeatureExtractor>> spans;
  std::vector<Frames> parts(3);
  for (int k = 0; k < 3; ++k) {
    spans.push_back(
        std::make_unique<FeatureExtractor>(fs, FeatureSpan{bounds[k], bounds[k + 1], settle}));
    FeatureExtractor& x = *spans.back();
    const auto from = static_cast<std::size_t>(x.input_start());
    const auto to = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(audio.size()), x.input_end()));
    feed(x, audio, from, to, parts[static_cast<std::size_t>(k)]);
    if (k == 2) {
      x.finish(parts[2].frames, parts[2].timbre);
    } else {
      EXPECT_TRUE(x.span_complete());
      EXPECT_EQ(parts[static_cast<std::size_t>(k)].frames.size(),
                static_cast<std::size_t>(bounds[k + 1] - bounds[k]));
    }
  }
  for (std::size_t k = 1; k < 3; ++k) {
    HighPassState exact;
    EXPECT_TRUE(spans[k - 1]->highpass_at_end(exact));
    EXPECT_TRUE(spans[k]->reconcile_envelope(exact, parts[k].frames));
  }
  Frames all;
  for (const Frames& p : parts) {
    all.frames.insert(all.frames.end(), p.frames.begin(), p.frames.end());
    all.timbre.insert(all.timbre.end(), p.timbre.begin(), p.timbre.end());
  }
  return all;
}

void expect_same_frames(const std::vector<FeatureFrame>& a, const std::vector<FeatureFrame>& b) {
  ASSERT_EQ(a.size(), b.size());
  static_assert(sizeof(FeatureFrame) == 9 * sizeof(float), "no padding for memcmp");
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(FeatureFrame)), 0)
        << "frame " << i << ": level " << a[i].level_db << " vs " << b[i].level_db << ", envelope "
        << a[i].envelope_db << " vs " << b[i].envelope_db << ", flux " << a[i].flux << " vs "
        << b[i].flux;
  }
}

TEST(FeatureSpans, EndToEndEqualTheSerialPassBitForBit) {
  for (int fs : {11025, 12000, 22050}) {
    SCOPED_TRACE(fs);
    const std::vector<float> audio = show_audio(fs, 30.0, 7);
    const Frames serial = serial_frames(audio, fs);
    // Seams in speech, in a pause, right after the start, and one settle of
    // zero, which leaves the high-pass state wrong at the seam so that
    // reconcile_envelope() has to replay it.
    for (auto [h1, h2, settle] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{1, 2, -1},
                                  {733, 1999, -1},
                                  {1000, 2500, 0},
                                  {5, 2801, 0}}) {
      SCOPED_TRACE(::testing::Message() << h1 << " " << h2 << " settle " << settle);
      const Frames spans = span_frames(audio, fs, h1, h2, settle);
      expect_same_frames(serial.frames, spans.frames);
      EXPECT_TRUE(serial.timbre == spans.timbre);
    }
  }
}

TEST(FeatureSpans, ReconcileReplaysTheHighPassFromTheGivenState) {
  // A settled high-pass is usually already bit-exact at the seam, so the
  // replay is checked with the true state (frames equal the serial ones) and
  // with a far-off state (the first envelope moves, later ones converge).
  const int fs = 11025;
  const std::vector<float> audio = show_audio(fs, 20.0, 3);
  const Frames serial = serial_frames(audio, fs);
  FeatureExtractor head(fs, FeatureSpan{.end_hop = 1000});
  Frames first;
  feed(head, audio, 0, static_cast<std::size_t>(head.input_end()), first);
  HighPassState exact;
  ASSERT_TRUE(head.highpass_at_end(exact));

  FeatureExtractor x(fs, FeatureSpan{.first_hop = 1000, .highpass_settle_samples = 0});
  Frames part;
  feed(x, audio, static_cast<std::size_t>(x.input_start()), audio.size(), part);
  x.finish(part.frames, part.timbre);
  ASSERT_EQ(part.frames.size() + 1000, serial.frames.size());

  std::vector<FeatureFrame> moved = part.frames;
  ASSERT_TRUE(x.reconcile_envelope({exact.z1 + 0.5f, exact.z2 - 0.5f}, moved));
  EXPECT_GT(std::abs(moved[0].envelope_db - serial.frames[1000].envelope_db), 1.0f);
  EXPECT_EQ(moved[99].envelope_db, serial.frames[1099].envelope_db);

  ASSERT_TRUE(x.reconcile_envelope(exact, part.frames));
  for (std::size_t j = 0; j < part.frames.size(); ++j)
    ASSERT_EQ(part.frames[j].envelope_db, serial.frames[1000 + j].envelope_db) << j;
}

void expect_same_analysis(const EpisodeAnalysis& a, const EpisodeAnalysis& b) {
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.analysis_rate_hz, b.analysis_rate_hz);
  expect_same_frames(a.frames, b.frames);
  ASSERT_EQ(a.utterances.size(), b.utterances.size());
  for (std::size_t i = 0; i < a.utterances.size(); ++i) {
    const Utterance &u = a.utterances[i], &v = b.utterances[i];
    EXPECT_EQ(u.start_s, v.start_s);
    EXPECT_EQ(u.end_s, v.end_s);
    EXPECT_EQ(u.sound, v.sound);
    EXPECT_EQ(u.speaker, v.speaker);
    EXPECT_EQ(u.level_db, v.level_db);
    EXPECT_EQ(u.pitch_hz, v.pitch_hz);
  }
  ASSERT_EQ(a.pauses.size(), b.pauses.size());
  ASSERT_EQ(a.blocks.size(), b.blocks.size());
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    EXPECT_EQ(a.blocks[i].kind, b.blocks[i].kind);
    EXPECT_EQ(a.blocks[i].speaker, b.blocks[i].speaker);
    EXPECT_EQ(a.blocks[i].start_s, b.blocks[i].start_s);
    EXPECT_EQ(a.blocks[i].confidence, b.blocks[i].confidence);
  }
  for (int h = 0; h < 2; ++h) {
    EXPECT_EQ(a.hosts[h].level_db, b.hosts[h].level_db);
    EXPECT_EQ(a.hosts[h].pitch_hz, b.hosts[h].pitch_hz);
  }
}

EpisodeAnalysis serial_analysis(const std::filesystem::path& path) {
  auto decoder = open_analysis_decoder(path.string());
  EXPECT_TRUE(decoder.ok());
  auto analysis = analyze_episode(**decoder, {}, {});
  EXPECT_TRUE(analysis.ok()) << analysis.error().message;
  return std::move(analysis).value();
}

TEST(ParallelAnalysis, EqualsSerialOnMp3WithOneTwoAndThreeThreads) {
  const testing::TempDir dir("parallel_analysis");
  // 44.1 kHz (analysed at 11025 Hz, hops of 110.25 samples, so span inputs
  // start mid-hop) mono and stereo, and 48 kHz (12000 Hz); 36 s is three
  // spans of the 10 s minimum.
  const std::vector<float> show = show_audio(44100, 36.0, 11);
  AudioBuffer mono(1, show.size()), stereo(2, show.size());
  std::memcpy(mono.channel(0), show.data(), show.size() * sizeof(float));
  for (std::size_t i = 0; i < show.size(); ++i) {
    stereo.channel(0)[i] = show[i];
    stereo.channel(1)[i] = 0.5f * show[(i + 37) % show.size()];
  }
  encode_mp3(dir / "mono.mp3", mono, 44100);
  encode_mp3(dir / "stereo.mp3", stereo, 44100);
  encode_mp3(dir / "mono48.mp3", mono, 48000);
  for (const char* name : {"mono.mp3", "stereo.mp3", "mono48.mp3"}) {
    SCOPED_TRACE(name);
    const EpisodeAnalysis serial = serial_analysis(dir / name);
    ASSERT_GT(serial.utterances.size(), 5u);
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE(threads);
      int reports = 0;
      double last = 0.0;
      auto parallel = analyze_episode_file((dir / name).string(), {},
                                           [&](std::string_view stage, double fraction) {
                                             EXPECT_EQ(stage, "analysis");
                                             EXPECT_GE(fraction, last);
                                             last = fraction;
                                             ++reports;
                                           },
                                           threads);
      ASSERT_TRUE(parallel.ok()) << parallel.error().message;
      expect_same_analysis(serial, *parallel);
      EXPECT_EQ(last, 1.0);
      EXPECT_GE(reports, 1);
    }
  }
}

TEST(ParallelAnalysis, ErrorsAreTheSerialOnes) {
  const testing::TempDir dir("parallel_analysis_errors");
  { std::ofstream(dir / "notes.mp3") << "these are show notes, not audio\n"; }
  const AudioBuffer tone = testing::make_sine(44100, 1, 30.0, 440.0, 0.3f);
  encode_mp3(dir / "whole.mp3", tone, 44100);
  // The first 40 % of the bytes: the Xing header promises 30 s.
  {
    std::ifstream in(dir / "whole.mp3", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir / "cut.mp3", std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 5);
  }
  for (const char* name : {"missing.mp3", "notes.mp3", "cut.mp3"}) {
    SCOPED_TRACE(name);
    const std::string path = (dir / name).string();
    auto decoder = open_analysis_decoder(path);
    ASSERT_FALSE(decoder.ok());
    auto parallel = analyze_episode_file(path, {}, {}, 2);
    ASSERT_FALSE(parallel.ok());
    EXPECT_EQ(parallel.error().code, decoder.error().code);
    EXPECT_EQ(parallel.error().message, decoder.error().message);
  }
}

TEST(DecodeSpans, OverlappingSpansAndAnErrorInOneStopsAll) {
  const testing::TempDir dir("decode_spans");
  encode_mp3(dir / "a.mp3", testing::make_sine(44100, 1, 30.0, 440.0, 0.3f), 44100);
  auto decoder = open_analysis_decoder((dir / "a.mp3").string());
  ASSERT_TRUE(decoder.ok());
  const std::int64_t total = (*decoder)->info().num_frames;
  // Overlapping, not frame-aligned: 0..60 %, 40 %+7..100 %.
  const std::vector<SpanPlan> plans = {{0, total * 3 / 5}, {total * 2 / 5 + 7, total * 3 / 5 - 7}};
  std::atomic<std::int64_t> seen[2] = {0, 0};
  std::atomic<int> errors{0};
  auto status =
      decode_spans(**decoder, plans, [&](std::size_t span, std::int64_t first, AudioView audio) {
        EXPECT_EQ(first, plans[span].first_frame + seen[span].load());
        seen[span] += static_cast<std::int64_t>(audio.num_frames);
        if (span == 1 && seen[1] > 20000) {
          ++errors;
          return Result<void>(make_error(Errc::io_error, "disk full"));
        }
        return Result<void>();
      });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "disk full");
  EXPECT_EQ(errors.load(), 1);
  // Span 0 stopped early unless it had finished first.
  EXPECT_LE(seen[0].load(), plans[0].num_frames);
}

}  // namespace
}  // namespace namix
