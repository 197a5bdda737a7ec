#include "analysis/envelope_high_pass.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dsp/biquad.h"

namespace namix {
namespace {

// One sample. Every path runs this body, or (split_piece's vector loop) the
// same expression lane by lane, in this file, which is compiled without
// reassociation or contraction (CMakeLists.txt): all of them round every
// sample alike. Change both together; the tests compare them bit for bit.
inline float step(const HighPassCoeffs& c, float& z1, float& z2, float x) {
  const float y = c.b0 * x + z1;
  z1 = c.b1 * x - c.a1 * y + z2;
  z2 = c.b2 * x - c.a2 * y;
  return y;
}

// Four chains side by side hide most of the recursion's latency. A chain starts from
// silence `settle` samples before its piece; its state then has to agree
// with the exact one in every bit, which takes a few hundred samples (the
// poles shrink a difference by 0.92 a sample at 11 kHz, but the last ulps
// take their time to meet: 429 samples in the median, 1786 at the 99th
// percentile on speech). Where they still disagree, the piece is filtered
// again from the exact state up to the first checkpoint at which the two
// agree, after which nothing differs.
constexpr std::size_t kChains = 4;
constexpr std::size_t kCheckEvery = 32;
constexpr std::size_t kMaxPiece = 32768;
constexpr std::size_t kMaxChecks = kMaxPiece / kChains / kCheckEvery + 1;

// Samples for a difference in state to fall below float's resolution
// (|pole|^k = 2^-24, |pole|^2 = a2): 206 at 11025 Hz, 900 at 48 kHz. Only
// the speed depends on it; the seams are checked bit for bit whatever it is.
std::size_t settle_samples(const HighPassCoeffs& c) {
  const double a2 = std::clamp(static_cast<double>(c.a2), 1e-3, 0.9999);
  return static_cast<std::size_t>(std::ceil(-48.0 * std::numbers::ln2 / std::log(a2)));
}

void split_piece(const HighPassCoeffs& c, HighPassState& state, const float* x, std::size_t n,
                 float* energy) {
  const std::size_t settle = settle_samples(c);
  if (n < kChains * (settle + 4 * kCheckEvery)) {
    high_pass_energy(c, state, x, n, energy);
    return;
  }
  // Chain 0 runs [0, begin[1]) from `state`; chain j > 0 settles on the
  // samples before begin[j] while chain 0 runs its first ones, so all run
  // the same number of steps.
  const std::size_t len = (n - settle) / kChains;
  std::size_t begin[kChains + 1];
  begin[0] = 0;
  for (std::size_t j = 1; j < kChains; ++j) begin[j] = settle + j * len;
  begin[kChains] = n;
  float z1[kChains] = {}, z2[kChains] = {};
  z1[0] = state.z1;
  z2[0] = state.z2;
  for (std::size_t i = 0; i < settle; ++i) {
    const float y = step(c, z1[0], z2[0], x[i]);
    energy[i] = y * y;
    for (std::size_t j = 1; j < kChains; ++j) step(c, z1[j], z2[j], x[begin[j] - settle + i]);
  }
  // checks[j][m]: chain j's state before sample begin[j] + m * kCheckEvery.
  HighPassState checks[kChains][kMaxChecks];
  std::size_t n_checks = 0;
  // The four chains are the four lanes of one 128-bit vector (SSE, NEON):
  // packed and scalar float arithmetic round alike, and one vector keeps the
  // states in registers where four scalar chains spill them.
  static_assert(kChains == 4);
  using Lanes = float __attribute__((vector_size(16)));
  const Lanes b0 = {c.b0, c.b0, c.b0, c.b0}, b1 = {c.b1, c.b1, c.b1, c.b1},
              b2 = {c.b2, c.b2, c.b2, c.b2}, a1 = {c.a1, c.a1, c.a1, c.a1},
              a2 = {c.a2, c.a2, c.a2, c.a2};
  Lanes s1 = {z1[0], z1[1], z1[2], z1[3]}, s2 = {z2[0], z2[1], z2[2], z2[3]};
  const float* x0 = x + settle;
  const float* x1 = x + begin[1];
  const float* x2 = x + begin[2];
  const float* x3 = x + begin[3];
  float* e0 = energy + settle;
  float* e1 = energy + begin[1];
  float* e2 = energy + begin[2];
  float* e3 = energy + begin[3];
  for (std::size_t i = 0; i < len; i += kCheckEvery) {
    for (std::size_t j = 1; j < kChains; ++j) checks[j][n_checks] = {s1[j], s2[j]};
    ++n_checks;
    const std::size_t end = std::min(i + kCheckEvery, len);
    for (std::size_t t = i; t < end; ++t) {
      const Lanes in = {x0[t], x1[t], x2[t], x3[t]};
      // step(), lane by lane.
      const Lanes y = b0 * in + s1;
      s1 = b1 * in - a1 * y + s2;
      s2 = b2 * in - a2 * y;
      const Lanes e = y * y;
      e0[t] = e[0];
      e1[t] = e[1];
      e2[t] = e[2];
      e3[t] = e[3];
    }
  }
  for (std::size_t j = 0; j < kChains; ++j) {
    z1[j] = s1[j];
    z2[j] = s2[j];
  }
  HighPassState last{z1[kChains - 1], z2[kChains - 1]};
  const std::size_t tail = begin[kChains - 1] + len;
  high_pass_energy(c, last, x + tail, n - tail, energy + tail);
  z1[kChains - 1] = last.z1;
  z2[kChains - 1] = last.z2;

  // The exact state at each seam is where the previous chain ended.
  HighPassState exact{z1[0], z2[0]};
  for (std::size_t j = 1; j < kChains; ++j) {
    const std::size_t piece = begin[j + 1] - begin[j];
    bool agreed = false;
    for (std::size_t m = 0, at = 0;; ++m) {
      if (m < n_checks && same_bits(exact, checks[j][m])) {
        agreed = true;
        break;
      }
      if (at == piece) break;
      const std::size_t run = std::min(kCheckEvery, piece - at);
      high_pass_energy(c, exact, x + begin[j] + at, run, energy + begin[j] + at);
      at += run;
    }
    if (agreed) exact = {z1[j], z2[j]};
  }
  state = exact;
}

}  // namespace

HighPassCoeffs envelope_high_pass_coeffs(int sample_rate_hz) {
  const dsp::BiquadCoeffs d = dsp::design_highpass(sample_rate_hz, kEnvelopeHighPassHz);
  return {static_cast<float>(d.b0), static_cast<float>(d.b1), static_cast<float>(d.b2),
          static_cast<float>(d.a1), static_cast<float>(d.a2)};
}

void high_pass_energy(const HighPassCoeffs& c, HighPassState& state, const float* x, std::size_t n,
                      float* energy) {
  float z1 = state.z1, z2 = state.z2;
  for (std::size_t i = 0; i < n; ++i) {
    const float y = step(c, z1, z2, x[i]);
    energy[i] = y * y;
  }
  state = {z1, z2};
}

void high_pass_energy_split(const HighPassCoeffs& c, HighPassState& state, const float* x,
                            std::size_t n, float* energy) {
  for (std::size_t at = 0; at < n; at += kMaxPiece) {
    const std::size_t piece = std::min(kMaxPiece, n - at);
    split_piece(c, state, x + at, piece, energy + at);
  }
}

}  // namespace namix
