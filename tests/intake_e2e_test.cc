// The intake (the FIT-Connect subscriber) end to end over loopback: the in-process
// Zustelldienst stand-in, a hub built as src/demo/run.cc builds it, and
// senders that behave like real portals, quirks and mistakes included.
// Every rejection is checked on all four sides: the journal, the
// Zustelldienst's verified event log, the E-Akte (nothing filed) and the
// spool (the encrypted original is kept).
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "fitconnect/integrity.h"
#include "fitconnect/metadata.h"
#include "fitconnect/problems.h"
#include "gate/gate.h"
#include "intake/hub.h"
#include "intake/journal_sql.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "records/store.h"
#include "submission_api/client.h"
#include "submission_api/send.h"
#include "zustelldienst/service.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using fitconnect::ProblemKind;
using nlohmann::json;
using submission_api::SenderClient;
using submission_api::SubmissionRef;

constexpr char kTenant[] = "intake-e2e";
constexpr char kOtherService[] = "urn:de:fim:leika:leistung:99000000000001";
constexpr char kOtherSchema[] = "https://schema.drehscheibe.invalid/other/1.0.0/schema.json";

// RSA-4096 keygen is slow and ctest runs every test in its own process:
// the keys are generated once per build tree and kept beside the binary.
jose::Jwk CachedKey(const std::string& name, const std::string& alg, int bits) {
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path() / "intake_e2e_keys";
  if (ec) dir = fs::temp_directory_path() / "intake_e2e_keys";
  fs::path file = dir / (name + ".private.jwk");
  if (fs::exists(file)) {
    Result<std::string> text = ReadFile(file, 1 << 20);
    if (text.ok()) {
      Result<jose::Jwk> key = jose::Jwk::Parse(*text);
      if (key.ok()) return *key;
    }
  }
  Result<jose::Jwk> key = jose::Jwk::Generate(bits, NewUuid(), alg);
  if (!key.ok()) throw std::runtime_error(key.status().message());
  Result<std::string> cert = jose::SelfSignedCertificate(*key, "intake e2e " + name, 3650);
  if (!cert.ok()) throw std::runtime_error(cert.status().message());
  jose::Jwk out = key->WithX5c({*cert});
  (void)EnsureDir(dir);
  (void)WriteFileAtomic(file, out.PrivateJson().dump());
  return out;
}

// A loopback proxy in front of the Zustelldienst whose posts of events can
// be made to fail, as a network failure of the accept would.
class FlakyProxy {
 public:
  explicit FlakyProxy(std::string upstream) : upstream_(std::move(upstream)) {}
  Status Start() {
    net::Router router;
    router.Use([this](net::Request& req) -> std::optional<net::Response> {
      if (fail_events && req.method == "POST" && req.path.find("/events") != std::string::npos) {
        return net::Response::Text(503, "down for the test", "text/plain");
      }
      net::ClientRequest out;
      out.method = req.method;
      out.url = upstream_ + req.target;
      for (const char* h : {"Authorization", "Content-Type", "Accept"}) {
        if (!req.header(h).empty()) out.headers[h] = req.header(h);
      }
      Result<std::string> body = req.ReadBody();
      if (body.ok()) out.body = *body;
      Result<net::ClientResponse> r = net::Fetch(out);
      if (!r.ok()) return net::Response::Text(502, "upstream", "text/plain");
      net::Response resp;
      resp.status = r->status;
      resp.body = r->body;
      auto ct = r->headers.find("Content-Type");
      if (ct != r->headers.end()) resp.headers["Content-Type"] = ct->second;
      return resp;
    });
    DS_ASSIGN_OR_RETURN(server_, net::HttpServer::Start({.listen = "127.0.0.1:0"},
                                                         std::move(router)));
    return Status::Ok();
  }
  std::string base_url() const { return server_->base_url(); }
  void Stop() { if (server_) server_->Stop(); }

  std::atomic<bool> fail_events{false};

 private:
  std::string upstream_;
  std::unique_ptr<net::HttpServer> server_;
};

// One Zustelldienst, one set of keys and one hub for the whole suite.
struct World {
  testing::TempDir dir;
  std::optional<jose::Jwk> enc_new, enc_old, sig, stranger;
  std::unique_ptr<zustelldienst::Service> zd;
  std::unique_ptr<FlakyProxy> proxy;
  // main: current key and the old one in its ring; strict: both in the
  // ring, the old one retired, accept_retired false; lenient: the old one
  // only retired, accept_retired true; flaky: main's keys, behind FlakyProxy.
  std::string main, strict, lenient, flaky;
  std::unique_ptr<SenderClient> sender;
  json service_jwks;
  intake::Destination flaky_destination;
  std::unique_ptr<intake::Hub> hub;
};
World* world = nullptr;

Status BuildWorld(World& w) {
  w.enc_new = CachedKey("encryption-new", "RSA-OAEP-256", 4096);
  w.enc_old = CachedKey("encryption-old", "RSA-OAEP-256", 4096);
  w.sig = CachedKey("signing", "PS512", 4096);
  w.stranger = CachedKey("stranger", "RSA-OAEP-256", 2048);

  zustelldienst::Options zo;
  zo.listen = "127.0.0.1:0";
  zo.data_dir = w.dir.path() / "zustelldienst";
  DS_ASSIGN_OR_RETURN(w.zd, zustelldienst::Service::Start(zo));
  zustelldienst::Admin& admin = w.zd->admin();

  zustelldienst::DestinationSpec spec;
  zustelldienst::ServiceSpec service;
  service.identifier = demo::kServiceIdentifier;
  service.name = demo::kServiceName;
  service.submission_schemas.push_back({demo::kDataSchemaUri, "application/json"});
  spec.services.push_back(service);
  spec.reply_channels = {"eMail"};
  spec.encryption_key = w.enc_new->PublicOnly();
  spec.signature_keys.push_back(w.sig->PublicOnly());
  std::vector<std::string*> ids = {&w.main, &w.strict, &w.lenient, &w.flaky};
  for (std::string* id : ids) {
    DS_ASSIGN_OR_RETURN(*id, admin.CreateDestination(spec));
    DS_RETURN_IF_ERROR(admin.RegisterKey(*id, w.enc_old->PublicOnly(), false));
  }
  DS_ASSIGN_OR_RETURN(auto sender, admin.CreateClient(zustelldienst::Role::kSender, {}, "portal"));
  w.sender = std::make_unique<SenderClient>(submission_api::Endpoint{
      .api_url = w.zd->base_url(), .token_url = w.zd->token_url(),
      .client_id = sender.client_id, .client_secret = sender.client_secret});
  DS_ASSIGN_OR_RETURN(w.service_jwks, w.sender->GetServiceJwks());

  w.proxy = std::make_unique<FlakyProxy>(w.zd->base_url());
  DS_RETURN_IF_ERROR(w.proxy->Start());

  intake::HubSetup hs;
  hs.data_dir = w.dir.path() / "hub";
  hs.specs_dir = testing::SpecsDir();
  hs.processor.key_policy.test_mode = true;
  DS_RETURN_IF_ERROR(hs.data_schemas.AddJson(demo::kDataSchemaUri, demo::DataSchema()));
  for (std::string* id : ids) {
    DS_ASSIGN_OR_RETURN(auto sub, admin.CreateClient(zustelldienst::Role::kSubscriber, {*id}, "hub"));
    intake::Destination d;
    d.id = *id;
    d.tenant = kTenant;
    d.decryption_keys.Add(*w.enc_new);
    // strict keeps the old key in its ring but lists it as retired: the
    // retired list wins. lenient holds it only as retired, and accepts it.
    if (id != &w.lenient) d.decryption_keys.Add(*w.enc_old);
    if (id == &w.strict || id == &w.lenient) d.retired_keys.Add(*w.enc_old);
    d.accept_retired = id == &w.lenient;
    d.signing_key = w.sig;
    d.trusted_issuer = w.zd->base_url();
    d.api = std::make_shared<submission_api::SubscriberClient>(submission_api::Endpoint{
        .api_url = id == &w.flaky ? w.proxy->base_url() : w.zd->base_url(),
        .token_url = w.zd->token_url(),
        .client_id = sub.client_id, .client_secret = sub.client_secret});
    if (id == &w.flaky) w.flaky_destination = d;
    hs.destinations.push_back(d);
  }
  DS_ASSIGN_OR_RETURN(w.hub, intake::Hub::Create(std::move(hs)));
  return Status::Ok();
}

class IntakeEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    world = new World();
    Status s = BuildWorld(*world);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void TearDown() override {
    if (!world) return;
    world->hub.reset();
    if (world->proxy) world->proxy->Stop();
    if (world->zd) world->zd->Stop();
    delete world;
    world = nullptr;
  }
};
const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new IntakeEnvironment);

// One attachment as the sender uploads it and as the metadata describes it.
struct Part {
  std::string id = NewUuid();
  std::string content = demo::MinimalPdf("Anlage");
  std::string mime_type = "application/pdf";
  std::optional<std::string> filename = std::string("nachweis.pdf");
  std::string purpose = "attachment";
  bool upload = true;     // uploaded and announced
  bool describe = true;   // listed in the metadata
  std::optional<std::string> described_hash;  // hash in the metadata
};

// A submission crafted by hand, valid unless a test changes something.
struct Draft {
  std::string destination;
  std::string service = demo::kServiceIdentifier;
  std::string data = demo::BuildSamples(1)[0].form_json;
  std::string schema_uri = demo::kDataSchemaUri;
  std::vector<Part> parts = {Part{}};
  jose::EncryptOptions jwe_options{};
  const jose::Jwk* metadata_key = nullptr;  // default: destination's current
  const jose::Jwk* data_key = nullptr;
  bool send_data = true;
  // Changes the metadata after it is built (null: none).
  std::function<void(json&)> edit_metadata;
  // The metadata plaintext instead of the built JSON, if set.
  std::optional<std::string> raw_metadata;

  json Metadata() const {
    json attachments = json::array();
    for (const Part& p : parts) {
      if (!p.describe) continue;
      json a = {{"attachmentId", p.id},
                {"hash", {{"type", "sha512"},
                          {"content", p.described_hash.value_or(fitconnect::Sha512Hex(p.content))}}},
                {"purpose", p.purpose},
                {"mimeType", p.mime_type}};
      if (p.filename) a["filename"] = *p.filename;
      attachments.push_back(a);
    }
    json m = {
        {"$schema", fitconnect::MetadataSchemaUri("1.0.0")},
        {"contentStructure",
         {{"data", {{"hash", {{"type", "sha512"}, {"content", fitconnect::Sha512Hex(data)}}},
                    {"submissionSchema", {{"schemaUri", schema_uri},
                                          {"mimeType", "application/json"}}}}},
          {"attachments", attachments}}},
        {"publicServiceType", {{"identifier", service}, {"name", demo::kServiceName}}}};
    if (edit_metadata) edit_metadata(m);
    return m;
  }
};

Result<SubmissionRef> Send(const Draft& d) {
  const jose::Jwk& current = *world->enc_new;
  const jose::Jwk& mkey = d.metadata_key ? *d.metadata_key : current;
  const jose::Jwk& dkey = d.data_key ? *d.data_key : current;
  jose::EncryptOptions json_opts = d.jwe_options;
  json_opts.cty = "application/json";

  SenderClient::Announcement a;
  a.destination_id = d.destination;
  a.service_identifier = d.service;
  a.service_name = demo::kServiceName;
  for (const Part& p : d.parts) {
    if (p.upload) a.attachment_ids.push_back(p.id);
  }
  DS_ASSIGN_OR_RETURN(SubmissionRef ref, world->sender->Announce(a));
  for (const Part& p : d.parts) {
    if (!p.upload) continue;
    jose::EncryptOptions o = d.jwe_options;
    o.cty = p.mime_type;
    DS_ASSIGN_OR_RETURN(std::string jwe, jose::Encrypt(dkey, p.content, o));
    DS_RETURN_IF_ERROR(world->sender->UploadAttachment(ref.submission_id, p.id, jwe));
  }
  std::string meta = d.raw_metadata ? *d.raw_metadata : d.Metadata().dump();
  DS_ASSIGN_OR_RETURN(std::string enc_meta, jose::Encrypt(mkey, meta, json_opts));
  std::string enc_data;
  if (d.send_data) {
    DS_ASSIGN_OR_RETURN(enc_data, jose::Encrypt(dkey, d.data, json_opts));
  }
  DS_RETURN_IF_ERROR(world->sender->Submit(ref.submission_id, enc_meta, enc_data));
  return ref;
}

// Polls and processes until the submission's journal entry is terminal
// (or `until` says so), or a minute passed.
intake::JournalEntry Drive(const std::string& submission_id,
                           std::function<bool(const intake::JournalEntry&)> until = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  intake::JournalEntry last;
  for (;;) {
    (void)world->hub->PollOnce();
    world->hub->ProcessDue();
    auto e = world->hub->journal().Get(submission_id);
    if (e.ok() && *e) {
      last = **e;
      if (until ? until(last) : intake::IsTerminal(last.state)) return last;
    }
    if (std::chrono::steady_clock::now() > deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string Name(intake::State s) { return std::string(intake::StateName(s)); }

// Vorgänge filed for a submission.
int FiledCount(const std::string& submission_id) {
  records::InboxFilter f;
  f.tenant = kTenant;
  f.limit = 500;
  int n = 0;
  for (;;) {
    auto page = world->hub->store().ListInbox(f);
    if (!page.ok()) return -1;
    for (const auto& v : page->items) n += v.submission_id == submission_id;
    if (page->next_cursor.empty()) return n;
    f.after = page->next_cursor;
  }
}

// The state the Zustelldienst's verified event log shows, with problems.
std::string ZdState(const SubmissionRef& ref, json* problems) {
  auto log = world->sender->GetEvents(ref.case_id);
  if (!log.ok()) return "error: " + log.status().message();
  auto state = submission_api::StateFromEventLog(*world->sender, *log, ref,
                                                 world->service_jwks, problems);
  if (!state.ok()) return "error: " + state.status().message();
  return *state;
}

bool HasProblem(const json& problems, ProblemKind kind, const std::string& instance) {
  for (const json& p : problems) {
    if (p.value("type", "") == fitconnect::ProblemType(kind) &&
        p.value("instance", "") == instance) {
      return true;
    }
  }
  return false;
}

void ExpectAccepted(const SubmissionRef& ref) {
  intake::JournalEntry e = Drive(ref.submission_id);
  EXPECT_EQ(Name(e.state), "accepted") << e.problems_json << " " << e.last_error;
  EXPECT_FALSE(e.vorgang_id.empty());
  json problems;
  EXPECT_EQ(ZdState(ref, &problems), "accepted") << problems.dump();
  EXPECT_EQ(FiledCount(ref.submission_id), 1);
}

void ExpectRejected(const SubmissionRef& ref, ProblemKind kind, const std::string& instance) {
  intake::JournalEntry e = Drive(ref.submission_id);
  ASSERT_EQ(Name(e.state), "rejected") << e.last_error;
  json journal_problems = json::parse(e.problems_json, nullptr, false);
  EXPECT_TRUE(HasProblem(journal_problems, kind, instance))
      << "want " << fitconnect::ProblemName(kind) << " at " << instance
      << ", journal has " << e.problems_json;

  json zd_problems = json::array();
  EXPECT_EQ(ZdState(ref, &zd_problems), "rejected");
  EXPECT_TRUE(HasProblem(zd_problems, kind, instance)) << zd_problems.dump();

  EXPECT_EQ(FiledCount(ref.submission_id), 0);
  EXPECT_TRUE(e.vorgang_id.empty());

  fs::path spool = world->dir.path() / "hub" / "intake" / "spool" / ref.destination_id /
                   ref.submission_id;
  EXPECT_TRUE(fs::exists(spool / "submission.json")) << spool;
}

// ---------------------------------------------------------------------------
// Acceptance with the quirks of real senders.

TEST(IntakeEndToEnd, AcceptsPlainSubmission) {
  Draft d;
  d.destination = world->main;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
  // The E-Akte keeps the schema the data was validated against (routing
  // rules match on it).
  intake::JournalEntry e = Drive(ref->submission_id);
  auto v = world->hub->store().GetVorgang(kTenant, e.vorgang_id);
  ASSERT_OK(v);
  EXPECT_EQ(v->data_schema, demo::kDataSchemaUri);
}

// The text of an attached PDF is extracted in the gate's worker, stored as
// a text rendition beside the original and found by search.
TEST(IntakeEndToEnd, FindsAWordInsideAnAttachedPdf) {
  Draft d;
  d.destination = world->main;
  d.parts[0].content = demo::MinimalPdf("Grundbuchauszug Zaunkoenig");
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
  intake::JournalEntry e = Drive(ref->submission_id);

  auto hits = world->hub->store().Search(kTenant, "Zaunkoenig");

  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].vorgang_id, e.vorgang_id);
  auto v = world->hub->store().GetVorgang(kTenant, e.vorgang_id);
  ASSERT_OK(v);
  std::string text_format;
  for (const auto& doc : v->dokumente) {
    for (const auto& f : doc.formats) {
      if (f.kind == "rendition" && f.mime_type.rfind("text/plain", 0) == 0) {
        text_format = f.id;
        EXPECT_EQ(f.filename, "nachweis.pdf.txt");
      }
    }
  }
  ASSERT_FALSE(text_format.empty());
  auto text = world->hub->store().ReadContent(kTenant, text_format, "test");
  ASSERT_OK(text);
  EXPECT_NE(text->find("Grundbuchauszug Zaunkoenig"), std::string::npos);
}

TEST(IntakeEndToEnd, AcceptsMetadataWithoutSchemaAsVersion100) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) { m.erase("$schema"); };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, AcceptsExtensionFieldsInAdditionalReferenceInfo) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) {
    m["additionalReferenceInfo"] = {{"senderReference", "PORTAL-4711"},
                                    {"applicationDate", "2026-12-01"},
                                    {"x-portal-version", "3.2.1"},
                                    {"x-tracking", {{"channel", "web"}}}};
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, AcceptsAttachmentWithoutFilename) {
  Draft d;
  d.destination = world->main;
  d.parts[0].filename.reset();
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, AcceptsDeflatedJwes) {
  Draft d;
  d.destination = world->main;
  d.jwe_options.deflate = true;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, AcceptsThumbprintAsJweKid) {
  Draft d;
  d.destination = world->main;
  d.jwe_options.kid = world->enc_new->Thumbprint();
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, AcceptsAllQuirksAtOnce) {
  Draft d;
  d.destination = world->main;
  d.jwe_options.kid = world->enc_new->Thumbprint();
  d.jwe_options.deflate = true;
  d.parts[0].filename.reset();
  Part second;
  second.purpose = "form";
  d.parts.push_back(second);
  d.edit_metadata = [](json& m) {
    m.erase("$schema");
    m["additionalReferenceInfo"] = {{"x-portal", "govos"}};
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

// Metadata 1.0.0 makes Fachdaten optional: a submission with attachments
// only is filed as a Vorgang without form data and accepted.
TEST(IntakeEndToEnd, AcceptsSubmissionWithoutFachdaten) {
  Draft d;
  d.destination = world->main;
  d.send_data = false;
  d.edit_metadata = [](json& m) { m["contentStructure"].erase("data"); };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
  intake::JournalEntry e = Drive(ref->submission_id);
  auto v = world->hub->store().GetVorgang(kTenant, e.vorgang_id);
  ASSERT_OK(v);
  EXPECT_EQ(v->data_schema, "");
}

// ---------------------------------------------------------------------------
// One rejection per problem type.

TEST(IntakeEndToEnd, RejectsMetadataEncryptedToWrongKey) {
  Draft d;
  d.destination = world->main;
  d.metadata_key = &*world->stranger;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kEncryptionIssue, "metadata");
}

TEST(IntakeEndToEnd, RejectsMetadataThatIsNotJson) {
  Draft d;
  d.destination = world->main;
  d.raw_metadata = "{\"contentStructure\": [unterminated";
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kSyntaxViolation, "metadata");
}

TEST(IntakeEndToEnd, RejectsMetadataViolatingSchema) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) {
    m["contentStructure"]["attachments"][0]["purpose"] = "selfie";
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kSchemaViolation, "metadata");
}

TEST(IntakeEndToEnd, RejectsUnsupportedMetadataVersion) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) { m["$schema"] = fitconnect::MetadataSchemaUri("9.9.9"); };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kUnsupportedSchema, "metadata");
}

TEST(IntakeEndToEnd, RejectsDataHashMismatch) {
  Draft d;
  d.destination = world->main;
  std::string other = demo::BuildSamples(2)[1].form_json;
  d.edit_metadata = [other](json& m) {
    m["contentStructure"]["data"]["hash"]["content"] = fitconnect::Sha512Hex(other);
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kHashMismatch, "data");
}

TEST(IntakeEndToEnd, RejectsAttachmentHashMismatch) {
  Draft d;
  d.destination = world->main;
  d.parts[0].described_hash = fitconnect::Sha512Hex("something else");
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kHashMismatch, "attachment:" + d.parts[0].id);
}

TEST(IntakeEndToEnd, RejectsDataViolatingDataSchema) {
  Draft d;
  d.destination = world->main;
  d.data = R"({"antragsteller": {"vorname": "Erika"}})";
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kSchemaViolation, "data");
}

TEST(IntakeEndToEnd, RejectsDataSchemaTheDestinationDoesNotAccept) {
  Draft d;
  d.destination = world->main;
  d.schema_uri = kOtherSchema;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kUnsupportedSchema, "data");
}

TEST(IntakeEndToEnd, ZustelldienstRefusesServiceTheDestinationDoesNotOffer) {
  // The stand-in refuses the announcement itself (service-not-accepted), so
  // such a submission never reaches the hub; the hub's own check of the
  // submission's service is covered by the metadata case below.
  SenderClient::Announcement a;
  a.destination_id = world->main;
  a.service_identifier = kOtherService;
  a.service_name = "Andere Leistung";
  auto ref = world->sender->Announce(a);
  EXPECT_THAT(ref.status(), testing::StatusIs(Code::kCheckFailed));
}

TEST(IntakeEndToEnd, RejectsMetadataServiceDifferingFromSubmission) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) { m["publicServiceType"]["identifier"] = kOtherService; };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kServiceMismatch, "metadata");
}

TEST(IntakeEndToEnd, RejectsReplyChannelNotOffered) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) {
    m["replyChannel"] = {{"deMail", {{"address", "erika@example.de-mail.de"}}}};
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kUnsupportedReplyChannel, "metadata");
}

TEST(IntakeEndToEnd, AcceptsReplyChannelOffered) {
  Draft d;
  d.destination = world->main;
  d.edit_metadata = [](json& m) {
    m["replyChannel"] = {{"eMail", {{"address", "erika@example.org"}}}};
  };
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, RejectsAttachmentDescribedButNotSubmitted) {
  Draft d;
  d.destination = world->main;
  Part ghost;
  ghost.upload = false;
  d.parts.push_back(ghost);
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kMissingAttachment, "attachment:" + ghost.id);
}

TEST(IntakeEndToEnd, RejectsAttachmentSubmittedButNotDescribed) {
  Draft d;
  d.destination = world->main;
  Part hidden;
  hidden.describe = false;
  d.parts.push_back(hidden);
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kAttachmentsMismatch, "attachment:" + hidden.id);
}

TEST(IntakeEndToEnd, RejectsMissingDataThatMetadataDescribes) {
  Draft d;
  d.destination = world->main;
  d.send_data = false;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kMissingData, "data");
}

// ---------------------------------------------------------------------------
// Key rollover.

TEST(IntakeEndToEnd, AcceptsOldKeyStillInTheRing) {
  Draft d;
  d.destination = world->main;
  d.metadata_key = &*world->enc_old;
  d.data_key = &*world->enc_old;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

TEST(IntakeEndToEnd, RejectsRetiredKeyUnlessAllowed) {
  Draft d;
  d.destination = world->strict;
  d.metadata_key = &*world->enc_old;
  d.data_key = &*world->enc_old;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectRejected(*ref, ProblemKind::kEncryptionIssue, "metadata");
}

TEST(IntakeEndToEnd, AcceptsRetiredKeyWhenAllowed) {
  Draft d;
  d.destination = world->lenient;
  d.metadata_key = &*world->enc_old;
  d.data_key = &*world->enc_old;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
}

// ---------------------------------------------------------------------------
// Idempotency.

TEST(IntakeEndToEnd, RetriesFailedAcceptWithoutFilingAgain) {
  Draft d;
  d.destination = world->flaky;
  world->proxy->fail_events = true;
  auto ref = Send(d);
  ASSERT_OK(ref);
  intake::JournalEntry e = Drive(ref->submission_id, [](const intake::JournalEntry& e) {
    return e.state == intake::State::kFiled && e.attempts > 0;
  });
  world->proxy->fail_events = false;
  ASSERT_EQ(Name(e.state), "filed") << e.last_error;
  EXPECT_FALSE(e.last_error.empty());
  EXPECT_EQ(FiledCount(ref->submission_id), 1);
  json problems;
  EXPECT_EQ(ZdState(*ref, &problems), "submitted");

  // The retry comes after the backoff (5 s for the first failure).
  ExpectAccepted(*ref);
  EXPECT_EQ(Drive(ref->submission_id).vorgang_id, e.vorgang_id);
}

TEST(IntakeEndToEnd, ProcessingAFiledSubmissionAgainFilesNothingTwice) {
  Draft d;
  d.destination = world->main;
  auto ref = Send(d);
  ASSERT_OK(ref);
  ExpectAccepted(*ref);
  std::string vorgang = Drive(ref->submission_id).vorgang_id;

  // As after a crash between filing and the journal's write: a journal that
  // does not know the submission processes it from the start against the
  // same E-Akte and the already answered case.
  testing::TempDir other;
  auto journal = intake::OpenSqliteJournal(other.path() / "journal.sqlite");
  ASSERT_OK(journal);
  auto schemas = fitconnect::MetadataSchemas::Load(testing::SpecsDir());
  ASSERT_OK(schemas);
  intake::DataSchemas data;
  ASSERT_OK(data.AddJson(demo::kDataSchemaUri, demo::DataSchema()));
  gate::Gate gate(&DefaultLogger());
  intake::ProcessorOptions po;
  po.spool_dir = other.path() / "spool";
  po.key_policy.test_mode = true;
  intake::Processor processor(po, journal->get(), &world->hub->store(), &gate, &*schemas,
                              &data, &DefaultLogger());
  ASSERT_OK((*journal)->Receive(ref->submission_id, ref->case_id, ref->destination_id));
  auto entry = (*journal)->Get(ref->submission_id);
  ASSERT_OK(entry);
  ASSERT_TRUE(entry->has_value());

  intake::Destination dest = world->flaky_destination;  // same keys as main
  dest.id = world->main;
  // The hub's own client is not exposed: a second subscriber of main.
  auto sub = world->zd->admin().CreateClient(zustelldienst::Role::kSubscriber,
                                             {world->main}, "second hub");
  ASSERT_OK(sub);
  dest.api = std::make_shared<submission_api::SubscriberClient>(submission_api::Endpoint{
      .api_url = world->zd->base_url(), .token_url = world->zd->token_url(),
      .client_id = sub->client_id, .client_secret = sub->client_secret});

  intake::Outcome o = processor.Process(dest, **entry);
  EXPECT_FALSE(o.retry) << o.error;
  EXPECT_EQ(Name(o.state), "accepted");
  auto again = (*journal)->Get(ref->submission_id);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->vorgang_id, vorgang);
  EXPECT_EQ(FiledCount(ref->submission_id), 1);
  json problems;
  EXPECT_EQ(ZdState(*ref, &problems), "accepted");
}

// ---------------------------------------------------------------------------
// Operations: GET /metrics in the Prometheus text format.

// The value of one series in a text exposition; 0 when absent.
double MetricValue(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

TEST(IntakeEndToEnd, MetricsCountOutcomesByProblemTypeAndTimeEachStep) {
  net::Router router;
  world->hub->AddRoutes(router);
  auto server = net::HttpServer::Start({.listen = "127.0.0.1:0"}, std::move(router));
  ASSERT_OK(server);
  auto scrape = [&]() -> std::string {
    auto r = net::Fetch({.url = (*server)->base_url() + "/metrics"});
    if (!r.ok() || r->status != 200) return "scrape failed";
    EXPECT_EQ(r->headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
    return r->body;
  };
  const std::string d = "destination=\"" + world->main + "\"";
  const std::string accepted =
      "drehscheibe_intake_submissions_total{" + d + ",outcome=\"accepted\",problem=\"\"}";
  const std::string rejected = "drehscheibe_intake_submissions_total{" + d +
                               ",outcome=\"rejected\",problem=\"" +
                               fitconnect::ProblemType(ProblemKind::kHashMismatch) + "\"}";
  const std::string checks = "drehscheibe_intake_step_duration_seconds_count{step=\"check\"}";
  std::string before = scrape();

  Draft good;
  good.destination = world->main;
  auto ok_ref = Send(good);
  ASSERT_OK(ok_ref);
  Draft bad;
  bad.destination = world->main;
  bad.parts[0].described_hash = fitconnect::Sha512Hex("not the attachment");
  auto bad_ref = Send(bad);
  ASSERT_OK(bad_ref);

  // Both are in the queue until processed.
  ASSERT_OK(world->hub->PollOnce());
  std::string queued = scrape();
  EXPECT_GE(MetricValue(queued, "drehscheibe_intake_queue_depth{" + d + ",state=\"received\"}"),
            2);

  ExpectAccepted(*ok_ref);
  ExpectRejected(*bad_ref, ProblemKind::kHashMismatch, "attachment:" + bad.parts[0].id);
  std::string after = scrape();
  EXPECT_EQ(MetricValue(after, accepted) - MetricValue(before, accepted), 1) << after;
  EXPECT_EQ(MetricValue(after, rejected) - MetricValue(before, rejected), 1) << after;
  EXPECT_GE(MetricValue(after, checks) - MetricValue(before, checks), 2);
  EXPECT_EQ(MetricValue(after, "drehscheibe_intake_queue_depth{" + d + ",state=\"received\"}"),
            0);
  EXPECT_GT(MetricValue(after, "drehscheibe_intake_polls_total{" + d + ",result=\"ok\"}"), 0);
  // Identifiers only: no submission or case id appears in any label.
  EXPECT_EQ(after.find(ok_ref->submission_id), std::string::npos);
  EXPECT_EQ(after.find(ok_ref->case_id), std::string::npos);
  (*server)->Stop();
}

}  // namespace
}  // namespace ds
