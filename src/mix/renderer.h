// Renders a RenderPlan: decodes only the planned source ranges at full
// quality (seeking), brings them to 44.1 kHz stereo, levels the hosts, runs
// the per-segment chain and assembles the pieces with equal-power crossfades.
// The mix comes out in order, block by block, so a whole-episode remaster
// never holds the episode in memory.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "core/audio_buffer.h"
#include "core/error.h"
#include "mix/render_plan.h"

namespace namix {

inline constexpr int kMixSampleRate = 44100;
inline constexpr int kMixChannels = 2;

struct SegmentProcessing {
  std::function<void()> reset;             // called before every piece
  std::function<void(AudioView)> process;  // in place, at 44.1 kHz stereo
};

// Receives consecutive blocks of the mix. Returning an error stops rendering.
using MixBlockConsumer = std::function<Result<void>(AudioView block)>;
// Called after each piece with the fraction of pieces done.
using RenderProgress = std::function<void(double fraction)>;

Result<void> render_mix(const std::string& source_path, const RenderPlan& plan,
                        const SegmentProcessing& processing, const MixBlockConsumer& consume,
                        const RenderProgress& progress);

// The same mix, sample for sample, with pieces rendered on one thread per
// lane (each lane its own, independent segment processing; reset() must
// bring it to the same state as any other lane's). Pieces are held whole
// while they wait their turn, so this is for short mixes; `consume` is
// called on the calling thread, in order.
Result<void> render_mix_parallel(const std::string& source_path, const RenderPlan& plan,
                                 std::span<const SegmentProcessing> lanes,
                                 const MixBlockConsumer& consume, const RenderProgress& progress);

}  // namespace namix
