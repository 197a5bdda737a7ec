// Files being written under a temporary name (AtomicFile's "*.part-*") that
// an interrupted process must not leave behind. AtomicFile registers its
// temporary file while it exists; the thread that takes SIGINT, SIGTERM and
// SIGHUP removes what is registered before the process exits.
#pragma once

#include <string>
#include <string_view>

namespace namix {

void register_partial_file(const std::string& path);
void unregister_partial_file(const std::string& path);
// Removes every registered file; returns how many there were.
std::size_t remove_partial_files();

// True when no process `pid` exists (or `pid` is no process id): what it left
// behind, files named after its pid, is nobody's and can go.
bool process_has_ended(long pid);

// From here on SIGINT, SIGTERM and SIGHUP end the process at once, with exit
// status 128 + the signal's number (130, 143, 129): registered partial files
// are removed and "namix: <what> interrupted by SIG...; <consequence>" is
// printed on stderr. Call before any other thread starts (the signals are
// blocked in every thread and taken by one of this function's own).
void exit_on_signals_leaving_no_partial_files(std::string_view what, std::string_view consequence);

}  // namespace namix
