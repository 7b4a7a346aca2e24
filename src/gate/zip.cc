// Archives (T40-T47): our own zip structure check (overlaps, duplicates,
// local/central consistency, encryption, names) before libarchive streams
// the entries, counting the bytes actually inflated. Entries are inspected
// recursively; OOXML and ODF are zips and get the office checks.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "gate/inspect.h"
#include "gate/office.h"

namespace ds::gate::internal {
namespace {

constexpr uint64_t kRatioFloor = 1u << 20;  // ratio checks start here

uint16_t U16(std::string_view d, size_t o) {
  return static_cast<uint16_t>(static_cast<unsigned char>(d[o]) |
                               static_cast<unsigned char>(d[o + 1]) << 8);
}
uint32_t U32(std::string_view d, size_t o) {
  return U16(d, o) | static_cast<uint32_t>(U16(d, o + 2)) << 16;
}

struct CentralEntry {
  std::string name;
  uint16_t flags = 0;
  uint64_t csize = 0, usize = 0, local = 0, end = 0;
};

// Absolute, "..", backslash, drive letter or NUL (T44).
bool IsTraversal(std::string_view name) {
  if (name.empty() || name[0] == '/' ||
      name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return true;
  }
  if (name.size() >= 2 && name[1] == ':') return true;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (name.substr(start, slash - start) == "..") return true;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

void Damaged(Report& r, const std::string& what) {
  r.Add("archive.damaged", Severity::kReject, "zip structure: " + what);
}

// Central directory walk; false if the archive must not be read further.
bool CheckZipStructure(std::string_view d, const Limits& limits,
                       Report& report, std::map<std::string, uint64_t>* csize) {
  size_t window = std::min<size_t>(d.size(), 65557);
  size_t eocd = d.rfind("PK\x05\x06");
  if (eocd == std::string_view::npos || eocd < d.size() - window ||
      eocd + 22 > d.size()) {
    Damaged(report, "no end-of-central-directory record");
    return false;
  }
  if (d.substr(0, eocd).find("PK\x05\x06", d.size() - window) !=
      std::string_view::npos) {
    report.Add("archive.name_mismatch", Severity::kReject,
               "two end-of-central-directory records");
  }
  uint64_t count = U16(d, eocd + 10), cd_size = U32(d, eocd + 12),
           cd_off = U32(d, eocd + 16);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_off == 0xFFFFFFFF) {
    report.Add("archive.zip64", Severity::kReview,
               "ZIP64 archives are not inspected");
    return false;
  }
  if (count > limits.max_archive_entries) {
    report.Add("archive.too_many_entries", Severity::kReject,
               std::to_string(count) + " entries (limit " +
                   std::to_string(limits.max_archive_entries) + ")");
    return false;
  }
  if (cd_off + cd_size > eocd) {
    Damaged(report, "central directory out of bounds");
    return false;
  }

  std::vector<CentralEntry> entries;
  std::set<std::string> names;
  size_t p = cd_off;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > eocd || d.substr(p, 4) != "PK\x01\x02") {
      Damaged(report, "bad central directory entry");
      return false;
    }
    CentralEntry e;
    e.flags = U16(d, p + 8);
    e.csize = U32(d, p + 20);
    e.usize = U32(d, p + 24);
    uint16_t nlen = U16(d, p + 28), xlen = U16(d, p + 30),
             clen = U16(d, p + 32);
    uint32_t attr = U32(d, p + 38);
    e.local = U32(d, p + 42);
    if (p + 46 + nlen + xlen + clen > eocd) {
      Damaged(report, "central directory entry out of bounds");
      return false;
    }
    e.name = std::string(d.substr(p + 46, nlen));
    p += 46 + nlen + xlen + clen;

    if (e.usize == 0xFFFFFFFF || e.csize == 0xFFFFFFFF) {
      report.Add("archive.zip64", Severity::kReview,
                 "ZIP64 entries are not inspected");
      return false;
    }
    if (nlen > limits.max_entry_name_bytes) {
      report.Add("archive.name_too_long", Severity::kReject,
                 "an entry name of " + std::to_string(nlen) + " bytes");
    }
    if (xlen > 16384) Damaged(report, "oversized extra field");
    if (IsTraversal(e.name)) {
      report.Add("archive.path_traversal", Severity::kReject,
                 "entry name escapes the archive (absolute, .. or \\)");
    }
    if (!names.insert(e.name).second) {
      report.Add("archive.duplicate_name", Severity::kReject,
                 "two entries with the same name");
    }
    if (e.flags & 1) {
      report.Add("archive.encrypted", Severity::kReject,
                 "encrypted entries cannot be checked");
    }
    uint16_t made_by = U16(d, p - 46 - nlen - xlen - clen + 4);
    uint32_t mode = attr >> 16;
    if ((made_by >> 8) == 3 && (mode & 0170000) == 0120000) {
      report.Add("archive.link", Severity::kReject, "symbolic link entry");
    }
    if (e.usize > kRatioFloor &&
        e.usize > limits.max_ratio * std::max<uint64_t>(e.csize, 1)) {
      report.Add("archive.bomb", Severity::kReject,
                 "declared compression ratio above " +
                     std::to_string(limits.max_ratio));
    }

    // The local header must exist and agree (T46).
    if (e.local + 30 > cd_off || d.substr(e.local, 4) != "PK\x03\x04") {
      Damaged(report, "missing local header");
      return false;
    }
    uint16_t lnlen = U16(d, e.local + 26), lxlen = U16(d, e.local + 28);
    if (e.local + 30 + lnlen + lxlen > cd_off ||
        d.substr(e.local + 30, lnlen) != e.name) {
      report.Add("archive.name_mismatch", Severity::kReject,
                 "local and central entry names differ");
    }
    e.end = e.local + 30 + lnlen + lxlen + e.csize;
    if (e.end > cd_off) {
      Damaged(report, "entry data out of bounds");
      return false;
    }
    (*csize)[e.name] = e.csize;
    entries.push_back(std::move(e));
  }

  // Overlapping entries (T41): sorted by offset, each must end before the
  // next begins.
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.local < b.local; });
  int overlaps = 0;
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].local < entries[i - 1].end) ++overlaps;
  }
  if (overlaps > 0) {
    report.Add("archive.overlap", Severity::kReject,
               std::to_string(overlaps) + " overlapping entries (zip bomb)");
    return false;
  }
  if (!entries.empty() && entries.front().local > 0) {
    report.Add("archive.prepended_data", Severity::kReview,
               "bytes before the first entry (self-extractor or polyglot)");
  }
  return !report.Has("archive.damaged") && !report.Has("archive.encrypted");
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

bool LooksLikeArchive(std::string_view data) {
  return data.substr(0, 4) == "PK\x03\x04" ||
         (data.size() > 262 && data.substr(257, 5) == "ustar");
}

// Streams every entry, counts the real inflated bytes and inspects each
// entry's content. `csize` gives compressed sizes (zip only).
void ReadEntries(archive* a, const std::map<std::string, uint64_t>& csize,
                 Context& ctx, Report& report, OfficeParts* parts) {
  const Limits& limits = ctx.policy->limits;
  std::string prefix = report.where;
  archive_entry* entry = nullptr;
  uint64_t n_entries = 0;
  int rc;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry)
                           ? archive_entry_pathname(entry) : "";
    if (++n_entries > limits.max_archive_entries) {
      report.Add("archive.too_many_entries", Severity::kReject,
                 "more than " + std::to_string(limits.max_archive_entries) +
                     " entries");
      return;
    }
    if (IsTraversal(name) && !report.Has("archive.path_traversal")) {
      report.Add("archive.path_traversal", Severity::kReject,
                 "entry name escapes the archive (absolute, .. or \\)");
    }
    if (archive_entry_symlink(entry) || archive_entry_hardlink(entry)) {
      report.Add("archive.link", Severity::kReject,
                 "symbolic or hard link entry");
      continue;
    }
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      report.Add("archive.special_file", Severity::kReject,
                 "device, fifo or socket entry");
      continue;
    }
    if (archive_entry_is_encrypted(entry)) {
      report.Add("archive.encrypted", Severity::kReject,
                 "encrypted entries cannot be checked");
      return;
    }

    // Inflate, counting what really comes out (T42).
    std::string content;
    uint64_t compressed = csize.count(name) ? csize.at(name) : 0;
    char buf[65536];
    la_ssize_t got;
    while ((got = archive_read_data(a, buf, sizeof buf)) > 0) {
      report.inflated += static_cast<uint64_t>(got);
      content.append(buf, static_cast<size_t>(got));
      if (report.inflated > limits.max_inflated_bytes) {
        report.Add("archive.too_large", Severity::kReject,
                   "content inflates to more than " +
                       std::to_string(limits.max_inflated_bytes) + " bytes");
        return;
      }
      if (!csize.empty() && content.size() > kRatioFloor &&
          content.size() > limits.max_ratio * std::max<uint64_t>(compressed,
                                                                 1)) {
        report.Add("archive.bomb", Severity::kReject,
                   "an entry inflates more than " +
                       std::to_string(limits.max_ratio) + " times");
        return;
      }
    }
    if (got < 0) {
      report.Add("archive.damaged", Severity::kReject,
                 std::string("entry cannot be read: ") +
                     (archive_error_string(a) ? archive_error_string(a)
                                              : "unknown error"));
      return;
    }

    if (parts != nullptr) parts->Add(name, content);
    if (LooksLikeArchive(content) &&
        ctx.depth + 1 >= limits.max_archive_depth) {
      report.Add("archive.too_deep", Severity::kReject,
                 "archives nested deeper than " +
                     std::to_string(limits.max_archive_depth));
      return;
    }
    Context inner = ctx;
    inner.depth = ctx.depth + 1;
    inner.neutralise_to.clear();
    report.where = prefix + name.substr(0, 200) + ": ";
    InspectBytes(content, inner, report);
    report.where = prefix;
  }
  if (rc != ARCHIVE_EOF) {
    report.Add("archive.damaged", Severity::kReject,
               std::string("archive cannot be read: ") +
                   (archive_error_string(a) ? archive_error_string(a)
                                            : "unknown error"));
  }
}

}  // namespace

void InspectZip(std::string_view data, TypeInfo& type, Context& ctx,
                Report& report) {
  std::map<std::string, uint64_t> csize;
  if (!CheckZipStructure(data, ctx.policy->limits, report, &csize)) return;

  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) !=
      ARCHIVE_OK) {
    report.Add("archive.damaged", Severity::kReject, "zip cannot be opened");
    return;
  }
  OfficeParts parts;
  ReadEntries(a.get(), csize, ctx, report, &parts);
  type.id = parts.DetectedType();
  CheckOfficeParts(parts, type.id, report);
}

void InspectTar(std::string_view data, Context& ctx, Report& report) {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) !=
      ARCHIVE_OK) {
    report.Add("archive.damaged", Severity::kReject, "tar cannot be opened");
    return;
  }
  ReadEntries(a.get(), {}, ctx, report, nullptr);
}

}  // namespace ds::gate::internal
