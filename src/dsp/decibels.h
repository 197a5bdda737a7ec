// Levels in decibels as linear ratios: one definition for every stage, so a
// dB setting turns into the same gain wherever it is applied.
#pragma once

#include <cmath>
#include <concepts>

namespace namix::dsp {

// Amplitude ratio of a level: 20 log10(gain) = db. Computed in the
// argument's precision (float stays float, as std::pow of floats does).
template <std::floating_point T>
T db_to_gain(T db) {
  return std::pow(T{10}, db / T{20});
}

template <std::floating_point T>
T gain_to_db(T gain) {
  return T{20} * std::log10(gain);
}

// Power (energy, mean square) ratio of a level: 10 log10(power) = db.
template <std::floating_point T>
T db_to_power(T db) {
  return std::pow(T{10}, db / T{10});
}

}  // namespace namix::dsp
