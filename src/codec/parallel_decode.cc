#include "codec/parallel_decode.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <memory>
#include <vector>

#include "codec/mp3_decoder.h"
#include "core/run_jobs.h"

namespace namix {
namespace {

constexpr std::size_t kBlockFrames = 8192;

// Spans shorter than this are not worth a thread: each pays for the pre-roll
// and a fresh decoder.
constexpr std::int64_t kMinSpanFrames = 64 * 1152;

Result<void> decode_span(AudioDecoder& decoder, std::size_t span, const SpanPlan& plan,
                         const SpanCallback& callback, const std::atomic<bool>& stop) {
  NAMIX_TRY(decoder.seek(plan.first_frame));
  AudioBuffer block(decoder.info().channels, kBlockFrames);
  std::int64_t done = 0;
  while (done < plan.num_frames && !stop.load(std::memory_order_relaxed)) {
    const auto want = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(kBlockFrames), plan.num_frames - done));
    auto got = decoder.read(block.view().slice(0, want));
    if (!got) return got.error();
    if (*got == 0) break;  // a stream shorter than its scan said (damaged); as serial read does
    NAMIX_TRY(callback(span, plan.first_frame + done, block.view().slice(0, *got)));
    done += static_cast<std::int64_t>(*got);
  }
  return {};
}

}  // namespace

std::vector<SpanPlan> plan_spans(std::int64_t total_frames, std::int64_t samples_per_frame,
                                 int n_threads) {
  assert(samples_per_frame > 0 && n_threads >= 1);
  const std::int64_t by_length = std::max<std::int64_t>(1, total_frames / kMinSpanFrames);
  const std::int64_t n = std::min<std::int64_t>(n_threads, by_length);
  std::vector<SpanPlan> spans;
  std::int64_t start = 0;
  for (std::int64_t k = 1; k <= n; ++k) {
    std::int64_t end = total_frames;
    if (k < n) end = total_frames * k / n / samples_per_frame * samples_per_frame;
    if (end > start) spans.push_back(SpanPlan{start, end - start});
    start = end;
  }
  return spans;
}

namespace {

// Runs span i with decoders[i], span 0 on the calling thread.
Result<void> run_spans(const std::vector<AudioDecoder*>& decoders,
                       const std::vector<SpanPlan>& spans, const SpanCallback& callback) {
  assert(decoders.size() >= spans.size());
  std::atomic<bool> stop{false};
  return run_jobs(
      spans.size(),
      [&](std::size_t i) { return decode_span(*decoders[i], i, spans[i], callback, stop); }, &stop);
}

}  // namespace

bool can_decode_spans(const StreamInfo& info) { return info.codec == "mp3"; }

Result<std::unique_ptr<AudioDecoder>> open_another(const AudioDecoder& first,
                                                   const std::string& path,
                                                   const DecodeOptions& options) {
  return can_decode_spans(first.info()) ? sibling_mp3_decoder(first) : open_decoder(path, options);
}

Result<void> decode_spans(AudioDecoder& opened, const std::vector<SpanPlan>& spans,
                          const SpanCallback& callback) {
  assert(spans.size() <= 1 || can_decode_spans(opened.info()));
  std::vector<std::unique_ptr<AudioDecoder>> siblings;
  std::vector<AudioDecoder*> decoders{&opened};
  while (decoders.size() < spans.size()) {
    auto next = sibling_mp3_decoder(opened);
    if (!next) return next.error();
    siblings.push_back(std::move(next).value());
    decoders.push_back(siblings.back().get());
  }
  return run_spans(decoders, spans, callback);
}

Result<StreamInfo> decode_spans_parallel(const std::string& path, const DecodeOptions& options,
                                         int n_threads, const SpanCallback& callback) {
  auto first = open_decoder(path, options);
  if (!first) return first.error();
  const StreamInfo info = (*first)->info();
  const bool mp3 = can_decode_spans(info);
  const bool exact_seek = mp3 || options.rate_divisor == 1;
  const std::int64_t samples_per_frame = mp3 ? 1152 / options.rate_divisor : 4096;
  const std::vector<SpanPlan> spans =
      plan_spans(info.num_frames, samples_per_frame, exact_seek ? n_threads : 1);

  std::vector<std::unique_ptr<AudioDecoder>> owned;
  owned.push_back(std::move(first).value());
  while (owned.size() < spans.size()) {
    auto next = open_another(*owned.front(), path, options);
    if (!next) return next.error();
    owned.push_back(std::move(next).value());
  }
  std::vector<AudioDecoder*> decoders;
  for (const auto& d : owned) decoders.push_back(d.get());
  NAMIX_TRY(run_spans(decoders, spans, callback));
  return info;
}

}  // namespace namix
