// Fan-out of a few long jobs, one per core: parallel spans of a decode,
// windows of a render, shares of a measurement.
#pragma once

#include <cstddef>
#include <functional>

#include "core/error.h"

namespace namix {

// Runs job(0) .. job(n - 1) at once: job 0 on the calling thread, each of
// the others on a thread of its own. Returns, once every job has finished,
// the error of the job that failed first in time. A job that fails for a
// reason of its own usually stops the others through a flag the caller
// keeps, and their errors then only say they were stopped: the first one is
// the one worth reporting.
Result<void> run_jobs(std::size_t n, const std::function<Result<void>(std::size_t)>& job);

}  // namespace namix
