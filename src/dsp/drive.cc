#include "dsp/drive.h"

#include <cassert>
#include <cmath>

#include "dsp/decibels.h"

namespace namix::dsp {
namespace {

// Room the shoulder has above the knee: it bends 1 + x into 1 + h*tanh(x/h),
// which has slope 1 at the knee and flattens at 1 + h.
constexpr float kShoulder = static_cast<float>(kDriveCeiling - 1.0);

}  // namespace

float drive_curve(float x, float drive_gain) noexcept {
  const float u = x * drive_gain;
  const float a = std::fabs(u);
  // Most samples sit under the knee; keep that path straight.
  if (a <= 1.0f) [[likely]]
    return x;
  const float bent = 1.0f + kShoulder * std::tanh((a - 1.0f) / kShoulder);
  return std::copysign(bent, u) / drive_gain;
}

Drive::Drive(const DriveParams& params) : params_(params) { assert(params.drive_db >= 0.0); }

void Drive::prepare(const ProcessSpec&) {
  gain_ = static_cast<float>(db_to_gain(params_.drive_db));
}

void Drive::process(AudioView audio) noexcept {
  const float g = gain_;
  for (int c = 0; c < audio.num_channels; ++c) {
    float* x = audio[c];
    for (std::size_t n = 0; n < audio.num_frames; ++n) x[n] = drive_curve(x[n], g);
  }
}

}  // namespace namix::dsp
