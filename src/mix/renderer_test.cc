#include "mix/renderer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "codec/codec_test_fixtures.h"

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

}  // namespace
}  // namespace namix
