// The envelope's 200 Hz high-pass: one biquad in single precision whose every
// path (streaming, split into parallel chains, seam replay) rounds alike, so
// that a span of the stream filtered from the right state gives the serial
// pass's numbers bit for bit.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace namix {

// State of the high-pass between two samples.
struct HighPassState {
  float z1 = 0.0f, z2 = 0.0f;
};

inline bool same_bits(const HighPassState& a, const HighPassState& b) {
  return std::bit_cast<std::uint32_t>(a.z1) == std::bit_cast<std::uint32_t>(b.z1) &&
         std::bit_cast<std::uint32_t>(a.z2) == std::bit_cast<std::uint32_t>(b.z2);
}

// Direct form II transposed, a0 = 1.
struct HighPassCoeffs {
  float b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

inline constexpr double kEnvelopeHighPassHz = 200.0;

// dsp::design_highpass() at kEnvelopeHighPassHz, Butterworth Q (designed in
// double), rounded to float.
HighPassCoeffs envelope_high_pass_coeffs(int sample_rate_hz);

// Filters x[0, n) from `state` (left at the state after x) and writes each
// output's square to energy[0, n).
void high_pass_energy(const HighPassCoeffs& c, HighPassState& state, const float* x, std::size_t n,
                      float* energy);

// The same numbers as high_pass_energy() bit for bit, faster on inputs of a
// few thousand samples (BM_AnalysisEnvelopeHighPass measures by how much):
// the recursion is latency-bound, so x is cut into pieces filtered side by
// side, each after settling on the samples before it from silence. Where a
// piece's settled state differs from the exact one (in any bit) it is
// filtered again from the exact state until the two agree.
void high_pass_energy_split(const HighPassCoeffs& c, HighPassState& state, const float* x,
                            std::size_t n, float* energy);

}  // namespace namix
