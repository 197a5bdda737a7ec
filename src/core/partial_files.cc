#include "core/partial_files.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

namespace namix {
namespace {

// Both are never destroyed: a worker thread may still commit a file while
// the process exits, after static destructors have run.
std::mutex& registry_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}

std::set<std::string>& registered() {
  static auto* paths = new std::set<std::string>;
  return *paths;
}

std::size_t remove_registered_locked() {
  for (const std::string& path : registered()) ::unlink(path.c_str());
  const std::size_t n = registered().size();
  registered().clear();
  return n;
}

}  // namespace

void register_partial_file(const std::string& path) {
  const std::lock_guard lock(registry_mutex());
  registered().insert(path);
}

void unregister_partial_file(const std::string& path) {
  const std::lock_guard lock(registry_mutex());
  registered().erase(path);
}

std::size_t remove_partial_files() {
  const std::lock_guard lock(registry_mutex());
  return remove_registered_locked();
}

void exit_on_signals_leaving_no_partial_files(std::string_view what, std::string_view consequence) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals, message_what = std::string(what),
               message_consequence = std::string(consequence)] {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) return;
    // The registry stays locked to the end: a file registered after the
    // removal would outlive the process.
    const std::lock_guard lock(registry_mutex());
    remove_registered_locked();
    if (::isatty(STDERR_FILENO) != 0) std::fprintf(stderr, "\r%60s\r", "");  // a progress bar
    std::fprintf(stderr, "namix: %s interrupted by SIG%s; %s\n", message_what.c_str(),
                 sigabbrev_np(signal_number), message_consequence.c_str());
    std::fflush(stderr);
    ::_exit(128 + signal_number);
  }).detach();
}

bool process_has_ended(long pid) {
  return pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
}

}  // namespace namix
