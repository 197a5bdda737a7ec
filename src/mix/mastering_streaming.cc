// Whole-episode remasters: rendered once, spilled to disk, streamed to LAME.
#include "mix/mastering.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/run_jobs.h"
#include "dsp/decibels.h"
#include "dsp/integrated_loudness.h"
#include "dsp/true_peak_limiter.h"
#include "mix/aligned_processor.h"
#include "mix/mastering_steps.h"
#include "mix/renderer.h"
#include "mix/spill_file.h"

namespace namix {
namespace {

using mastering::Clock;
using mastering::kBlock;

// Whole-episode remasters are neither decoded to check the peaks nor encoded
// again, so they keep more room than mixes of a given length (0.5 dB).
constexpr double kStreamingEncoderMarginDb = 0.8;
// More than this would mean limiting hard enough to be heard; past it the
// mix stays under the target rather than being squashed.
constexpr double kMaxLimiterMakeupDb = 2.0;

// How much mix a window of a parallel remaster renders before its start.
// The master chains' memory fades within seconds (compressor releases up to
// 250 ms, reverb tails of a second or two, a leveller's 400 ms of speech);
// 20 s leaves their state where a serial pass has it, to float rounding.
constexpr double kSettleS = 20.0;

// How much loudness the limiter will take from the spilled mix at `gain`,
// in dB (>= 0), judged on 20 s excerpts every 80 s (all of a mix under
// 5 minutes). The excerpts cost about a quarter of a limiter pass over the
// episode and read within 0.1 LU of the whole on speech, whose loud moments
// are spread through it; without this a whole-episode remaster lands up to
// half a LU under the target. The excerpts are independent, so each core
// takes a consecutive share and the meters join in order.
Result<double> limiter_loss_db(const SpillFile& spill, float gain, double ceiling_dbtp) {
  constexpr auto kExcerpt = static_cast<std::size_t>(20 * kMixSampleRate);
  constexpr auto kPeriod = static_cast<std::size_t>(80 * kMixSampleRate);
  constexpr auto kAllBelow = static_cast<std::size_t>(300 * kMixSampleRate);
  const std::size_t total = spill.frames();
  const std::size_t period = total < kAllBelow ? kExcerpt : kPeriod;
  std::vector<std::size_t> starts;
  for (std::size_t start = 0; start < total; start += period) starts.push_back(start);
  const std::size_t n_shares = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1,
                                                       std::max<std::size_t>(1, starts.size()));
  struct Share {
    dsp::IntegratedLoudness before{kMixChannels, kMixSampleRate};
    dsp::IntegratedLoudness after{kMixChannels, kMixSampleRate};
  };
  std::vector<Share> shares(n_shares);
  auto measure_share = [&](std::size_t k) -> Result<void> {
    Share& share = shares[k];
    dsp::TruePeakLimiter limiter(mastering::limiter_params(ceiling_dbtp));
    limiter.prepare(mastering::mix_spec());
    AudioBuffer buf(kMixChannels, kBlock);
    std::vector<float> scratch;
    auto measure_after = [&](AudioView v) -> Result<void> {
      share.after.add(v);
      return {};
    };
    for (std::size_t e = starts.size() * k / n_shares; e < starts.size() * (k + 1) / n_shares;
         ++e) {
      limiter.reset();
      AlignedProcessor aligned(limiter, kBlock);
      const std::size_t end = std::min(total, starts[e] + kExcerpt);
      for (std::size_t pos = starts[e]; pos < end;) {
        auto got = spill.read_at(pos, buf.view().slice(0, std::min(kBlock, end - pos)), scratch);
        if (!got.ok()) return got.error();
        if (*got == 0) break;
        AudioView block = buf.view().slice(0, *got);
        mastering::apply_gain(block, gain);
        share.before.add(block);
        NAMIX_TRY(aligned.push(block, measure_after));
        pos += *got;
      }
      NAMIX_TRY(aligned.flush(measure_after));
    }
    return {};
  };
  NAMIX_TRY(run_jobs(n_shares, measure_share));
  for (std::size_t k = 1; k < n_shares; ++k) {
    shares[0].before.append(shares[k].before, 0);
    shares[0].after.append(shares[k].after, 0);
  }
  const double loss = shares[0].before.integrated_lufs() - shares[0].after.integrated_lufs();
  return std::isfinite(loss) ? std::max(0.0, loss) : 0.0;
}

}  // namespace

Result<MasteredMix> master_streaming(const std::string& source_path, const RenderPlan& plan,
                                     ThemeChains& chains, const MasteringSpec& spec,
                                     const Mp3Tags& tags, ByteSink& out,
                                     const std::function<void(double)>& on_progress) {
  const auto progress = mastering::start(chains, on_progress);
  MasteredMix result;
  auto t0 = Clock::now();

  SpillFile spill;
  NAMIX_TRY(spill.open());
  // One window of the mix per core, each with its own chains and its own
  // meter (only the gain needs measuring here: the peaks that matter are the
  // limiter's); the meters join at the 100 ms seams.
  std::vector<MixLane> lanes{{mastering::segment_processing(*chains.segment), chains.master.get()}};
  for (std::size_t k = 0; k < chains.segment_lanes.size() && k < chains.master_lanes.size(); ++k) {
    lanes.push_back(
        {mastering::segment_processing(*chains.segment_lanes[k]), chains.master_lanes[k].get()});
  }
  std::vector<dsp::IntegratedLoudness> meters(
      lanes.size(), dsp::IntegratedLoudness(kMixChannels, kMixSampleRate));
  std::vector<std::vector<float>> scratch(lanes.size());
  NAMIX_TRY(render_mix_windows(
      source_path, plan, lanes, kSettleS,
      [&](std::size_t lane, std::size_t frame, AudioView block) -> Result<void> {
        meters[lane].add(block);
        return spill.write_at(frame, block, scratch[lane]);
      },
      [&](double f) { progress(0.7 * f); }));
  spill.set_frames(mix_length_frames(plan));
  dsp::IntegratedLoudness& pass1 = meters.front();
  for (std::size_t k = 1; k < meters.size(); ++k) pass1.append(meters[k], 0);
  const double measured = pass1.integrated_lufs();
  if (!std::isfinite(measured)) {
    return make_error(Errc::undecodable, "the episode is silent (below -70 LUFS)");
  }
  result.render_ms = mastering::ms_since(t0);

  t0 = Clock::now();
  const double ceiling = spec.ceiling_dbtp - kStreamingEncoderMarginDb;
  // The gain that meets the target after limiting: G = G0 + loss(G), by two
  // fixed-point steps (the loss grows slowly with the gain).
  const double unlimited_db = spec.target_lufs - measured;
  double gain_db = unlimited_db;
  for (int step = 0; step < 2; ++step) {
    auto loss = limiter_loss_db(spill, static_cast<float>(dsp::db_to_gain(gain_db)), ceiling);
    if (!loss.ok()) return loss.error();
    gain_db = unlimited_db + std::min(*loss, kMaxLimiterMakeupDb);
    if (*loss < 0.05) break;
  }
  const auto gain = static_cast<float>(dsp::db_to_gain(gain_db));
  dsp::TruePeakLimiter limiter(mastering::limiter_params(ceiling));
  limiter.prepare(mastering::mix_spec());
  auto encoder = mastering::make_encoder(spec, tags, out, spill.frames());
  if (!encoder.ok()) return encoder.error();
  // The figures reported for the result: what goes into the encoder. The
  // true peak comes from the limiter's own interpolator, which skips the
  // quiet stretches; libebur128's would cost as much as the rest of pass 2.
  dsp::IntegratedLoudness pass2(kMixChannels, kMixSampleRate);
  dsp::TruePeakMeter pass2_peak(kMixChannels);
  std::size_t frames = 0;
  auto encode = [&](AudioView block) -> Result<void> {
    pass2.add(block);
    pass2_peak.add(block);
    frames += block.num_frames;
    return (*encoder)->encode(block);
  };
  AlignedProcessor limit(limiter, kBlock);
  AudioBuffer block_buf(kMixChannels, kBlock);
  std::vector<float> interleaved;
  const double total = std::max<double>(1.0, static_cast<double>(spill.frames()));
  for (std::size_t pos = 0;; pos += kBlock) {
    auto got = spill.read_at(pos, block_buf.view(), interleaved);
    if (!got.ok()) return got.error();
    if (*got == 0) break;
    AudioView block = block_buf.view().slice(0, *got);
    mastering::apply_gain(block, gain);
    NAMIX_TRY(limit.push(block, encode));
    progress(0.7 + 0.3 * static_cast<double>(frames) / total);
  }
  NAMIX_TRY(limit.flush(encode));
  NAMIX_TRY((*encoder)->finish());
  result.encode_ms = mastering::ms_since(t0);
  result.duration_s = static_cast<double>(frames) / kMixSampleRate;
  result.integrated_lufs = pass2.integrated_lufs();
  result.true_peak_dbtp = pass2_peak.true_peak_dbtp();
  return result;
}

}  // namespace namix
