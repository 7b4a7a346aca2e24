#include "records/file_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/encoding.h"
#include "core/files.h"

namespace ds::records {
namespace fs = std::filesystem;

namespace {

constexpr size_t kChunk = 1 << 16;

// Incremental SHA-256 over OpenSSL's EVP interface.
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(const char* data, size_t n) {
    EVP_DigestUpdate(ctx_.get(), data, n);
  }
  std::string HexDigest() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &len);
    return HexEncode(std::string_view(reinterpret_cast<char*>(out), len));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Closes a descriptor at scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status Errno(std::string step) {
  return EnvironmentError(step + ": " + std::strerror(errno));
}

// Reads up to n bytes, retrying on EINTR. Returns -1 on error.
ssize_t ReadSome(int fd, char* buf, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd, buf, n);
    if (got >= 0 || errno != EINTR) return got;
  }
}

Status WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t done = ::write(fd, data, n);
    if (done < 0) {
      if (errno == EINTR) continue;
      return Errno("file store: write temp file");
    }
    data += done;
    n -= static_cast<size_t>(done);
  }
  return Status::Ok();
}

}  // namespace

FileStore::FileStore(fs::path root) : root_(std::move(root)) {}

Status FileStore::Init() {
  DS_RETURN_IF_ERROR(EnsureDir(root_));
  return EnsureDir(root_ / "tmp");
}

bool FileStore::IsAddress(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

fs::path FileStore::PathOf(std::string_view address) const {
  std::string a(address);
  return root_ / a.substr(0, 2) / a;
}

Result<BlobInfo> FileStore::PutFromFd(int fd, int64_t max_bytes) {
  // Stream into a private temp file while hashing.
  fs::path tmp = root_ / "tmp" / ("put-" + NewUuid());
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return Errno("file store: create temp file");
  FdCloser closer{out};

  Hasher hasher;
  int64_t size = 0;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (;;) {
    ssize_t n = ReadSome(fd, buf.get(), kChunk);
    if (n < 0) {
      ::unlink(tmp.c_str());
      return Errno("file store: read input");
    }
    if (n == 0) break;
    size += n;
    if (size > max_bytes) {
      ::unlink(tmp.c_str());
      return TooLarge("file store: input larger than " +
                      std::to_string(max_bytes) + " bytes");
    }
    hasher.Update(buf.get(), static_cast<size_t>(n));
    Status st = WriteAll(out, buf.get(), static_cast<size_t>(n));
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
  }

  // Durable before it becomes visible under its address.
  if (::fsync(out) != 0) {
    ::unlink(tmp.c_str());
    return Errno("file store: fsync temp file");
  }
  ::fchmod(out, 0400);
  return Commit(tmp, hasher.HexDigest(), size);
}

Result<BlobInfo> FileStore::Commit(const fs::path& tmp,
                                   const std::string& address, int64_t size) {
  fs::path dest = PathOf(address);
  BlobInfo info{address, size, false};

  // Deduplicate: an existing blob is kept untouched, unless its size shows
  // it is damaged; then the fresh bytes (same address) repair it.
  if (Result<int64_t> have = SizeOf(address); have.ok() && *have == size) {
    ::unlink(tmp.c_str());
    return info;
  }
  Status st = EnsureDir(dest.parent_path());
  if (st.ok() && ::rename(tmp.c_str(), dest.c_str()) != 0) {
    st = Errno("file store: rename into place");
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  DS_RETURN_IF_ERROR(SyncDir(dest.parent_path()));
  DS_RETURN_IF_ERROR(SyncDir(root_));
  info.newly_stored = true;
  return info;
}

Result<BlobInfo> FileStore::PutFile(const fs::path& path, int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("file store: no such file");
    return Errno("file store: open input");
  }
  FdCloser closer{fd};
  return PutFromFd(fd, max_bytes);
}

Result<BlobInfo> FileStore::PutBytes(std::string_view bytes) {
  // Through a temp file: a pipe would need a writer thread.
  fs::path tmp = root_ / "tmp" / ("bytes-" + NewUuid());
  DS_RETURN_IF_ERROR(WriteFileAtomic(tmp, bytes));
  auto info = PutFile(tmp);
  ::unlink(tmp.c_str());
  return info;
}

Result<BlobInfo> FileStore::PutRendition(std::string_view original,
                                         const fs::path& path,
                                         std::string_view kind) {
  if (!IsAddress(original) || !Contains(original)) {
    return NotFound("file store: original of rendition not stored");
  }
  DS_ASSIGN_OR_RETURN(BlobInfo info, PutFile(path));
  if (info.address == original) {
    return InvalidInput("file store: rendition equals its original");
  }
  std::string link = std::string(original) + "\n" + std::string(kind) + "\n";
  fs::path link_path = PathOf(info.address);
  link_path += ".of";
  DS_RETURN_IF_ERROR(WriteFileAtomic(link_path, link, 0400));
  return info;
}

Result<RenditionLink> FileStore::OriginalOf(std::string_view address) const {
  if (!IsAddress(address)) return InvalidInput("file store: bad address");
  fs::path link_path = PathOf(address);
  link_path += ".of";
  DS_ASSIGN_OR_RETURN(std::string text, ReadFile(link_path, 4096));
  size_t nl = text.find('\n');
  if (nl == std::string::npos) return CheckFailed("file store: bad link file");
  RenditionLink link;
  link.original = text.substr(0, nl);
  size_t end = text.find('\n', nl + 1);
  link.kind = text.substr(nl + 1, end == std::string::npos ? end : end - nl - 1);
  return link;
}

bool FileStore::Contains(std::string_view address) const {
  if (!IsAddress(address)) return false;
  struct stat st;
  return ::stat(PathOf(address).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<int64_t> FileStore::SizeOf(std::string_view address) const {
  struct stat st;
  if (!IsAddress(address) || ::stat(PathOf(address).c_str(), &st) != 0) {
    return NotFound("file store: blob not stored");
  }
  return static_cast<int64_t>(st.st_size);
}

Status FileStore::Stream(
    std::string_view address,
    const std::function<Status(std::string_view)>& sink) const {
  if (!IsAddress(address)) return InvalidInput("file store: bad address");
  int fd = ::open(PathOf(address).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return NotFound("file store: blob " + std::string(address) + " missing");
    }
    return Errno("file store: open blob");
  }
  FdCloser closer{fd};

  Hasher hasher;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (;;) {
    ssize_t n = ReadSome(fd, buf.get(), kChunk);
    if (n < 0) return Errno("file store: read blob");
    if (n == 0) break;
    hasher.Update(buf.get(), static_cast<size_t>(n));
    DS_RETURN_IF_ERROR(sink(std::string_view(buf.get(), static_cast<size_t>(n))));
  }
  if (hasher.HexDigest() != address) {
    return CheckFailed("file store: blob " + std::string(address) +
                       " is corrupted (hash mismatch)");
  }
  return Status::Ok();
}

Status FileStore::Verify(std::string_view address) const {
  return Stream(address, [](std::string_view) { return Status::Ok(); });
}

Result<std::string> FileStore::Read(std::string_view address,
                                    int64_t max_bytes) const {
  std::string out;
  Status st = Stream(address, [&](std::string_view chunk) -> Status {
    if (static_cast<int64_t>(out.size() + chunk.size()) > max_bytes) {
      return TooLarge("file store: blob larger than " +
                      std::to_string(max_bytes) + " bytes");
    }
    out.append(chunk);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status FileStore::Remove(std::string_view address) {
  if (!IsAddress(address)) return InvalidInput("file store: bad address");
  fs::path path = PathOf(address);
  fs::path link = path;
  link += ".of";
  ::unlink(link.c_str());
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Errno("file store: remove blob");
  }
  return SyncDir(path.parent_path());
}

Status FileStore::ForEach(
    const std::function<Status(const std::string&)>& fn) const {
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root_, ec)) {
    std::string name = dir.path().filename().string();
    if (name.size() != 2 || !dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(dir.path(), ec)) {
      std::string file = entry.path().filename().string();
      if (IsAddress(file)) DS_RETURN_IF_ERROR(fn(file));
    }
    if (ec) return EnvironmentError("file store: list " + dir.path().string());
  }
  if (ec) return EnvironmentError("file store: list " + root_.string());
  return Status::Ok();
}

}  // namespace ds::records
