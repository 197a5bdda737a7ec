// Decoding one file on several cores: the stream is cut into contiguous spans
// on MP3 frame boundaries, each decoded by its own decoder. A span starts with
// the same pre-roll a seek uses (bit reservoir, IMDCT overlap, synthesis
// phase), so the spans laid end to end are bit-identical to a serial decode.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codec/audio_decoder.h"

namespace namix {

// Receives the audio of span `span` starting at `first_frame` of the decoded
// stream. Called concurrently from up to n_threads threads; within one span
// the calls come in order and are contiguous. An error stops every span.
using SpanCallback =
    std::function<Result<void>(std::size_t span, std::int64_t first_frame, AudioView audio)>;

struct SpanPlan {
  std::int64_t first_frame = 0;
  std::int64_t num_frames = 0;
};

// Frame-aligned spans covering [0, total_frames), one per thread (fewer for
// short streams).
std::vector<SpanPlan> plan_spans(std::int64_t total_frames, std::int64_t samples_per_frame,
                                 int n_threads);

// True when sibling decoders of this stream decode any range bit-identically
// to a serial decode (MP3: seek restores the full decoder state).
bool can_decode_spans(const StreamInfo& info);

// Another decoder of the file `first` decodes, opened with `options` as
// `first` was: for an MP3 a sibling that shares its scan, other formats are
// opened again.
Result<std::unique_ptr<AudioDecoder>> open_another(const AudioDecoder& first,
                                                   const std::string& path,
                                                   const DecodeOptions& options = {});

// Decodes each of `spans` (any ranges of the stream; they may overlap) of the
// stream `opened` decodes: span 0 with `opened` on the calling thread, each
// other span with a sibling decoder on a thread of its own. Needs
// can_decode_spans(opened.info()) for more than one span. A span whose stream
// ends early stops there, as a serial read would. The first error (the
// decoder's or the callback's) stops every span and is returned.
Result<void> decode_spans(AudioDecoder& opened, const std::vector<SpanPlan>& spans,
                          const SpanCallback& callback);

// Decodes all of `path` (see open_decoder() for errors) and returns its
// StreamInfo. Streams whose seek is not bit-exact (reduced WAV/FLAC, which go
// through a resampler) are decoded as a single span.
Result<StreamInfo> decode_spans_parallel(const std::string& path, const DecodeOptions& options,
                                         int n_threads, const SpanCallback& callback);

}  // namespace namix
