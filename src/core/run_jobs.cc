#include "core/run_jobs.h"

#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace namix {

Result<void> run_jobs(std::size_t n, const std::function<Result<void>(std::size_t)>& job,
                      std::atomic<bool>* stop) {
  std::mutex mutex;
  std::optional<Error> first_error;
  auto run = [&](std::size_t k) {
    Result<void> r = job(k);
    if (!r.ok()) {
      {
        const std::lock_guard lock(mutex);
        if (!first_error) first_error = r.error();
      }
      if (stop != nullptr) *stop = true;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t k = 1; k < n; ++k) threads.emplace_back(run, k);
  if (n > 0) run(0);
  for (std::thread& t : threads) t.join();
  if (first_error) return *first_error;
  return {};
}

}  // namespace namix
