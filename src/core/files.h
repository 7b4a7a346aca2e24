// File helpers with the durability the records store relies on.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds {

// Reads a whole file; kNotFound if it does not exist, kTooLarge above
// `max_bytes`.
Result<std::string> ReadFile(const std::filesystem::path& path,
                             size_t max_bytes = 64u << 20);

// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory: after return, the content survives a crash,
// and a crash before return leaves the old content (or nothing).
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes,
                       int mode = 0600);

// fsync of a directory (after a rename or create inside it).
Status SyncDir(const std::filesystem::path& dir);

// Creates a directory and its parents (mode 0700 for new ones).
Status EnsureDir(const std::filesystem::path& dir);

// Creates `dir` like EnsureDir and removes the entries in it that were
// last modified more than `max_age` ago (all of them for zero): for scratch
// folders such as request spools, whose leftovers from a killed process may
// hold personal data that nobody will read again.
Status EnsureDirWithoutStale(const std::filesystem::path& dir,
                             std::chrono::seconds max_age);

// An exclusive lock on a directory for the lifetime of this object (flock
// on "<dir>/.lock", released by the kernel when the process ends, also on
// SIGKILL). For a data directory that only one long-running process may
// use at a time.
class DirLock {
 public:
  // Errors: kEnvironment naming the directory if another process holds it
  // or the lock file cannot be created.
  static Result<DirLock> Acquire(const std::filesystem::path& dir);
  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ds
