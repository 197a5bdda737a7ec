// The common shape of every DSP stage, so the mix stage can build a chain of
// them from theme data and run it block by block.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/audio_buffer.h"

namespace namix::dsp {

class Processor {
 public:
  virtual ~Processor() = default;
  // The only place a stage may allocate; called again whenever the spec changes.
  virtual void prepare(const ProcessSpec& spec) = 0;
  // In place; at most spec.max_block_frames frames and spec.num_channels channels.
  virtual void process(AudioView audio) noexcept = 0;
  // Clears all state (delay lines, envelopes) as if freshly prepared.
  virtual void reset() = 0;
  // How many frames the output lags the input.
  virtual std::size_t latency_frames() const { return 0; }
};

// Runs stages in the order they were added; its latency is the sum of theirs.
class ProcessorChain final : public Processor {
 public:
  void add(std::unique_ptr<Processor> stage);
  std::size_t size() const { return stages_.size(); }
  Processor& operator[](std::size_t i) { return *stages_[i]; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;
  std::size_t latency_frames() const override;

 private:
  std::vector<std::unique_ptr<Processor>> stages_;
};

}  // namespace namix::dsp
