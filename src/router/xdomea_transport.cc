#include "router/xdomea_transport.h"

#include <algorithm>
#include <cctype>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "xdomea/dms_answer.h"
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
    HttpAnswer answer;
    Attempt sent = PostSigned(target_, d, "application/zip", package->zip,
                              &answer, kMaxAnswerBytes);
    if (answer.status == 0 || answer.body.empty() ||
        answer.content_type.find("zip") == std::string::npos) {
      return sent;  // no 0630: the HTTP status decides
    }
    return WithDmsAnswer(std::move(sent), answer, options.process_id);
  }

 private:
  // A 0630 is a few KiB; its package may carry a readable copy or two.
  static constexpr size_t kMaxAnswerBytes = 4 << 20;

  // A DMS that answers the POST with its 0630 (as drehscheibe's own
  // POST /api/v1/xdomea/messages does): a positive one confirms the
  // filing and gives the DMS's ids, a negative one refuses this package
  // for good (the same package gets the same answer). An answer that
  // cannot be read, or that belongs to another exchange, leaves the
  // decision to the HTTP status and is named in the detail.
  Attempt WithDmsAnswer(Attempt sent, const HttpAnswer& answer,
                        const std::string& process_id) {
    Result<xdomea::DmsAnswer> read = xdomea::Read0630(validator_, answer.body);
    if (read.ok() && read->process_id != process_id) {
      read = Status(Code::kInvalidInput, "the 0630 answers another ProzessID");
    }
    if (!read.ok()) {
      sent.detail += ", answer unreadable: " + read.status().message();
      return sent;
    }
    nlohmann::json filed = nlohmann::json::array();
    for (const xdomea::DmsAnswer::Filed& f : read->filed) {
      nlohmann::json one = {{"id", f.id}, {"ok", f.ok}, {"codes", f.codes}};
      if (f.nummer_im_stapel >= 0) one["nummer_im_stapel"] = f.nummer_im_stapel;
      filed.push_back(std::move(one));
    }
    sent.receipt = nlohmann::json{{"answer", "FVDaten.ImportBestaetigen.0630"},
                                  {"process_id", read->process_id},
                                  {"accepted", read->accepted},
                                  {"codes", read->codes},
                                  {"filed", std::move(filed)}}
                       .dump();
    std::string codes;
    for (const std::string& c : read->codes) {
      codes += (codes.empty() ? "" : " ") + c;
    }
    if (read->accepted) {
      sent.detail +=
          ", 0630 positive, " + std::to_string(read->filed.size()) + " filed";
    } else {
      sent.delivered = false;
      sent.permanent = true;
      sent.detail += ", 0630 negative: " + codes;
    }
    return sent;
  }

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
  xdomea::Validator validator_{specs_dir_};
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
