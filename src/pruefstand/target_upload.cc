// An HTTP multipart upload endpoint as a target: one POST per sample, as a
// browser sends a form with a file field (RFC 7578). The declared file name
// goes into the part's Content-Disposition as a browser writes it: `"`, CR
// and LF percent-encoded, every other byte (NUL, bidi characters, invalid
// UTF-8) as it is, so the platform sees the hostile name itself.
#include <regex>

#include "core/encoding.h"
#include "pruefstand/internal.h"
#include "pruefstand/target.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

std::string QuoteName(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == '"')
      out += "%22";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

class UploadTarget final : public Target {
 public:
  explicit UploadTarget(UploadTargetOptions o) : options_(std::move(o)) {}

  Status Init() {
    try {
      if (!options_.success_regex.empty()) {
        success_.emplace(options_.success_regex);
      }
      if (!options_.quarantine_regex.empty()) {
        quarantine_.emplace(options_.quarantine_regex);
      }
    } catch (const std::regex_error& e) {
      return Status(
          Code::kUsage,
          std::string("pruefstand: invalid regular expression: ") + e.what());
    }
    return Status::Ok();
  }

  json Describe() const override {
    json fields = json::array();
    for (const auto& [name, value] : options_.form) fields.push_back(name);
    return {
        {"kind", "upload"},
        {"description", "HTTP-Upload (multipart/form-data) an " + options_.url},
        {"url", options_.url},
        {"field", options_.field},
        {"form_fields", fields},
        {"authenticated", !options_.headers.empty()},
        {"success_status", options_.success_status},
        {"success_regex", options_.success_regex},
        {"quarantine_regex", options_.quarantine_regex}};
  }

  std::vector<std::string> Urls() const override { return {options_.url}; }

  Delivery Deliver(const gate::Sample& s) override {
    std::string boundary = "drehscheibe-pruefstand-" + NewUuid();
    net::ClientRequest req;
    req.method = "POST";
    req.url = options_.url;
    req.headers = options_.headers;
    req.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    req.body = Body(boundary, s);
    req.timeout_seconds = options_.timeout_seconds;
    req.max_response = 1u << 20;

    Result<net::ClientResponse> r = net::Fetch(req);
    if (!r.ok()) {
      return internal::ErrorDelivery("keine Antwort: " + r.status().message());
    }
    return Rate(*r);
  }

 private:
  std::string Body(const std::string& boundary, const gate::Sample& s) const {
    std::string body;
    for (const auto& [name, value] : options_.form) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" +
              QuoteName(name) + "\"\r\n\r\n" + value + "\r\n";
    }
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" +
            QuoteName(options_.field) + "\"; filename=\"" +
            QuoteName(s.filename) + "\"\r\nContent-Type: " + s.mime_type +
            "\r\n\r\n";
    body += s.bytes;
    body += "\r\n--" + boundary + "--\r\n";
    return body;
  }

  bool IsSuccessStatus(int status) const {
    if (options_.success_status.empty()) return status >= 200 && status < 300;
    for (int s : options_.success_status) {
      if (s == status) return true;
    }
    return false;
  }

  Delivery Rate(const net::ClientResponse& r) const {
    Delivery d;
    d.transport = {{"http_status", r.status}};
    std::string head = r.body.substr(0, 16u << 10);
    if (r.status >= 500) {
      d.outcome = Outcome::kError;
      d.reason =
          "HTTP " + std::to_string(r.status) + ": " + internal::Excerpt(head);
      return d;
    }
    bool success = IsSuccessStatus(r.status) &&
                   (!success_ || std::regex_search(head, *success_));
    if (!success) {
      d.outcome = Outcome::kRejected;
      d.reason =
          "HTTP " + std::to_string(r.status) + ": " + internal::Excerpt(head);
      return d;
    }
    if (quarantine_ && std::regex_search(head, *quarantine_)) {
      d.outcome = Outcome::kQuarantined;
      d.reason =
          "HTTP " + std::to_string(r.status) + ": " + internal::Excerpt(head);
      return d;
    }
    d.outcome = Outcome::kAcceptedUnchanged;
    d.reason = "HTTP " + std::to_string(r.status);
    return d;
  }

  UploadTargetOptions options_;
  std::optional<std::regex> success_, quarantine_;
};

}  // namespace

Result<std::unique_ptr<Target>> MakeUploadTarget(const UploadTargetOptions& o) {
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return Status(Code::kUsage, "pruefstand: --url must be an http(s) URL");
  }
  auto t = std::make_unique<UploadTarget>(o);
  DS_RETURN_IF_ERROR(t->Init());
  return std::unique_ptr<Target>(std::move(t));
}

}  // namespace ds::pruefstand
