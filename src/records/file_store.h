// FileStore: the content-addressed file store of the E-Akte.
//
// Every file the hub keeps (form data, attachments, renditions) lives under
// <data>/files/<first two hex digits>/<address>, where the address is the
// lower-case hex SHA-256 of the plaintext. Writing the same bytes twice
// stores them once. A blob, once stored, is never modified: it is written to
// a temporary file, fsynced, renamed into place (read-only) and the directory
// is fsynced, so a successful Put means the bytes survive a crash.
//
// Reads re-hash the bytes: a blob whose content no longer matches its
// address is reported as kCheckFailed ("corrupted"), never returned.
//
//   ds::records::FileStore files(data_dir / "files");
//   DS_RETURN_IF_ERROR(files.Init());
//   DS_ASSIGN_OR_RETURN(auto blob, files.PutFile("/tmp/upload.pdf"));
//   // blob.address can now be referenced by Store::FileSubmission.
//
// Renditions (a neutralised PDF, a text extraction) are stored as ordinary
// blobs beside the original plus a small link file `<address>.of` that names
// the original and the kind of rendition; the original is untouched.
//
// Thread-safety: all methods may be called concurrently, also from several
// processes sharing the directory (renames are atomic).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::records {

struct BlobInfo {
  std::string address;  // lower-case hex SHA-256 of the content
  int64_t size = 0;
  bool newly_stored = false;  // false if the content was already present
};

struct RenditionLink {
  std::string original;  // address of the original blob
  std::string kind;      // e.g. "neutralised", "text"
};

class FileStore {
 public:
  explicit FileStore(std::filesystem::path root);

  // Creates the root and its temp directory. Call once before use.
  Status Init();

  const std::filesystem::path& root() const { return root_; }

  // Streams everything readable from `fd` (until EOF) into the store. The
  // caller keeps ownership of fd; it is read from its current offset.
  // Errors: kEnvironment on I/O failures, kTooLarge beyond `max_bytes`.
  Result<BlobInfo> PutFromFd(int fd, int64_t max_bytes = INT64_MAX);

  // Same, from a file path (opened read-only). kNotFound if it is missing.
  Result<BlobInfo> PutFile(const std::filesystem::path& path,
                           int64_t max_bytes = INT64_MAX);

  // Same, from bytes already in memory (small documents, tests).
  Result<BlobInfo> PutBytes(std::string_view bytes);

  // Stores a rendition of `original` (which must exist) from `path` and
  // links it to the original. kNotFound if the original is missing.
  Result<BlobInfo> PutRendition(std::string_view original,
                                const std::filesystem::path& path,
                                std::string_view kind);

  // The original a rendition was made from; kNotFound if `address` is not a
  // rendition.
  Result<RenditionLink> OriginalOf(std::string_view address) const;

  // True if a blob with this address is stored (not verified).
  bool Contains(std::string_view address) const;

  // Size of a stored blob; kNotFound if absent.
  Result<int64_t> SizeOf(std::string_view address) const;

  // Re-hashes a stored blob. kNotFound if absent, kCheckFailed if corrupted.
  Status Verify(std::string_view address) const;

  // Reads a whole blob after verifying it. kTooLarge above max_bytes.
  Result<std::string> Read(std::string_view address,
                           int64_t max_bytes = 64 << 20) const;

  // Streams a blob to `sink` in chunks while hashing it. If the final hash
  // does not match, returns kCheckFailed: the caller must discard what the
  // sink received (e.g. abort the HTTP response).
  Status Stream(std::string_view address,
                const std::function<Status(std::string_view)>& sink) const;

  // Removes a blob (retention). Missing blobs are not an error.
  Status Remove(std::string_view address);

  // Calls `fn` for every stored blob address (temp files and link files are
  // skipped). Used by `audit verify`.
  Status ForEach(const std::function<Status(const std::string&)>& fn) const;

  // Path of a blob (exists or not). Exposed for tests and diagnostics.
  std::filesystem::path PathOf(std::string_view address) const;

  // True if `text` looks like an address (64 lower-case hex digits).
  static bool IsAddress(std::string_view text);

 private:
  Result<BlobInfo> Commit(const std::filesystem::path& tmp,
                          const std::string& address, int64_t size);

  std::filesystem::path root_;
};

}  // namespace ds::records
