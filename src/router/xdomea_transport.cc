#include "router/xdomea_transport.h"

#include <algorithm>
#include <cctype>
#include <system_error>

#include "core/encoding.h"
#include "core/files.h"
#include "xdomea/export.h"

namespace ds::router {
namespace fs = std::filesystem;
namespace {

// An export that could not be built. Building it again from the same
// Vorgang gives the same result unless an operator changes something (the
// XSDs under the specs directory, a missing file in the file store, a bug
// fixed), so it is a refusal for good: a dead letter that is redelivered
// once the cause is fixed. Only an unreachable neighbour (the database) is
// worth retrying by itself.
Result<Attempt> ExportFailed(const Status& s) {
  if (s.code() == Code::kUnavailable) return s;
  return Attempt{.delivered = false,
                 .permanent = true,
                 .detail = "export: " + s.message()};
}

// Removes temporary files of `name` that a crashed attempt left behind
// (WriteFileAtomic names them ".<name>.tmp-<random>").
void RemoveLeftovers(const fs::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename().string().starts_with(prefix)) {
      fs::remove(it->path(), ec);
    }
  }
}

class XdomeaTransport : public Transport {
 public:
  XdomeaTransport(TargetConfig target, records::Store& store,
                  fs::path specs_dir)
      : target_(std::move(target)),
        store_(store),
        specs_dir_(std::move(specs_dir)) {}

  Result<Attempt> Deliver(const Outgoing& d) override {
    xdomea::ExportOptions options{
        .version = target_.xdomea_version,
        .specs_dir = specs_dir_,
        .sender = {.institution = target_.xdomea_sender.empty()
                                      ? d.tenant
                                      : target_.xdomea_sender},
        .receiver = {.institution = target_.xdomea_receiver.empty()
                                        ? target_.id
                                        : target_.xdomea_receiver},
        .id_container = target_.xdomea_container,
        .actor = "router",
        .process_id = XdomeaProcessId(d.idempotency_key)};
    if (!target_.exchange_dir.empty()) return ToDirectory(d, options);

    auto package =
        xdomea::ExportVorgangPackage(store_, d.tenant, d.vorgang_id, options);
    if (!package.ok()) return ExportFailed(package.status());
    return PostSigned(target_, d, "application/zip", package->zip);
  }

 private:
  Result<Attempt> ToDirectory(const Outgoing& d,
                              const xdomea::ExportOptions& options) {
    const fs::path& dir = target_.exchange_dir;
    std::error_code ec;
    // Not created here: a missing directory usually means an unmounted
    // share, and the package belongs on the share, not beneath it.
    if (!fs::is_directory(dir, ec)) {
      return Attempt{.delivered = false,
                     .detail = "exchange_dir missing: " + dir.string()};
    }
    const std::string name =
        options.process_id + "_FVDaten.SGOAblegen.0605.zip";
    // A repeat after a crash between writing and recording: the package
    // is there under its one name; the DMS may even have taken it.
    if (fs::is_regular_file(dir / name, ec)) {
      return Attempt{.delivered = true, .detail = "package present"};
    }
    RemoveLeftovers(dir, name);
    auto package =
        xdomea::ExportVorgangPackage(store_, d.tenant, d.vorgang_id, options);
    if (!package.ok()) return ExportFailed(package.status());
    // A share that refuses the write (full, read-only, unmounted meanwhile)
    // may take it later: retried.
    Status written = WriteFileAtomic(dir / package->file_name, package->zip);
    if (!written.ok()) {
      return Attempt{.delivered = false, .detail = written.message()};
    }
    return Attempt{.delivered = true,
                   .detail = "written " + package->file_name};
  }

  TargetConfig target_;
  records::Store& store_;
  fs::path specs_dir_;
};

}  // namespace

std::string XdomeaProcessId(const std::string& key) {
  if (IsUuid(key)) {
    std::string id = key;
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) {
      return static_cast<char>(std::tolower(c));
    });
    return id;
  }
  // Name-based like a version 5 UUID, with SHA-256 instead of SHA-1.
  std::string h = Sha256(key).substr(0, 16);
  h[6] = static_cast<char>((h[6] & 0x0f) | 0x50);
  h[8] = static_cast<char>((h[8] & 0x3f) | 0x80);
  std::string hex = HexEncode(h);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::unique_ptr<Transport> MakeXdomeaTransport(const TargetConfig& target,
                                               records::Store& store,
                                               fs::path specs_dir) {
  return std::make_unique<XdomeaTransport>(target, store, std::move(specs_dir));
}

void RegisterXdomeaTransport(TransportRegistry& registry, records::Store& store,
                             fs::path specs_dir) {
  registry.Register(
      "xdomea",
      [&store,
       specs_dir](const TargetConfig& t) -> Result<std::unique_ptr<Transport>> {
        return MakeXdomeaTransport(t, store, specs_dir);
      });
}

}  // namespace ds::router
