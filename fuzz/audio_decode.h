// What the mixer does with an episode file, bounded for fuzzing: open it
// (sniffing, scanning), read the start, seek into the middle and read on.
// Errors are fine; crashes, hangs, leaks and impossible reports are not.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "codec/audio_decoder.h"
#include "core/audio_buffer.h"
#include "fuzz/fuzz_check.h"

namespace namix::fuzz {

inline void decode_some(AudioDecoder& decoder) {
  const StreamInfo& info = decoder.info();
  NAMIX_FUZZ_CHECK(info.channels == 1 || info.channels == 2);
  NAMIX_FUZZ_CHECK(info.sample_rate > 0 && info.num_frames >= 0);
  AudioBuffer block(info.channels, 4096);
  const auto read_blocks = [&](int blocks) {
    for (int i = 0; i < blocks; ++i) {
      auto got = decoder.read(block.view());
      if (!got.ok() || *got == 0) return;
      NAMIX_FUZZ_CHECK(*got <= block.num_frames());
    }
  };
  read_blocks(8);
  if (decoder.seek(info.num_frames / 2).ok()) read_blocks(2);
}

inline void open_and_decode(const std::string& path, int rate_divisor, bool force_mono) {
  DecodeOptions options;
  options.rate_divisor = rate_divisor;
  options.force_mono = force_mono;
  auto decoder = open_decoder(path, options);
  if (decoder.ok()) decode_some(**decoder);
}

}  // namespace namix::fuzz
