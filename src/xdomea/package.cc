// Reading and writing xdomea packages (zip, libarchive). Names and sizes
// of every entry are checked before anything is kept; the first violation
// refuses the whole package.
#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <regex>
#include <set>

#include "core/files.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {
namespace fs = std::filesystem;

namespace {

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

// 3.x: <ProzessID>_<Gruppe>.<Name>.<Code>.xml, e.g.
// 9fde4e7a-..._Aussonderung.Aussonderung.0503.xml.
const std::regex& MessageName() {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{12}_[A-Za-z]+\\.[A-Za-z]+\\.[0-9]{4}\\.xml$");
  return re;
}

// Primary files: <UUID>.<ext> or <UUID>_<anything>; the XSD's
// stringDateinameType asks for the leading UUID.
const std::regex& PrimaryName() {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{12}([_.].*)?$");
  return re;
}

// A name that is safe as a single path component on every platform the
// package may travel to.
Status CheckEntryName(const std::string& name, const Limits& limits) {
  if (name.empty()) return InvalidInput("package: entry without a name");
  if (name.size() > limits.max_name_bytes) {
    return InvalidInput("package: entry name longer than " +
                        std::to_string(limits.max_name_bytes) + " bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) {
      return InvalidInput("package: entry name with a control character");
    }
    if (c == '\\' || c == ':') {
      return InvalidInput("package: entry name with '\\' or ':'");
    }
  }
  if (name.find('/') != std::string::npos) {
    // Covers absolute names, "../x" and sub-directories: xdomea packages
    // are flat.
    return InvalidInput(
        "package: entry name with a path (traversal or "
        "sub-directory): xdomea packages are flat");
  }
  if (name == "." || name == "..") {
    return InvalidInput("package: entry name '.' or '..'");
  }
  return Status::Ok();
}

// Inflated bytes below which the ratio is not checked: a small package
// of XML may well compress better than max_ratio.
constexpr uint64_t kRatioFloor = 1u << 20;

// Reads one entry, counting the bytes actually inflated against the entry,
// total and ratio caps as they arrive, so that a bomb is stopped at
// max_ratio times the package's size, not after it has inflated.
Result<std::string> ReadEntry(archive* a, const std::string& name,
                              uint64_t declared, const Limits& limits,
                              uint64_t zip_size, uint64_t* total) {
  if (declared > limits.max_entry_bytes) {
    return TooLarge("package: entry " + name + " larger than " +
                    std::to_string(limits.max_entry_bytes) + " bytes");
  }
  std::string data;
  char buf[64 * 1024];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
    if (n < 0) {
      return InvalidInput("package: entry " + name + " is corrupt (" +
                          std::string(archive_error_string(a)
                                          ? archive_error_string(a)
                                          : "read error") +
                          ")");
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    *total += static_cast<uint64_t>(n);
    if (data.size() > limits.max_entry_bytes) {
      return TooLarge("package: entry " + name + " inflates beyond " +
                      std::to_string(limits.max_entry_bytes) + " bytes");
    }
    if (*total > limits.max_total_bytes) {
      return TooLarge("package: entries inflate beyond " +
                      std::to_string(limits.max_total_bytes) + " bytes");
    }
    if (limits.max_ratio > 0 && *total > kRatioFloor &&
        *total / limits.max_ratio >= zip_size) {
      return TooLarge("package: compression ratio above " +
                      std::to_string(limits.max_ratio));
    }
  }
  return data;
}

}  // namespace

Result<Package> ReadPackage(std::string_view zip, const Limits& limits) {
  if (zip.size() > limits.max_package_bytes) {
    return TooLarge("package of " + std::to_string(zip.size()) +
                    " bytes exceeds the limit of " +
                    std::to_string(limits.max_package_bytes));
  }
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  if (!a) return Internal("package: libarchive unavailable");
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK) {
    return InvalidInput("package: not a zip file");
  }

  Package pkg;
  pkg.zipped = true;
  std::set<std::string> seen;
  uint64_t total = 0, entries = 0;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      return InvalidInput("package: not a readable zip file");
    }
    if (++entries > limits.max_entries) {
      return TooLarge("package: more than " +
                      std::to_string(limits.max_entries) + " entries");
    }
    const char* raw = archive_entry_pathname(e);
    std::string name = raw ? raw : "";
    DS_RETURN_IF_ERROR(CheckEntryName(name, limits));
    if (archive_entry_filetype(e) != AE_IFREG) {
      return InvalidInput("package: entry " + name +
                          " is not a regular file (directory or link)");
    }
    if (!seen.insert(name).second) {
      return InvalidInput("package: entry " + name + " appears twice");
    }
    uint64_t declared = archive_entry_size_is_set(e)
                            ? static_cast<uint64_t>(archive_entry_size(e))
                            : 0;
    DS_ASSIGN_OR_RETURN(
        std::string data,
        ReadEntry(a.get(), name, declared, limits, zip.size(), &total));

    if (std::regex_match(name, MessageName())) {
      if (!pkg.message_name.empty()) {
        return InvalidInput("package: more than one message XML");
      }
      pkg.message_name = name;
      pkg.xml = std::move(data);
    } else if (std::regex_match(name, PrimaryName())) {
      pkg.files.emplace(name, std::move(data));
    } else {
      return InvalidInput("package: entry " + name +
                          " is neither the message (<ProzessID>_<Gruppe>."
                          "<Name>.<Code>.xml) nor a primary file (<UUID>...)");
    }
  }
  if (pkg.message_name.empty()) {
    return InvalidInput(
        "package: no message XML named "
        "<ProzessID>_<Gruppe>.<Name>.<Code>.xml");
  }
  if (pkg.xml.size() > limits.max_xml_bytes) {
    return TooLarge("package: message larger than " +
                    std::to_string(limits.max_xml_bytes) + " bytes");
  }
  return pkg;
}

Result<Package> ReadPackageFile(const fs::path& path, const Limits& limits) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return EnvironmentError("read " + path.filename().string() +
                            ": no such file");
  }
  if (!fs::is_regular_file(path, ec)) {
    return InvalidInput("read " + path.filename().string() +
                        ": not a regular file");
  }
  uint64_t size = fs::file_size(path, ec);
  bool xml = path.extension() == ".xml";
  uint64_t cap = xml ? limits.max_xml_bytes : limits.max_package_bytes;
  if (ec || size > cap) {
    return TooLarge("read " + path.filename().string() + ": larger than " +
                    std::to_string(cap) + " bytes");
  }
  DS_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, cap));
  if (!xml) return ReadPackage(bytes, limits);
  Package pkg;
  pkg.message_name = path.filename().string();
  pkg.xml = std::move(bytes);
  return pkg;
}

Result<std::string> WritePackage(const Package& package) {
  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  if (!a) return Internal("write package: libarchive unavailable");
  archive_write_set_format_zip(a.get());
  archive_write_set_options(a.get(), "zip:compression=deflate");
  // Room for the zip: entries plus headers; libarchive reports the used
  // size.
  size_t capacity = package.xml.size() + 4096;
  for (const auto& [name, data] : package.files) {
    capacity += data.size() + name.size() * 2 + 512;
  }
  std::string out(capacity + 65536, '\0');
  size_t used = 0;
  if (archive_write_open_memory(a.get(), out.data(), out.size(), &used) !=
      ARCHIVE_OK) {
    return Internal("write package: open failed");
  }
  auto add = [&](const std::string& name, const std::string& data) -> Status {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
        archive_write_data(a.get(), data.data(), data.size()) !=
            static_cast<la_ssize_t>(data.size())) {
      return Internal("write package: entry " + name + " failed");
    }
    return Status::Ok();
  };
  DS_RETURN_IF_ERROR(add(package.message_name, package.xml));
  for (const auto& [name, data] : package.files) {
    DS_RETURN_IF_ERROR(add(name, data));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return Internal("write package: close failed");
  }
  out.resize(used);
  return out;
}

}  // namespace ds::xdomea
