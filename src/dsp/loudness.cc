#include "dsp/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <new>

namespace namix::dsp {
namespace {

// libebur128 wants interleaved frames; we feed it through a fixed scratch
// buffer so add() never allocates whatever the caller's block size.
constexpr std::size_t kScratchFrames = 1024;

double to_db(double linear) { return linear > 0.0 ? 20.0 * std::log10(linear) : -HUGE_VAL; }

}  // namespace

struct LoudnessMeter::State {
  ebur128_state* st = nullptr;
  std::vector<float> scratch;
  ~State() {
    if (st) ebur128_destroy(&st);
  }
};

LoudnessMeter::LoudnessMeter(int num_channels, double sample_rate, LoudnessMeasures measures)
    : state_(std::make_unique<State>()),
      num_channels_(num_channels),
      sample_rate_(sample_rate),
      measures_(measures) {
  assert(num_channels >= 1 && num_channels <= kMaxChannels);
  assert(sample_rate >= 8000.0 && sample_rate == std::floor(sample_rate));
  if (measures_.true_peak) measures_.sample_peak = true;  // libebur128 keeps both
  int mode = EBUR128_MODE_I;
  if (measures_.loudness_range) mode |= EBUR128_MODE_LRA;
  if (measures_.true_peak) mode |= EBUR128_MODE_TRUE_PEAK;
  if (measures_.sample_peak) mode |= EBUR128_MODE_SAMPLE_PEAK;
  state_->st = ebur128_init(static_cast<unsigned>(num_channels),
                            static_cast<unsigned long>(sample_rate), mode);
  // ebur128_init only fails on out-of-memory once the arguments are valid.
  if (state_->st == nullptr) throw std::bad_alloc();
  state_->scratch.resize(kScratchFrames * static_cast<std::size_t>(num_channels));
}

LoudnessMeter::~LoudnessMeter() = default;
LoudnessMeter::LoudnessMeter(LoudnessMeter&&) noexcept = default;
LoudnessMeter& LoudnessMeter::operator=(LoudnessMeter&&) noexcept = default;

void LoudnessMeter::add(AudioView audio) noexcept { feed(audio, false); }

double LoudnessMeter::add_true_peak(AudioView audio) noexcept {
  assert(measures_.true_peak);
  return feed(audio, true);
}

double LoudnessMeter::feed(AudioView audio, bool track_true_peak) noexcept {
  assert(audio.num_channels == num_channels_);
  const auto nch = static_cast<std::size_t>(num_channels_);
  float* scratch = state_->scratch.data();
  double peak = 0.0;
  for (std::size_t first = 0; first < audio.num_frames; first += kScratchFrames) {
    const std::size_t count = std::min(kScratchFrames, audio.num_frames - first);
    for (int c = 0; c < num_channels_; ++c) {
      const float* src = audio[c] + first;
      for (std::size_t i = 0; i < count; ++i)
        scratch[i * nch + static_cast<std::size_t>(c)] = src[i];
    }
    // Cannot fail: the frame count never exceeds what libebur128 accepts.
    ebur128_add_frames_float(state_->st, scratch, count);
    if (!track_true_peak) continue;
    // libebur128 keeps the peaks of the last add_frames call apart.
    for (unsigned c = 0; c < static_cast<unsigned>(num_channels_); ++c) {
      double p = 0.0;
      ebur128_prev_true_peak(state_->st, c, &p);
      peak = std::max(peak, p);
    }
  }
  return peak;
}

void LoudnessMeter::reset() { *this = LoudnessMeter(num_channels_, sample_rate_, measures_); }

double LoudnessMeter::integrated_lufs() const {
  double out = -HUGE_VAL;
  ebur128_loudness_global(state_->st, &out);
  return out;
}

double LoudnessMeter::integrated_lufs_of(const std::vector<const LoudnessMeter*>& meters) {
  std::vector<ebur128_state*> states;
  for (const LoudnessMeter* m : meters) states.push_back(m->state_->st);
  double out = -HUGE_VAL;
  ebur128_loudness_global_multiple(states.data(), states.size(), &out);
  return out;
}

double LoudnessMeter::loudness_range_lu() const {
  assert(measures_.loudness_range);
  double out = 0.0;
  ebur128_loudness_range(state_->st, &out);
  return out;
}

double LoudnessMeter::true_peak_dbtp() const {
  assert(measures_.true_peak);
  double peak = 0.0;
  for (unsigned c = 0; c < static_cast<unsigned>(num_channels_); ++c) {
    double p = 0.0;
    ebur128_true_peak(state_->st, c, &p);
    peak = std::max(peak, p);
  }
  return to_db(peak);
}

double LoudnessMeter::sample_peak_dbfs() const {
  assert(measures_.sample_peak);
  double peak = 0.0;
  for (unsigned c = 0; c < static_cast<unsigned>(num_channels_); ++c) {
    double p = 0.0;
    ebur128_sample_peak(state_->st, c, &p);
    peak = std::max(peak, p);
  }
  return to_db(peak);
}

LoudnessMeasurement measure(AudioView audio, double sample_rate, LoudnessMeasures measures) {
  LoudnessMeter meter(audio.num_channels, sample_rate, measures);
  meter.add(audio);
  LoudnessMeasurement m;
  m.integrated_lufs = meter.integrated_lufs();
  if (measures.loudness_range) m.loudness_range_lu = meter.loudness_range_lu();
  if (measures.true_peak) m.true_peak_dbtp = meter.true_peak_dbtp();
  if (measures.true_peak || measures.sample_peak) m.sample_peak_dbfs = meter.sample_peak_dbfs();
  return m;
}

}  // namespace namix::dsp
