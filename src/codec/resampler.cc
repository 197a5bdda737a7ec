#include "codec/resampler.h"

#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace namix {

void Resampler::SoxrDeleter::operator()(void* soxr) const {
  soxr_delete(static_cast<soxr_t>(soxr));
}

Resampler::Resampler(void* soxr, double in_rate, double out_rate, int channels)
    : soxr_(soxr), in_rate_(in_rate), out_rate_(out_rate), channels_(channels) {}

Result<Resampler> Resampler::create(double in_rate, double out_rate, int channels) {
  if (!(in_rate > 0) || !(out_rate > 0) || channels < 1 || channels > kMaxChannels) {
    return make_error(Errc::invalid_argument, "cannot resample " + std::to_string(in_rate) +
                                                  " Hz to " + std::to_string(out_rate) +
                                                  " Hz with " + std::to_string(channels) +
                                                  " channels");
  }
  soxr_error_t error = nullptr;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S);  // planar in and out
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);  // threads are ours to schedule
  soxr_t soxr = soxr_create(in_rate, out_rate, static_cast<unsigned>(channels), &error, &io,
                            &quality, &runtime);
  if (soxr == nullptr || error != nullptr) {
    return make_error(Errc::internal, std::string("libsoxr could not start: ") +
                                          (error != nullptr ? error : "unknown error"));
  }
  return Resampler(soxr, in_rate, out_rate, channels);
}

Result<void> Resampler::process(AudioView in, AudioBuffer& out) {
  assert(in.num_channels == channels_);
  return run(&in, out);
}

Result<void> Resampler::flush(AudioBuffer& out) { return run(nullptr, out); }

Result<void> Resampler::run(const AudioView* in, AudioBuffer& out) {
  const auto soxr = static_cast<soxr_t>(soxr_.get());
  const std::size_t in_frames = in != nullptr ? in->num_frames : 0;
  std::size_t consumed = 0;
  std::size_t produced = 0;
  std::size_t capacity =
      static_cast<std::size_t>(std::ceil(static_cast<double>(in_frames) * ratio())) + 1024;
  for (;;) {
    for (int c = 0; c < channels_; ++c) scratch_[static_cast<std::size_t>(c)].resize(capacity);
    std::array<const void*, kMaxChannels> in_planes{};
    std::array<void*, kMaxChannels> out_planes{};
    for (int c = 0; c < channels_; ++c) {
      const auto cc = static_cast<std::size_t>(c);
      if (in != nullptr) in_planes[cc] = (*in)[c] + consumed;
      out_planes[cc] = scratch_[cc].data() + produced;
    }
    std::size_t in_done = 0;
    std::size_t out_done = 0;
    const std::size_t room = capacity - produced;
    // A null input tells soxr the stream has ended, so it drains its filter.
    const soxr_error_t error =
        soxr_process(soxr, in != nullptr ? in_planes.data() : nullptr, in_frames - consumed,
                     &in_done, out_planes.data(), room, &out_done);
    if (error != nullptr) {
      return make_error(Errc::internal, std::string("libsoxr failed: ") + error);
    }
    consumed += in_done;
    produced += out_done;
    if (consumed == in_frames && out_done < room) break;
    if (produced == capacity) capacity *= 2;
  }
  out.resize(channels_, produced);
  for (int c = 0; c < channels_; ++c) {
    std::copy_n(scratch_[static_cast<std::size_t>(c)].data(), produced, out.channel(c));
  }
  return {};
}

}  // namespace namix
