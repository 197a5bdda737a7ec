#include "mix/renderer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "codec/codec_test_fixtures.h"
#include "dsp/compressor.h"
#include "dsp/processor.h"
#include "dsp/reverb.h"

namespace namix {
namespace {

// A stateful stand-in for the segment chain: a one-pole low-pass whose state
// reset() clears, so a lane that forgot to reset would show in the output.
struct OnePole {
  float state[kMixChannels] = {};
  SegmentProcessing processing() {
    SegmentProcessing p;
    p.reset = [this] {
      for (float& s : state) s = 0.0f;
    };
    p.process = [this](AudioView v) {
      for (int c = 0; c < v.num_channels; ++c) {
        float* x = v[c];
        for (std::size_t i = 0; i < v.num_frames; ++i) x[i] = state[c] += 0.2f * (x[i] - state[c]);
      }
    };
    return p;
  }
};

RenderPlan make_plan() {
  // Six pieces of a 40 s source, out of order in places, with 50 ms joins
  // and host gains that change inside pieces.
  const double starts[] = {1.0, 9.0, 4.0, 20.0, 15.5, 30.0};
  RenderPlan plan;
  double at = 0.0;
  for (std::size_t i = 0; i < 6; ++i) {
    RenderPiece p;
    p.src_start_s = starts[i];
    p.src_end_s = starts[i] + 2.0 + 0.37 * static_cast<double>(i);
    p.fade_in_s = i == 0 ? 0.01 : 0.05;
    p.fade_out_s = i == 5 ? 0.01 : 0.05;
    p.mix_start_s = at;
    p.segment = i;
    p.gains = {{p.src_start_s, 0.0f}, {p.src_start_s + 1.0, -3.0f + static_cast<float>(i)}};
    at += p.duration_s();
    plan.pieces.push_back(p);
    plan.segment_mix_start_s.push_back(p.mix_start_s);
  }
  plan.duration_s = at;
  return plan;
}

std::vector<float> render(const std::string& source, const RenderPlan& plan, int lanes,
                          Result<void>* outcome = nullptr) {
  std::vector<OnePole> states(static_cast<std::size_t>(lanes));
  std::vector<SegmentProcessing> processing;
  for (OnePole& s : states) processing.push_back(s.processing());
  std::vector<float> out;  // interleaved, enough to compare
  auto consume = [&](AudioView v) -> Result<void> {
    for (std::size_t i = 0; i < v.num_frames; ++i)
      for (int c = 0; c < v.num_channels; ++c) out.push_back(v[c][i]);
    return {};
  };
  Result<void> r = render_mix_parallel(source, plan, processing, consume, {});
  if (outcome != nullptr) *outcome = r;
  return out;
}

class ParallelRender : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("namix-renderer");
    source_ = (*dir_ / "source.mp3").string();
    testing::encode_mp3(source_, testing::make_chirp(44100, 2, 40.0, 60.0, 12000.0, 0.5f), 44100);
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
  static std::string source_;
};
testing::TempDir* ParallelRender::dir_ = nullptr;
std::string ParallelRender::source_;

TEST_F(ParallelRender, LanesGiveTheSerialMixSampleForSample) {
  const RenderPlan plan = make_plan();
  OnePole serial_state;
  std::vector<float> serial;
  ASSERT_TRUE(render_mix(source_, plan, serial_state.processing(),
                         [&](AudioView v) -> Result<void> {
                           for (std::size_t i = 0; i < v.num_frames; ++i)
                             for (int c = 0; c < v.num_channels; ++c) serial.push_back(v[c][i]);
                           return {};
                         },
                         {})
                  .ok());
  // The mix is as long as the plan says (joins overlap, they do not add).
  EXPECT_NEAR(static_cast<double>(serial.size()) / 2.0 / 44100.0, plan.duration_s, 0.001);
  for (int lanes : {1, 2, 3}) {
    const std::vector<float> parallel = render(source_, plan, lanes);
    ASSERT_EQ(parallel.size(), serial.size()) << lanes << " lanes";
    EXPECT_EQ(0, std::memcmp(parallel.data(), serial.data(), serial.size() * sizeof(float)))
        << lanes << " lanes";
  }
}

TEST_F(ParallelRender, AnUnreadableSourceFailsEveryLaneWithoutHanging) {
  Result<void> outcome;
  render((*dir_ / "missing.mp3").string(), make_plan(), 2, &outcome);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, Errc::not_found);
}

TEST_F(ParallelRender, AConsumerErrorStopsTheLanes) {
  std::vector<OnePole> states(2);
  std::vector<SegmentProcessing> processing{states[0].processing(), states[1].processing()};
  int calls = 0;
  auto r = render_mix_parallel(source_, make_plan(), processing,
                               [&](AudioView) -> Result<void> {
                                 if (++calls == 3) return make_error(Errc::io_error, "disk full");
                                 return {};
                               },
                               {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::io_error);
}

// The master chain of a theme, with memory: a compressor and a reverb whose
// tail rings for about a second.
std::unique_ptr<dsp::ProcessorChain> master_chain() {
  auto chain = std::make_unique<dsp::ProcessorChain>();
  chain->add(std::make_unique<dsp::Compressor>(dsp::CompressorParams{}));
  dsp::ReverbParams reverb;
  reverb.room_size = 0.4;
  reverb.wet = 0.15;
  chain->add(std::make_unique<dsp::Reverb>(reverb));
  ProcessSpec spec;
  spec.max_block_frames = 16384;
  chain->prepare(spec);
  return chain;
}

// The serial mix through one master chain, interleaved.
std::vector<float> serial_mastered(const std::string& source, const RenderPlan& plan) {
  OnePole state;
  auto master = master_chain();
  std::vector<float> out;
  EXPECT_TRUE(render_mix(source, plan, state.processing(),
                         [&](AudioView v) -> Result<void> {
                           master->process(v);
                           for (std::size_t i = 0; i < v.num_frames; ++i)
                             for (int c = 0; c < v.num_channels; ++c) out.push_back(v[c][i]);
                           return {};
                         },
                         {})
                  .ok());
  return out;
}

// The same through render_mix_windows, placed by the frames the lanes report.
std::vector<float> windowed(const std::string& source, const RenderPlan& plan, int n_lanes,
                            double settle_s, Result<void>* outcome = nullptr) {
  std::vector<OnePole> states(static_cast<std::size_t>(n_lanes));
  std::vector<std::unique_ptr<dsp::ProcessorChain>> masters;
  std::vector<MixLane> lanes;
  for (OnePole& s : states) {
    masters.push_back(master_chain());
    lanes.push_back({s.processing(), masters.back().get()});
  }
  std::vector<float> out(2 * mix_length_frames(plan), NAN);
  std::vector<std::size_t> next(lanes.size(), 0);
  std::mutex mutex;
  Result<void> r = render_mix_windows(
      source, plan, lanes, settle_s,
      [&](std::size_t lane, std::size_t frame, AudioView v) -> Result<void> {
        const std::lock_guard lock(mutex);
        EXPECT_TRUE(next[lane] == 0 || next[lane] == frame) << "lane " << lane << " skipped";
        next[lane] = frame + v.num_frames;
        EXPECT_LE(2 * next[lane], out.size());
        for (std::size_t i = 0; i < v.num_frames && 2 * (frame + i) + 1 < out.size(); ++i) {
          for (int c = 0; c < v.num_channels; ++c) {
            float& slot = out[2 * (frame + i) + static_cast<std::size_t>(c)];
            EXPECT_TRUE(std::isnan(slot)) << "frame " << frame + i << " written twice";
            slot = v[c][i];
          }
        }
        return {};
      },
      {});
  if (outcome != nullptr) *outcome = r;
  return out;
}

float max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  float worst = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;  // a frame nobody wrote
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  }
  return worst;
}

// Windows cover the mix once each, and with 3 s of settling before each
// window the master chain's state there is the serial pass's: the mix agrees
// to float rounding (1e-6 is -120 dBFS; measured 1.5e-8 at most). With no more
// settling than the start of the piece a seam falls in, the compressor's
// envelope and the reverb's tail have not caught up at the seams (measured
// 1.1e-5), which shows the comparison can fail.
TEST_F(ParallelRender, WindowsGiveTheSerialMasteredMix) {
  const RenderPlan plan = make_plan();
  const std::vector<float> serial = serial_mastered(source_, plan);
  ASSERT_EQ(serial.size(), 2 * mix_length_frames(plan));
  for (int lanes : {1, 2, 3}) {
    Result<void> outcome;
    const std::vector<float> parallel = windowed(source_, plan, lanes, 3.0, &outcome);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    ASSERT_EQ(parallel.size(), serial.size());
    const float difference = max_difference(parallel, serial);
    EXPECT_LT(difference, 1e-6f) << lanes << " lanes";
    char figure[32];
    std::snprintf(figure, sizeof figure, "%g", static_cast<double>(difference));
    RecordProperty("max_difference_" + std::to_string(lanes), figure);
  }
  const std::vector<float> unsettled = windowed(source_, plan, 3, 0.0);
  EXPECT_GT(max_difference(unsettled, serial), 5e-6f);
}

TEST_F(ParallelRender, AWindowConsumerErrorStopsEveryLane) {
  auto master0 = master_chain(), master1 = master_chain();
  std::vector<OnePole> states(2);
  std::vector<MixLane> lanes{{states[0].processing(), master0.get()},
                             {states[1].processing(), master1.get()}};
  auto r = render_mix_windows(source_, make_plan(), lanes, 3.0,
                              [&](std::size_t lane, std::size_t, AudioView) -> Result<void> {
                                if (lane == 1) return make_error(Errc::io_error, "disk full");
                                return {};
                              },
                              {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::io_error);
  EXPECT_EQ(r.error().message, "disk full");
}

}  // namespace
}  // namespace namix
