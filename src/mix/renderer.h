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
namespace dsp {
class Processor;
}

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

// One thread's share of a windowed render (render_mix_windows): its own
// segment processing and its own copy of the processing that runs over the
// assembled mix (the master chain), prepared for blocks of 16384 frames.
struct MixLane {
  SegmentProcessing segment;
  dsp::Processor* master = nullptr;  // its latency is compensated
};

// Receives mix frames [mix_frame, mix_frame + block.num_frames) of the
// processed mix, on the thread of lane `lane`; each lane's calls come in order.
using WindowConsumer =
    std::function<Result<void>(std::size_t lane, std::size_t mix_frame, AudioView block)>;

// Frames in the whole mix of `plan` (joins overlap, they do not add).
std::size_t mix_length_frames(const RenderPlan& plan);

// render_mix() followed by master processing, for a mix of any length, in
// consecutive windows of the mix, one per lane, each on its own thread (lane
// 0 on the calling one). Windows start on 100 ms boundaries (4410 frames) so
// meters that keep 100 ms energies can be joined. A lane starts rendering at
// least `settle_s` of mix before its window, from the start of a piece, so
// that master processing whose memory fades (a compressor's envelope, a
// reverb's tail) reaches the state one serial pass has there: the output
// matches the serial mix to float rounding, not bit for bit. Nothing is held
// whole; `progress` is called on the calling thread.
Result<void> render_mix_windows(const std::string& source_path, const RenderPlan& plan,
                                std::span<const MixLane> lanes, double settle_s,
                                const WindowConsumer& consume, const RenderProgress& progress);

}  // namespace namix
