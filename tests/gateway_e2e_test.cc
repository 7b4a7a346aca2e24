// The sender gateway end to end over loopback: the in-process
// Zustelldienst stand-in, the real intake hub as the subscriber, and the
// gateway between portals and FIT-Connect. A counting proxy in front of
// the Zustelldienst shows that refused requests send nothing.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "fitconnect/problems.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "intake/hub.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "zustelldienst/service.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kTenant[] = "gateway-e2e";
constexpr char kProblems[] = "https://drehscheibe.invalid/problems/gateway/";

// RSA-4096 keygen is slow and ctest runs every test in its own process:
// the keys are generated once per build tree and kept beside the binary.
jose::Jwk CachedKey(const std::string& name, const std::string& alg) {
  std::error_code ec;
  fs::path dir =
      fs::read_symlink("/proc/self/exe", ec).parent_path() / "gateway_e2e_keys";
  if (ec) dir = fs::temp_directory_path() / "gateway_e2e_keys";
  fs::path file = dir / (name + ".private.jwk");
  if (fs::exists(file)) {
    Result<std::string> text = ReadFile(file, 1 << 20);
    if (text.ok()) {
      Result<jose::Jwk> key = jose::Jwk::Parse(*text);
      if (key.ok()) return *key;
    }
  }
  Result<jose::Jwk> key = jose::Jwk::Generate(4096, NewUuid(), alg);
  if (!key.ok()) throw std::runtime_error(key.status().message());
  Result<std::string> cert =
      jose::SelfSignedCertificate(*key, "gateway e2e " + name, 3650);
  if (!cert.ok()) throw std::runtime_error(cert.status().message());
  jose::Jwk out = key->WithX5c({*cert});
  (void)EnsureDir(dir);
  (void)WriteFileAtomic(file, out.PrivateJson().dump());
  return out;
}

// A loopback proxy in front of the Zustelldienst that counts what reaches
// it from the gateway.
class CountingProxy {
 public:
  explicit CountingProxy(std::string upstream)
      : upstream_(std::move(upstream)) {}
  Status Start(const fs::path& spool) {
    net::Router router;
    router.Use([this](net::Request& req) -> std::optional<net::Response> {
      ++requests;
      if (req.method != "GET" && req.path.starts_with("/v1/")) ++writes;
      net::ClientRequest out;
      out.method = req.method;
      out.url = upstream_ + req.target;
      out.timeout_seconds = 300;
      for (const char* h : {"Authorization", "Content-Type", "Accept"}) {
        if (!req.header(h).empty()) out.headers[h] = req.header(h);
      }
      if (!req.body_file.empty())
        out.body_file = req.body_file;
      else
        out.body = req.body;
      Result<net::ClientResponse> r = net::Fetch(out);
      if (!r.ok()) return net::Response::Text(502, "upstream", "text/plain");
      net::Response resp;
      resp.status = r->status;
      resp.body = r->body;
      auto ct = r->headers.find("Content-Type");
      if (ct != r->headers.end()) resp.headers["Content-Type"] = ct->second;
      return resp;
    });
    net::ServerOptions o{.listen = "127.0.0.1:0",
                         .threads = 4,
                         .max_body = 600ull << 20,
                         .spool_dir = spool};
    DS_ASSIGN_OR_RETURN(server_, net::HttpServer::Start(o, std::move(router)));
    return Status::Ok();
  }
  std::string base_url() const { return server_->base_url(); }
  void Stop() {
    if (server_) server_->Stop();
  }

  std::atomic<int> requests{0};
  std::atomic<int> writes{0};  // announce, upload, submit (not /token)

 private:
  std::string upstream_;
  std::unique_ptr<net::HttpServer> server_;
};

// One Zustelldienst, hub and gateway per test process.
struct World {
  testing::TempDir dir;
  std::optional<jose::Jwk> enc, sig;
  std::unique_ptr<zustelldienst::Service> zd;
  zustelldienst::ClientCredentials sender;  // the gateway's
  std::unique_ptr<CountingProxy> proxy;
  std::string dest_a;  // served by the hub; both portals may send
  std::string dest_b;  // nobody picks up; rathaus may send
  std::string dest_c;  // exists, but no portal may send
  std::string dest_unknown = NewUuid();  // allowed, but not at FIT-Connect
  std::string rathaus_token = gateway::GenerateToken().token;
  std::string landkreis_token = gateway::GenerateToken().token;
  std::unique_ptr<intake::Hub> hub;
  gateway::Config config;
  std::unique_ptr<gateway::Gateway> gw;
};
World* world = nullptr;

// One [[portal.destination]] entry for the demo service.
std::string Allowed(const std::string& destination) {
  return "  [[portal.destination]]\n  id = \"" + destination +
         "\"\n  services = [\"" + demo::kServiceIdentifier + "\"]\n";
}

std::string GatewayToml(const World& w, const fs::path& secret_file) {
  std::string proxy = w.proxy->base_url();
  std::string toml = "[gateway]\nlisten = \"127.0.0.1:0\"\n[fitconnect]\n";
  toml += "api_url = \"" + proxy + "\"\n";
  toml += "token_url = \"" + proxy + "/token\"\n";
  toml += "client_id = \"" + w.sender.client_id + "\"\n";
  toml += "client_secret_file = \"" + secret_file.string() + "\"\n";
  toml += "test_keys = true\n";
  toml += "[limits]\nmax_data_bytes = 65536\n";
  toml += "max_attachment_bytes = 100663296\n";

  toml += "[[portal]]\nid = \"rathaus\"\n";
  toml += "token_sha256 = \"" + gateway::TokenHash(w.rathaus_token) + "\"\n";
  toml += Allowed(w.dest_a) + Allowed(w.dest_b) + Allowed(w.dest_unknown);
  toml += "[[portal]]\nid = \"landkreis\"\n";
  toml += "token_sha256 = \"" + gateway::TokenHash(w.landkreis_token) + "\"\n";
  return toml + Allowed(w.dest_a);
}

Status BuildWorld(World& w) {
  w.enc = CachedKey("encryption", "RSA-OAEP-256");
  w.sig = CachedKey("signing", "PS512");

  zustelldienst::Options zo;
  zo.listen = "127.0.0.1:0";
  zo.data_dir = w.dir.path() / "zustelldienst";
  DS_ASSIGN_OR_RETURN(w.zd, zustelldienst::Service::Start(zo));
  zustelldienst::Admin& admin = w.zd->admin();

  zustelldienst::DestinationSpec spec;
  zustelldienst::ServiceSpec service;
  service.identifier = demo::kServiceIdentifier;
  service.name = demo::kServiceName;
  service.submission_schemas.push_back(
      {demo::kDataSchemaUri, "application/json"});
  spec.services.push_back(service);
  spec.encryption_key = w.enc->PublicOnly();
  spec.signature_keys.push_back(w.sig->PublicOnly());
  for (std::string* id : {&w.dest_a, &w.dest_b, &w.dest_c}) {
    DS_ASSIGN_OR_RETURN(*id, admin.CreateDestination(spec));
  }
  DS_ASSIGN_OR_RETURN(w.sender, admin.CreateClient(zustelldienst::Role::kSender,
                                                   {}, "gateway"));

  w.proxy = std::make_unique<CountingProxy>(w.zd->base_url());
  DS_RETURN_IF_ERROR(EnsureDir(w.dir.path() / "proxy"));
  DS_RETURN_IF_ERROR(w.proxy->Start(w.dir.path() / "proxy"));

  // The hub subscribes to destination A.
  intake::HubSetup hs;
  hs.data_dir = w.dir.path() / "hub";
  hs.specs_dir = testing::SpecsDir();
  hs.processor.key_policy.test_mode = true;
  DS_RETURN_IF_ERROR(
      hs.data_schemas.AddJson(demo::kDataSchemaUri, demo::DataSchema()));
  DS_ASSIGN_OR_RETURN(
      auto sub,
      admin.CreateClient(zustelldienst::Role::kSubscriber, {w.dest_a}, "hub"));
  intake::Destination d;
  d.id = w.dest_a;
  d.tenant = kTenant;
  d.decryption_keys.Add(*w.enc);
  d.signing_key = w.sig;
  d.trusted_issuer = w.zd->base_url();
  d.api = std::make_shared<submission_api::SubscriberClient>(
      submission_api::Endpoint{.api_url = w.zd->base_url(),
                               .token_url = w.zd->token_url(),
                               .client_id = sub.client_id,
                               .client_secret = sub.client_secret});
  hs.destinations.push_back(d);
  DS_ASSIGN_OR_RETURN(w.hub, intake::Hub::Create(std::move(hs)));

  // The gateway, configured as an operator would.
  fs::path secret_file = w.dir.path() / "gateway-client-secret";
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(secret_file, w.sender.client_secret + "\n"));
  DS_ASSIGN_OR_RETURN(w.config,
                      gateway::ParseConfig(GatewayToml(w, secret_file)));
  w.config.data_dir = w.dir.path() / "gateway-data";
  DS_ASSIGN_OR_RETURN(w.gw, gateway::Gateway::Start(w.config));
  return Status::Ok();
}

class GatewayEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    world = new World();
    Status s = BuildWorld(*world);
    if (!s.ok()) {
      // A failed environment would only skip the tests: stop loudly.
      std::fprintf(stderr, "gateway e2e setup failed: %s\n",
                   s.ToString().c_str());
      std::exit(1);
    }
  }
  void TearDown() override {
    if (!world) return;
    if (world->gw) world->gw->Stop();
    world->hub.reset();
    if (world->proxy) world->proxy->Stop();
    if (world->zd) world->zd->Stop();
    delete world;
    world = nullptr;
  }
};
const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new GatewayEnvironment);

// ---------------------------------------------------------------------------
// A portal's side: multipart bodies and HTTP calls.

struct FormPart {
  std::string name;
  std::string content;
  std::string content_type;  // "" for none
  std::optional<std::string> filename;
};

constexpr char kBoundary[] = "portal-7f3a9c";

std::string PartHead(const FormPart& p) {
  std::string head = std::string("--") + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"" + p.name +
                     "\"";
  if (p.filename) head += "; filename=\"" + *p.filename + "\"";
  head += "\r\n";
  if (!p.content_type.empty())
    head += "Content-Type: " + p.content_type + "\r\n";
  return head + "\r\n";
}

std::string Multipart(const std::vector<FormPart>& parts) {
  std::string body;
  for (const FormPart& p : parts) body += PartHead(p) + p.content + "\r\n";
  return body + "--" + kBoundary + "--\r\n";
}

FormPart Metadata(const std::string& destination,
                  const std::string& service = demo::kServiceIdentifier) {
  json m = {{"destinationId", destination},
            {"serviceIdentifier", service},
            {"serviceName", demo::kServiceName},
            {"dataSchemaUri", demo::kDataSchemaUri}};
  return {"metadata", m.dump(), "application/json", std::nullopt};
}

FormPart Data(std::string json_text = demo::BuildSamples(1)[0].form_json) {
  return {"data", std::move(json_text), "application/json", std::nullopt};
}

FormPart Attachment(const std::string& filename, const std::string& text) {
  return {"attachment", demo::MinimalPdf(text), "application/pdf", filename};
}

std::vector<FormPart> Application(const std::string& destination) {
  return {Metadata(destination), Data(),
          Attachment("nachweis-einkommen.pdf", "Einkommen"),
          Attachment("mietvertrag.pdf", "Mietvertrag")};
}

net::ClientResponse Call(net::ClientRequest req, const std::string& token) {
  if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
  req.timeout_seconds = 300;
  Result<net::ClientResponse> r = net::Fetch(req);
  if (!r.ok()) return {.status = -1, .body = r.status().message()};
  return *r;
}

net::ClientResponse Post(const std::string& body, const std::string& token,
                         std::string content_type = "") {
  if (content_type.empty()) {
    content_type = std::string("multipart/form-data; boundary=") + kBoundary;
  }
  return Call({.method = "POST",
               .url = world->gw->base_url() + "/gateway/v1/applications",
               .headers = {{"Content-Type", content_type}},
               .body = body},
              token);
}

net::ClientResponse GetStatus(const std::string& submission_id,
                              const std::string& token) {
  return Call({.url = world->gw->base_url() + "/gateway/v1/applications/" +
                      submission_id},
              token);
}

json Body(const net::ClientResponse& r) {
  return json::parse(r.body, nullptr, false);
}

// Posts an application that must be accepted for sending; its response.
json Send(const std::vector<FormPart>& parts, const std::string& token) {
  net::ClientResponse r = Post(Multipart(parts), token);
  EXPECT_EQ(r.status, 202) << r.body;
  return Body(r);
}

// Lets the hub poll and process until the submission is final.
std::string Drive(const std::string& submission_id) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    (void)world->hub->PollOnce();
    world->hub->ProcessDue();
    auto e = world->hub->journal().Get(submission_id);
    if (e.ok() && *e && intake::IsTerminal((*e)->state)) {
      return std::string(intake::StateName((*e)->state));
    }
    if (std::chrono::steady_clock::now() > deadline) return "timeout";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Asserts a refusal: HTTP status, problem type, and nothing reached the
// Zustelldienst.
// No request leaves files behind in the gateway's spool.
bool SpoolIsEmpty() {
  return fs::is_empty(world->config.data_dir / "gateway" / "spool");
}

void ExpectRefused(const std::function<net::ClientResponse()>& call, int status,
                   const std::string& problem) {
  int before = world->proxy->requests;

  net::ClientResponse r = call();

  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
  json body = Body(r);
  EXPECT_EQ(body.value("type", ""), kProblems + problem) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_FALSE(body.value("detail", "").empty());
  EXPECT_EQ(world->proxy->requests, before) << "the gateway called FIT-Connect";
  EXPECT_TRUE(SpoolIsEmpty());
}

// ---------------------------------------------------------------------------
// Delivery and status.

TEST(Gateway, DeliversAnApplicationThatTheAuthorityAccepts) {
  json sent = Send(Application(world->dest_a), world->rathaus_token);
  std::string id = sent.value("submissionId", "");
  ASSERT_TRUE(IsUuid(id)) << sent.dump();
  EXPECT_TRUE(IsUuid(sent.value("caseId", "")));
  EXPECT_EQ(sent["attachmentIds"].size(), 2u);
  EXPECT_EQ(sent.value("statusUrl", ""),
            world->gw->base_url() + "/gateway/v1/applications/" + id);

  net::ClientResponse before = GetStatus(id, world->rathaus_token);
  EXPECT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(Body(before).value("status", ""), "submitted");

  ASSERT_EQ(Drive(id), "accepted");

  net::ClientResponse after = GetStatus(id, world->rathaus_token);
  ASSERT_EQ(after.status, 200) << after.body;
  json status = Body(after);
  EXPECT_EQ(status.value("status", ""), "accepted");
  EXPECT_EQ(status.value("caseId", ""), sent.value("caseId", ""));
  EXPECT_TRUE(status["problems"].empty());
  EXPECT_TRUE(status.value("current", false));
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST(Gateway, AcceptsTheFieldsAsSeparateParts) {
  std::vector<FormPart> parts = {
      {"destinationId", world->dest_a, "", std::nullopt},
      {"serviceIdentifier", demo::kServiceIdentifier, "", std::nullopt},
      {"serviceName", demo::kServiceName, "", std::nullopt},
      {"dataSchemaUri", demo::kDataSchemaUri, "", std::nullopt},
      Data(),
      Attachment("anlage.pdf", "Anlage")};
  json sent = Send(parts, world->landkreis_token);
  std::string id = sent.value("submissionId", "");
  ASSERT_TRUE(IsUuid(id)) << sent.dump();

  ASSERT_EQ(Drive(id), "accepted");
  EXPECT_EQ(Body(GetStatus(id, world->landkreis_token)).value("status", ""),
            "accepted");
}

TEST(Gateway, ReportsARejectionWithItsProblem) {
  // Well-formed JSON that the service's data schema does not allow.
  std::vector<FormPart> parts = Application(world->dest_a);
  parts[1] = Data(R"({"antrag": "ohne Pflichtangaben"})");
  json sent = Send(parts, world->rathaus_token);
  std::string id = sent.value("submissionId", "");
  ASSERT_TRUE(IsUuid(id)) << sent.dump();

  ASSERT_EQ(Drive(id), "rejected");

  net::ClientResponse r = GetStatus(id, world->rathaus_token);
  ASSERT_EQ(r.status, 200) << r.body;
  json status = Body(r);
  EXPECT_EQ(status.value("status", ""), "rejected");
  ASSERT_FALSE(status["problems"].empty()) << r.body;
  EXPECT_EQ(status["problems"][0].value("type", ""),
            fitconnect::ProblemType(fitconnect::ProblemKind::kSchemaViolation));
  EXPECT_EQ(status["problems"][0].value("instance", ""), "data");
}

TEST(Gateway, KeepsTheStatusAcrossARestartAndClearsTheSpool) {
  json sent = Send(Application(world->dest_a), world->rathaus_token);
  std::string id = sent.value("submissionId", "");
  ASSERT_TRUE(IsUuid(id)) << sent.dump();
  ASSERT_EQ(Drive(id), "accepted");
  ASSERT_EQ(Body(GetStatus(id, world->rathaus_token)).value("status", ""),
            "accepted");

  world->gw->Stop();
  world->gw.reset();
  // What a killed gateway leaves in its spool (a plaintext upload that
  // never got an answer) is gone after the restart.
  fs::path leftover = world->config.data_dir / "gateway" / "spool" / "killed-upload";
  ASSERT_OK(EnsureDir(leftover));
  ASSERT_OK(WriteFileAtomic(leftover / "attachment-0", "Antrag auf Wohngeld"));
  auto again = gateway::Gateway::Start(world->config);
  ASSERT_OK(again);
  world->gw = std::move(*again);
  int before = world->proxy->requests;

  net::ClientResponse r = GetStatus(id, world->rathaus_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).value("status", ""), "accepted");
  EXPECT_EQ(world->proxy->requests, before) << "a final state is not re-read";
  EXPECT_EQ(GetStatus(id, world->landkreis_token).status, 404);
  EXPECT_FALSE(fs::exists(leftover));
  // The scheme name is case-insensitive.
  auto lower = net::Fetch({.url = world->gw->base_url() + "/gateway/v1/applications/" + id,
                           .headers = {{"Authorization", "bearer " + world->rathaus_token}}});
  ASSERT_OK(lower);
  EXPECT_EQ(lower->status, 200) << lower->body;
}

// A 64 MiB attachment is streamed: to the spool, through the encryption
// and to the Zustelldienst, without the process's memory growing by it.
TEST(Gateway, StreamsLargeAttachmentsInBoundedMemory) {
  constexpr size_t kSize = 64u << 20;
  fs::path body_file = world->dir.path() / "large-body";
  {
    std::ofstream out(body_file, std::ios::binary);
    for (const FormPart& p : {Metadata(world->dest_b), Data()}) {
      out << PartHead(p) << p.content << "\r\n";
    }
    out << PartHead(Attachment("gross.bin", ""));
    std::string block(1 << 20, '\0');
    for (size_t i = 0; i < block.size(); ++i)
      block[i] = static_cast<char>(i * 7);
    for (size_t n = 0; n < kSize; n += block.size()) out << block;
    out << "\r\n--" << kBoundary << "--\r\n";
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  long peak_before_kib = usage.ru_maxrss;

  net::ClientResponse r = Call(
      {.method = "POST",
       .url = world->gw->base_url() + "/gateway/v1/applications",
       .headers = {{"Content-Type",
                    std::string("multipart/form-data; boundary=") + kBoundary}},
       .body_file = body_file},
      world->rathaus_token);

  ASSERT_EQ(r.status, 202) << r.body;
  getrusage(RUSAGE_SELF, &usage);
  long grown_mib = (usage.ru_maxrss - peak_before_kib) / 1024;
  RecordProperty("peak_rss_growth_mib", std::to_string(grown_mib));
  EXPECT_LT(grown_mib, 24) << "peak RSS grew by " << grown_mib << " MiB";
  EXPECT_EQ(
      Body(GetStatus(Body(r).value("submissionId", ""), world->rathaus_token))
          .value("status", ""),
      "submitted");
}

// ---------------------------------------------------------------------------
// Refusals: each with its status and problem type, and nothing sent.

TEST(Gateway, RefusesARequestWithoutToken) {
  ExpectRefused([] { return Post(Multipart(Application(world->dest_a)), ""); },
                401, "unauthorized");
}

TEST(Gateway, RefusesAWrongToken) {
  ExpectRefused(
      [] {
        return Post(Multipart(Application(world->dest_a)), "not-a-portal");
      },
      401, "unauthorized");
  ExpectRefused([] { return GetStatus(NewUuid(), "not-a-portal"); }, 401,
                "unauthorized");
}

TEST(Gateway, RefusesADestinationThePortalMayNotUse) {
  ExpectRefused(
      [] {
        return Post(Multipart(Application(world->dest_c)),
                    world->rathaus_token);
      },
      403, "destination-not-allowed");
  ExpectRefused(
      [] {
        return Post(Multipart(Application(world->dest_b)),
                    world->landkreis_token);
      },
      403, "destination-not-allowed");
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts[0] =
            Metadata(world->dest_a, "urn:de:fim:leika:leistung:99000000000001");
        return Post(Multipart(parts), world->rathaus_token);
      },
      403, "destination-not-allowed");
}

TEST(Gateway, RefusesMalformedMultipart) {
  std::string body = Multipart(Application(world->dest_a));
  ExpectRefused(
      [&] {
        return Post(body.substr(0, body.size() / 2), world->rathaus_token);
      },
      400, "malformed-multipart");
  ExpectRefused(
      [&] { return Post(body, world->rathaus_token, "application/json"); }, 400,
      "malformed-multipart");
  std::string lf_only = body;
  for (size_t at; (at = lf_only.find("\r\n")) != std::string::npos;)
    lf_only.erase(at, 1);
  ExpectRefused([&] { return Post(lf_only, world->rathaus_token); }, 400,
                "malformed-multipart");
}

TEST(Gateway, RefusesAnApplicationWithoutDataPart) {
  std::vector<FormPart> parts = Application(world->dest_a);
  parts.erase(parts.begin() + 1);
  ExpectRefused([&] { return Post(Multipart(parts), world->rathaus_token); },
                400, "missing-data-part");
}

TEST(Gateway, RefusesMalformedJsonData) {
  std::vector<FormPart> parts = Application(world->dest_a);
  parts[1] = Data(R"({"antragsteller": {"vorname": "Erika",)");
  ExpectRefused([&] { return Post(Multipart(parts), world->rathaus_token); },
                400, "malformed-data");
}

TEST(Gateway, RefusesAnOversizedPart) {
  std::vector<FormPart> parts = Application(world->dest_a);
  parts[1] = Data("{\"pad\": \"" + std::string(70000, 'x') + "\"}");
  ExpectRefused([&] { return Post(Multipart(parts), world->rathaus_token); },
                413, "part-too-large");
}

TEST(Gateway, HidesAnotherPortalsSubmission) {
  json sent = Send(Application(world->dest_a), world->rathaus_token);
  std::string id = sent.value("submissionId", "");
  ASSERT_TRUE(IsUuid(id)) << sent.dump();

  ExpectRefused([&] { return GetStatus(id, world->landkreis_token); }, 404,
                "submission-not-found");
  ExpectRefused([&] { return GetStatus(NewUuid(), world->rathaus_token); }, 404,
                "submission-not-found");
}

TEST(Gateway, RefusesBadAttachmentsAndData) {
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts[2].filename.reset();
        return Post(Multipart(parts), world->rathaus_token);
      },
      400, "invalid-filename");
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts[2].filename = "../../etc/passwd";
        return Post(Multipart(parts), world->rathaus_token);
      },
      400, "invalid-filename");
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts[1] = {"data", "<antrag><offen></antrag>", "application/xml",
                    std::nullopt};
        return Post(Multipart(parts), world->rathaus_token);
      },
      400, "malformed-data");
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts[1].content_type = "text/plain";
        return Post(Multipart(parts), world->rathaus_token);
      },
      400, "unsupported-data-type");
  ExpectRefused(
      [] {
        std::vector<FormPart> parts = Application(world->dest_a);
        parts.push_back({"signature", "x", "", std::nullopt});
        return Post(Multipart(parts), world->rathaus_token);
      },
      400, "malformed-request");
}

// A destination the portal may use but FIT-Connect does not know: the
// gateway asks for it, is refused and announces nothing.
TEST(Gateway, ReportsARefusalByFitConnect) {
  int writes = world->proxy->writes;

  net::ClientResponse r =
      Post(Multipart(Application(world->dest_unknown)), world->rathaus_token);

  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r).value("type", ""),
            std::string(kProblems) + "delivery-refused");
  EXPECT_EQ(world->proxy->writes, writes);
  EXPECT_TRUE(SpoolIsEmpty());
}

}  // namespace
}  // namespace ds
