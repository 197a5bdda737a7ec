#include "dsp/processor.h"

#include <cassert>
#include <utility>

namespace namix::dsp {

void ProcessorChain::add(std::unique_ptr<Processor> stage) {
  assert(stage != nullptr);
  stages_.push_back(std::move(stage));
}

void ProcessorChain::prepare(const ProcessSpec& spec) {
  for (auto& s : stages_) s->prepare(spec);
}

void ProcessorChain::process(AudioView audio) noexcept {
  for (auto& s : stages_) s->process(audio);
}

void ProcessorChain::reset() {
  for (auto& s : stages_) s->reset();
}

std::size_t ProcessorChain::latency_frames() const {
  std::size_t total = 0;
  for (const auto& s : stages_) total += s->latency_frames();
  return total;
}

}  // namespace namix::dsp
