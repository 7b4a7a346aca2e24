#include "core/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/encoding.h"

namespace ds {
namespace fs = std::filesystem;

Result<std::string> ReadFile(const fs::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no such file: " + path.string());
    return EnvironmentError("cannot open " + path.string() + ": " +
                            std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return EnvironmentError("cannot read " + path.string() + ": " +
                              std::strerror(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return TooLarge(path.string() + " is larger than " +
                      std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return EnvironmentError("cannot open directory " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return EnvironmentError("fsync of directory failed: " + dir.string());
  return Status::Ok();
}

Status WriteFileAtomic(const fs::path& path, std::string_view bytes, int mode) {
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  fs::path tmp =
      dir / ("." + path.filename().string() + ".tmp-" + NewUuid().substr(0, 8));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return EnvironmentError("cannot create " + tmp.string() + ": " +
                            std::strerror(errno));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      return EnvironmentError("cannot write " + tmp.string() + ": " +
                              std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return EnvironmentError("fsync failed: " + tmp.string());
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return EnvironmentError("cannot rename to " + path.string() + ": " +
                            std::strerror(errno));
  }
  return SyncDir(dir);
}

Status EnsureDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  fs::create_directories(dir, ec);
  if (ec)
    return EnvironmentError("cannot create directory " + dir.string() + ": " +
                            ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return Status::Ok();
}

Status EnsureDirWithoutStale(const fs::path& dir,
                             std::chrono::seconds max_age) {
  DS_RETURN_IF_ERROR(EnsureDir(dir));
  const auto cutoff = fs::file_time_type::clock::now() - max_age;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code time_ec;
    auto modified = fs::last_write_time(it->path(), time_ec);
    if (!time_ec && max_age.count() > 0 && modified > cutoff) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (rm)
      return EnvironmentError("cannot clear " + dir.string() + ": " +
                              rm.message());
  }
  if (ec)
    return EnvironmentError("cannot list " + dir.string() + ": " +
                            ec.message());
  return Status::Ok();
}

Result<DirLock> DirLock::Acquire(const std::filesystem::path& dir) {
  DS_RETURN_IF_ERROR(EnsureDir(dir));
  std::filesystem::path file = dir / ".lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return EnvironmentError("cannot create " + file.string() + ": " +
                            std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return EnvironmentError("data directory " + dir.string() +
                              " is in use by another process");
    }
    return EnvironmentError("cannot lock " + file.string() + ": " +
                            std::strerror(err));
  }
  return DirLock(fd);
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ds
