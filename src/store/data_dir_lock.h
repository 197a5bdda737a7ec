// One `namix serve` per data directory. At start the service removes
// {data_dir}/tmp and fails the jobs it finds unfinished, which is right only
// when no other process works there: a second server would fail the first's
// running job and delete its files. The lock is flock() on {data_dir}/.lock,
// held while this object lives (the kernel drops it when the process ends,
// however it ends, so a killed server leaves no stale lock); the file names
// the holder (pid, host, start time) for the message a second server prints.
#pragma once

#include <string>

#include "core/error.h"

namespace namix {

class DataDirLock {
 public:
  // Creates the directory if needed. unavailable, naming the holder, when
  // another process holds the lock; io_error when the lock file cannot be made.
  static Result<DataDirLock> acquire(const std::string& dir);
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  const std::string& path() const { return path_; }

 private:
  DataDirLock() = default;
  int fd_ = -1;
  std::string path_;
};

}  // namespace namix
