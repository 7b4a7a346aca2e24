#include "gateway/gateway.h"

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "core/problem.h"
#include "gateway/form.h"
#include "gateway/problems.h"
#include "gateway/store.h"
#include "net/http.h"
#include "submission_api/send.h"

namespace ds::gateway {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace sa = submission_api;

constexpr char kApplications[] = "/gateway/v1/applications";

int64_t MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

std::string ProblemName(const Status& s) {
  if (!s.problem()) return std::string(CodeName(s.code()));
  const std::string& type = s.problem()->type;
  return type.substr(type.rfind('/') + 1);
}

// A folder for one request's attachments, removed with the object.
class SpoolFolder {
 public:
  explicit SpoolFolder(fs::path path) : path_(std::move(path)) {}
  ~SpoolFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Status Create() { return EnsureDir(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Failures while sending, as the portal sees them: a refusal by
// FIT-Connect is 422 delivery-refused; the gateway's own trouble reaching
// or authenticating at FIT-Connect is 503 delivery-unavailable.
Status DeliveryProblem(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidInput:
    case Code::kCheckFailed:
    case Code::kNotFound:
    case Code::kConflict:
    case Code::kAlreadyExists:
    case Code::kTooLarge:
      return GatewayProblem(
          Code::kCheckFailed, "delivery-refused",
          "FIT-Connect refused the application: " + s.message());
    default:
      return GatewayProblem(Code::kUnavailable, "delivery-unavailable",
                            "sending over FIT-Connect failed: " + s.message());
  }
}

class GatewayImpl : public Gateway {
 public:
  GatewayImpl(const Config& config, Logger* logger)
      : config_(config), logger_(logger), api_(config.fitconnect) {}

  Status Open() {
    fs::path dir = config_.data_dir / "gateway";
    // Uploads that a killed gateway left behind never got an answer, so
    // their portals send them again; the plaintext must not stay on disk.
    // One gateway process owns its data directory (gateway.db), so
    // everything in its spool is a leftover.
    DS_RETURN_IF_ERROR(EnsureDirWithoutStale(dir / "spool", std::chrono::seconds(0)));
    DS_ASSIGN_OR_RETURN(store_, Store::Open(dir));

    net::Router router;
    router.Add("POST", kApplications,
               [this](const net::Request& r) { return Post(r); });
    router.Add("GET", std::string(kApplications) + "/{submissionId}",
               [this](const net::Request& r) { return Get(r); });
    net::ServerOptions o;
    o.listen = config_.listen;
    o.threads = config_.threads;
    // The whole multipart body: data, attachments and some room for
    // part headers and fields. Not yet: refusing unauthenticated requests
    // before their body is spooled (net has no header-phase hook).
    o.max_body = config_.limits.max_total_bytes + (1ull << 20);
    o.spool_dir = dir / "spool";
    DS_ASSIGN_OR_RETURN(server_, net::HttpServer::Start(o, std::move(router)));
    public_url_ =
        config_.public_url.empty() ? server_->base_url() : config_.public_url;
    while (public_url_.ends_with('/')) public_url_.pop_back();
    return Status::Ok();
  }

  std::string base_url() const override { return server_->base_url(); }
  void Stop() override {
    if (server_) server_->Stop();
  }
  ~GatewayImpl() override { Stop(); }

 private:
  // The portal of the request's Bearer token. Every portal's hash is
  // compared (in constant time), so timing does not tell which matched.
  Result<const Portal*> Authenticate(const net::Request& r) const {
    std::string auth = r.header("Authorization");
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    std::string scheme = auth.substr(0, 7);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer " || auth.size() <= 7) {
      return GatewayProblem(Code::kUnauthenticated, "unauthorized",
                            "a Bearer token is required");
    }
    std::string hash = TokenHash(std::string_view(auth).substr(7));
    const Portal* found = nullptr;
    for (const Portal& p : config_.portals) {
      if (ConstantTimeEquals(hash, p.token_sha256)) found = &p;
    }
    if (!found) {
      return GatewayProblem(Code::kUnauthenticated, "unauthorized",
                            "the token is not valid");
    }
    return found;
  }

  net::Response Refuse(const Status& s, const std::string& portal,
                       std::chrono::steady_clock::time_point start,
                       std::string_view instance) const {
    logger_->Info("gateway.refused", {{"portal", portal.empty() ? "-" : portal},
                                      {"http", HttpStatus(s)},
                                      {"problem", ProblemName(s)},
                                      {"ms", MillisSince(start)}});
    net::Response r = net::Response::Problem(s, instance);
    if (s.code() == Code::kUnauthenticated) {
      r.headers["WWW-Authenticate"] = "Bearer";
    }
    return r;
  }

  std::string StatusUrl(const std::string& submission_id) const {
    return public_url_ + kApplications + "/" + submission_id;
  }

  net::Response Post(const net::Request& r) {
    auto start = std::chrono::steady_clock::now();
    auto portal = Authenticate(r);
    if (!portal.ok()) return Refuse(portal.status(), "", start, r.path);
    const Portal& p = **portal;

    // Read and check everything before anything is sent.
    SpoolFolder spool(config_.data_dir / "gateway" / "spool" / NewUuid());
    Status s = spool.Create();
    if (!s.ok()) return Refuse(s, p.id, start, r.path);
    auto form = ReadApplication(r, p, config_.limits, spool.path());
    if (!form.ok()) return Refuse(form.status(), p.id, start, r.path);

    // Send, then remember who sent it.
    sa::SendOptions options;
    options.key_policy.test_mode = config_.test_keys;
    auto sent = sa::SendApplication(api_, form->app, options);
    if (!sent.ok()) {
      logger_->Warn("gateway.send_failed",
                    {{"portal", p.id},
                     {"destination", form->app.destination_id},
                     {"code", CodeName(sent.status().code())}});
      return Refuse(DeliveryProblem(sent.status()), p.id, start, r.path);
    }
    SentApplication row{
        .submission_id = sent->ref.submission_id,
        .portal_id = p.id,
        .case_id = sent->ref.case_id,
        .destination_id = form->app.destination_id,
        .service_identifier = form->app.service_identifier,
        .attachments = static_cast<int64_t>(form->app.attachments.size()),
        .bytes = static_cast<int64_t>(form->bytes)};
    s = store_->Add(row);
    if (!s.ok()) {
      // Sent but not recorded: the ids still go to the portal.
      logger_->Error("gateway.store_failed", {{"submission", row.submission_id},
                                              {"code", CodeName(s.code())}});
    }

    logger_->Info("gateway.sent", {{"portal", p.id},
                                   {"submission", row.submission_id},
                                   {"case", row.case_id},
                                   {"destination", row.destination_id},
                                   {"attachments", row.attachments},
                                   {"bytes", row.bytes},
                                   {"ms", MillisSince(start)}});
    net::Response resp =
        net::Response::Json(202, {{"submissionId", row.submission_id},
                                  {"caseId", row.case_id},
                                  {"destinationId", row.destination_id},
                                  {"attachmentIds", sent->attachment_ids},
                                  {"statusUrl", StatusUrl(row.submission_id)}});
    resp.headers["Location"] = StatusUrl(row.submission_id);
    return resp;
  }

  net::Response Get(const net::Request& r) {
    auto start = std::chrono::steady_clock::now();
    auto portal = Authenticate(r);
    if (!portal.ok()) return Refuse(portal.status(), "", start, r.path);
    const Portal& p = **portal;

    std::string id = r.param("submissionId");
    auto found = store_->Find(id, p.id);
    if (!found.ok()) return Refuse(found.status(), p.id, start, r.path);
    if (!*found) {
      return Refuse(GatewayProblem(Code::kNotFound, "submission-not-found",
                                   "no submission with this id was sent by "
                                   "this portal"),
                    p.id, start, r.path);
    }
    SentApplication a = **found;
    bool current = Refresh(a);
    logger_->Info("gateway.status", {{"portal", p.id},
                                     {"submission", a.submission_id},
                                     {"state", a.state},
                                     {"current", current},
                                     {"ms", MillisSince(start)}});
    json problems = json::parse(a.problems_json, nullptr, false);
    if (!problems.is_array()) problems = json::array();
    return net::Response::Json(200,
                               {{"submissionId", a.submission_id},
                                {"caseId", a.case_id},
                                {"destinationId", a.destination_id},
                                {"status", a.state},
                                {"problems", problems},
                                {"current", current},
                                {"statusUrl", StatusUrl(a.submission_id)}});
  }

  // Reads the case's event log unless the state is final. Returns false if
  // it could not be read (the last known state stands).
  bool Refresh(SentApplication& a) {
    if (a.state == "accepted" || a.state == "rejected") return true;
    sa::SubmissionRef ref{a.destination_id, a.submission_id, a.case_id};
    json problems = json::array();
    Result<std::string> state = [&]() -> Result<std::string> {
      DS_ASSIGN_OR_RETURN(json jwks, api_.GetServiceJwks());
      DS_ASSIGN_OR_RETURN(sa::EventLog log, api_.GetEvents(a.case_id));
      return sa::StateFromEventLog(api_, log, ref, jwks, &problems);
    }();
    if (!state.ok()) {
      logger_->Warn("gateway.status_failed",
                    {{"submission", a.submission_id},
                     {"code", CodeName(state.status().code())}});
      return false;
    }
    if (*state != a.state) {
      a.state = *state;
      a.problems_json = problems.dump();
      Status s = store_->UpdateState(a.submission_id, a.state, a.problems_json);
      if (!s.ok()) {
        logger_->Error("gateway.store_failed", {{"submission", a.submission_id},
                                                {"code", CodeName(s.code())}});
      }
    }
    return true;
  }

  Config config_;
  Logger* logger_;
  sa::SenderClient api_;  // thread-safe
  std::unique_ptr<Store> store_;
  std::unique_ptr<net::HttpServer> server_;
  std::string public_url_;
};

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::Start(const Config& config,
                                                Logger* logger) {
  if (config.data_dir.empty()) return EnvironmentError("gateway: no data dir");
  auto gw =
      std::make_unique<GatewayImpl>(config, logger ? logger : &DefaultLogger());
  DS_RETURN_IF_ERROR(gw->Open());
  return std::unique_ptr<Gateway>(std::move(gw));
}

}  // namespace ds::gateway
