// One mix order from start to end: fetch the episode (or take the upload),
// mix it, store the MP3, the files beside it (the mix's transcript as .vtt,
// .srt and .transcript.json when it had one, its .chapters.json) and then
// the result JSON. Mixes are stored as mixes/{episode}/{theme slug}/{mix
// id}.mp3 and .json, which is how GET /mix/history finds them.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/byte_sink.h"
#include "core/error.h"
#include "core/progress.h"
#include "mix/pipeline.h"
#include "net/fetch.h"
#include "net/metrics.h"
#include "net/mix_order.h"
#include "store/storage.h"

namespace namix {

// The one place a mix is made; `namix serve` passes run_mix(). A request for a
// URL arrives while the episode downloads (MixRequest::download): the runner
// must wait for the download before reading input_path to its end.
using MixRunner = std::function<Result<MixReport>(const MixRequest&, ByteSink&)>;

// The {episode} of a mix's storage key: the episode number's letters, digits,
// '-' and '_' (at most 32), or "unknown".
std::string episode_key_segment(const std::string& episode_number);

// Where an order's mix is stored: "mixes/{episode}/{theme slug}/{mix id}";
// the MP3 is this plus ".mp3" and its result JSON plus ".json" (written
// last, so a result JSON under the stem means the whole mix is there).
std::string mix_key_stem(const MixOrder& order, const std::string& mix_id);

class MixExecutor {
 public:
  // Downloads wait in `scratch_dir` while they are mixed; download links of
  // stored mixes last `link_ttl`.
  MixExecutor(std::string scratch_dir, FetchOptions fetch, std::chrono::seconds link_ttl,
              Storage& storage, MixRunner runner, Metrics& metrics);

  // The result JSON (with "mix_id"), or the error that ended the order; the
  // error of a failed download explains any failure after it. `progress`
  // sees 0..1 over the whole order. The order's upload is released.
  Result<nlohmann::json> execute(const std::string& mix_id, MixOrder& order,
                                 const ProgressFn& progress);

  bool has_mixer() const { return static_cast<bool>(runner_); }
  // A running mean of how long a mix takes, for Retry-After estimates.
  double mean_mix_s() const { return mean_mix_s_.load(); }

 private:
  std::string scratch_dir_;
  FetchOptions fetch_;
  std::chrono::seconds link_ttl_;
  Storage& storage_;
  MixRunner runner_;
  Metrics& metrics_;
  std::atomic<double> mean_mix_s_{20.0};
};

}  // namespace namix
