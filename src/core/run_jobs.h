// Fan-out of a few long jobs, one per core: parallel spans of a decode,
// windows of a render, shares of a measurement.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include "core/error.h"

namespace namix {

// Runs job(0) .. job(n - 1) at once: job 0 on the calling thread, each of
// the others on a thread of its own. Returns, once every job has finished,
// the error of the job that failed first in time.
//
// `stop`, when given, is set once a job has failed, so that the others can
// give up early. It is set only after that job's error is recorded: a job that
// gives up because of it and returns an error of its own ("stopped") can never
// be the one reported in its place.
Result<void> run_jobs(std::size_t n, const std::function<Result<void>(std::size_t)>& job,
                      std::atomic<bool>* stop = nullptr);

}  // namespace namix
