// ITU-R BS.1770-4 K-weighting: the pre-filter (a high shelf of about +4 dB
// above 1.5 kHz, the head's effect) then the RLB high-pass (38 Hz), the
// weighting every loudness figure in namix is measured through.
#pragma once

#include <array>

#include "dsp/biquad.h"

namespace namix::dsp {

// The shelf, then the high-pass: the order run_biquad_sections() takes them in.
using KWeightingCoeffs = std::array<BiquadCoeffs, 2>;

// The two sections at any rate, by the bilinear transform of the analogue
// prototypes behind the standard's 48 kHz coefficients (which they
// reproduce there to the last of its 14 decimals); the constants are
// libebur128's, so both meters weight alike.
KWeightingCoeffs design_k_weighting(double fs);

// Power gain |H(f)|^2 of the K-weighting at `frequency_hz`: the 48 kHz
// design evaluated on the unit circle, the filter the standard tabulates.
// Valid for 0..24 kHz, which covers every analysis rate; a design at an
// 11 kHz analysis rate itself would be warped by tenths of a dB (0.27 dB
// at 3 kHz).
double k_weighting_power_gain(double frequency_hz);

}  // namespace namix::dsp
