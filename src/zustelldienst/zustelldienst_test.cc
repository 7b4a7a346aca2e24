// Functional test: the stand-in on loopback, driven over real HTTP by the
// Submission API clients, with a real callback receiver.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "fitconnect/event_log.h"
#include "jose/jwe.h"
#include "jose/jws.h"
#include "net/http.h"
#include "submission_api/client.h"
#include "submission_api/send.h"
#include "zustelldienst/service.h"

namespace ds::zustelldienst {
namespace {

namespace sa = ds::submission_api;
using ::ds::testing::StatusIs;
using ::ds::testing::TempDir;
using Json = nlohmann::json;

constexpr char kLeika[] = "urn:de:fim:leika:leistung:99123456760610";
constexpr char kSchema[] = "https://schema.example.invalid/wohngeld/1.0.0.json";
constexpr char kSecret[] = "callback-secret-0123456789";

std::string HmacHex(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
  return HexEncode(std::string_view(reinterpret_cast<char*>(mac), len));
}

// Receives callbacks; checks their HMAC like a subscriber must; can fail the
// first attempts to exercise the service's retries.
struct CallbackReceiver {
  std::mutex mu;
  std::vector<Json> valid;   // bodies with a good HMAC
  int invalid = 0;
  int attempts = 0;
  int fail_first = 0;
  std::unique_ptr<net::HttpServer> server;

  void Start() {
    net::Router r;
    r.Add("POST", "/callback", [this](const net::Request& req) {
      std::lock_guard lock(mu);
      ++attempts;
      if (fail_first > 0) {
        --fail_first;
        return net::Response::Empty(503);
      }
      std::string ts = req.header("callback-timestamp");
      std::string mac = req.header("callback-authentication");
      bool fresh = !ts.empty() && std::llabs(std::stoll(ts) - UnixNow()) < 300;
      if (!fresh || mac != HmacHex(kSecret, ts + "." + req.body)) {
        ++invalid;
        return net::Response::Empty(401);
      }
      valid.push_back(Json::parse(req.body));
      return net::Response::Empty(204);
    });
    server = *net::HttpServer::Start({}, std::move(r));
  }
  std::string url() const { return server->base_url() + "/callback"; }

  // Waits for a valid callback mentioning `submission_id` of `type`.
  bool WaitFor(const std::string& submission_id, std::string_view type,
               int seconds = 10) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock(mu);
        for (const auto& b : valid) {
          if (b["type"].get<std::string>().ends_with(type) &&
              b["submissions"][0]["submissionId"] == submission_id) {
            return true;
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
};

// RSA-4096 keygen is slow and ctest runs every test in its own process:
// keys are generated once and cached in the build tree.
jose::Jwk CachedKey(const std::string& name, const std::string& alg) {
  std::filesystem::path file =
      std::filesystem::path(DS_ZD_TEST_KEY_CACHE) / (name + ".jwk");
  if (auto text = ReadFile(file); text.ok()) {
    if (auto key = jose::Jwk::Parse(*text); key.ok()) return *key;
  }
  jose::Jwk key = *jose::Jwk::Generate(4096, NewUuid(), alg);
  (void)EnsureDir(file.parent_path());
  (void)WriteFileAtomic(file, key.PrivateJson().dump());
  return key;
}

class ZustelldienstTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    enc_key_ = new jose::Jwk(CachedKey("destination-encryption", "RSA-OAEP-256"));
    sig_key_ = new jose::Jwk(CachedKey("destination-signature", "PS512"));
    dir_ = new TempDir();
    // The service would generate its own signing key on first start.
    ASSERT_OK(WriteFileAtomic(dir_->path() / "service-signing-key.jwk",
                              CachedKey("service", "PS512").PrivateJson().dump()));
    receiver_ = new CallbackReceiver();
    receiver_->Start();
    StartService();

    DestinationSpec spec;
    spec.services.push_back({kLeika, "Wohngeld", {}, {{kSchema, "application/json"}}});
    spec.callback_url = receiver_->url();
    spec.callback_secret = kSecret;
    spec.encryption_key = enc_key_->PublicOnly();
    spec.signature_keys.push_back(sig_key_->PublicOnly());
    destination_ = *service_->admin().CreateDestination(spec);
    sender_ = *service_->admin().CreateClient(Role::kSender, {}, "portal");
    subscriber_ =
        *service_->admin().CreateClient(Role::kSubscriber, {destination_}, "hub");
  }
  static void TearDownTestSuite() {
    service_.reset();
    delete receiver_;
    delete dir_;
    delete enc_key_;
    delete sig_key_;
  }

  static void StartService() {
    Options o;
    o.listen = "127.0.0.1:0";
    o.data_dir = dir_->path();
    o.limits = {.max_attachment_bytes = 64 * 1024,
                .max_attachments = 5,
                .max_submission_bytes = 160 * 1024};
    o.callback_initial_backoff_ms = 50;
    o.sweep_interval_ms = 50;
    auto s = Service::Start(o);
    ASSERT_OK(s);
    service_ = std::move(*s);
  }

  static sa::Endpoint EndpointFor(const ClientCredentials& c) {
    return {.api_url = service_->base_url(),
            .token_url = service_->token_url(),
            .client_id = c.client_id,
            .client_secret = c.client_secret};
  }
  static sa::SenderClient Sender() { return sa::SenderClient(EndpointFor(sender_)); }
  static sa::SubscriberClient Subscriber() {
    return sa::SubscriberClient(EndpointFor(subscriber_));
  }

  static sa::Application SampleApplication(int attachments = 2) {
    sa::Application app;
    app.destination_id = destination_;
    app.service_identifier = kLeika;
    app.service_name = "Wohngeld";
    app.data = R"({"antragsteller":{"name":"Erika Mustermann"}})";
    app.data_schema_uri = kSchema;
    for (int i = 0; i < attachments; ++i) {
      app.attachments.push_back({.filename = "anlage" + std::to_string(i) + ".pdf",
                                 .content = "%PDF-1.4 test " + std::to_string(i)});
    }
    return app;
  }

  static sa::SendOptions TestSend() {
    sa::SendOptions o;
    o.key_policy.test_mode = true;
    return o;
  }

  // A subscriber SET for one event, signed with `key`.
  static std::string SubscriberSet(const jose::Jwk& key, const std::string& sub,
                                   const std::string& case_id,
                                   const std::string& event, Json body) {
    Json payload = {
        {"$schema", "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json"},
        {"jti", NewUuid()},
        {"iss", destination_},
        {"iat", UnixNow()},
        {"sub", "submission:" + sub},
        {"txn", "case:" + case_id},
        {"events", {{"https://schema.fitko.de/fit-connect/events/" + event, body}}}};
    return *jose::SignPs512(key, {{"typ", "secevent+jwt"}}, payload.dump());
  }

  // The payload of the submit-submission SET of a case, verified with the
  // service's published key.
  static Json SubmitEvent(const std::string& case_id) {
    auto log = Subscriber().GetEvents(case_id);
    EXPECT_OK(log);
    auto jwks = *jose::Jwks::FromJson(*Subscriber().GetServiceJwks());
    for (const auto& token : log->events) {
      auto parsed = *jose::ParseJws(token);
      const jose::Jwk* key = jwks.FindByKid(parsed.header["kid"].get<std::string>());
      if (!key) continue;
      auto v = jose::VerifyPs512(token, *key);
      EXPECT_OK(v);
      Json p = Json::parse(v->payload);
      auto it = p["events"].find(
          "https://schema.fitko.de/fit-connect/events/submit-submission");
      if (it != p["events"].end()) return p;
    }
    return Json();
  }

  // Raw request with a token of `c`.
  static net::ClientResponse Raw(const ClientCredentials& c, std::string method,
                                 std::string path, std::string body,
                                 std::string content_type) {
    sa::TokenSource tokens(EndpointFor(c));
    net::ClientRequest req;
    req.method = std::move(method);
    req.url = service_->base_url() + path;
    req.headers["Authorization"] = "Bearer " + *tokens.Get();
    if (!content_type.empty()) req.headers["Content-Type"] = content_type;
    req.body = std::move(body);
    return *net::Fetch(req);
  }

  static std::string ProblemType(const net::ClientResponse& r) {
    auto j = Json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("type", "") : "";
  }

  static int64_t PendingCount() {
    return Subscriber().ListSubmissions(destination_, 0, 500)->total_count;
  }

  static std::string Problems(std::string_view name) {
    return "https://schema.fitko.de/fit-connect/submission-api/problems/" +
           std::string(name);
  }

  static inline jose::Jwk* enc_key_ = nullptr;
  static inline jose::Jwk* sig_key_ = nullptr;
  static inline TempDir* dir_ = nullptr;
  static inline CallbackReceiver* receiver_ = nullptr;
  static inline std::unique_ptr<Service> service_;
  static inline std::string destination_;
  static inline ClientCredentials sender_;
  static inline ClientCredentials subscriber_;
};

TEST_F(ZustelldienstTest, SendCallbackPickupAcceptAndSenderSeesAccepted) {
  auto sender = Sender();
  auto sent = sa::SendApplication(sender, SampleApplication(), TestSend());
  ASSERT_OK(sent);
  const sa::SubmissionRef ref = sent->ref;
  EXPECT_EQ(sent->state, "submitted");
  ASSERT_EQ(sent->attachment_ids.size(), 2u);
  EXPECT_NE(sent->attachment_ids[0], sent->attachment_ids[1]);

  // The destination is called back with a valid HMAC.
  EXPECT_TRUE(receiver_->WaitFor(ref.submission_id, "new-submissions"));

  // Pickup: listed, fetched, attachments downloaded and decrypted.
  auto sub = Subscriber();
  auto page = sub.ListSubmissions(destination_, 0, 100);
  ASSERT_OK(page);
  bool listed = false;
  for (const auto& s : page->submissions) listed |= s.submission_id == ref.submission_id;
  EXPECT_TRUE(listed);
  auto got = sub.GetSubmission(ref.submission_id);
  ASSERT_OK(got);
  EXPECT_EQ(got->case_id, ref.case_id);
  EXPECT_EQ(got->attachments, sent->attachment_ids);
  auto meta = jose::Decrypt(*enc_key_, got->encrypted_metadata, {});
  ASSERT_OK(meta);
  Json metadata = Json::parse(meta->plaintext);
  EXPECT_EQ(metadata["contentStructure"]["attachments"].size(), 2u);

  TempDir out;
  std::map<std::string, std::string> tags;
  for (size_t i = 0; i < got->attachments.size(); ++i) {
    const std::string& id = got->attachments[i];
    ASSERT_OK(sub.DownloadAttachment(ref.submission_id, id, out.path() / id));
    std::string jwe = *ReadFile(out.path() / id);
    auto plain = jose::Decrypt(*enc_key_, jwe, {});
    ASSERT_OK(plain);
    EXPECT_EQ(plain->plaintext, "%PDF-1.4 test " + std::to_string(i));
    tags[id] = *jose::AuthenticationTag(jwe);
  }

  // submit-submission carries the 5th segments as authenticationTags.
  Json submit = SubmitEvent(ref.case_id);
  Json auth = submit["events"].begin().value()["authenticationTags"];
  EXPECT_EQ(auth["metadata"], *jose::AuthenticationTag(got->encrypted_metadata));
  EXPECT_EQ(auth["data"], *jose::AuthenticationTag(got->encrypted_data));
  for (const auto& [id, tag] : tags) EXPECT_EQ(auth["attachments"][id], tag);
  EXPECT_EQ(submit["sub"], "submission:" + ref.submission_id);
  EXPECT_EQ(submit["txn"], "case:" + ref.case_id);

  // The log passes the checks a subscriber runs before accepting.
  fitconnect::StaticKeyResolver resolver;
  resolver.AddDeliveryService(service_->issuer(),
                              *jose::Jwks::FromJson(service_->Jwks()));
  resolver.AddDestination(destination_, jose::Jwks({sig_key_->PublicOnly()}));
  auto checked = fitconnect::CheckSubmissionLog(
      sub.GetEvents(ref.case_id)->events, ref.case_id, ref.submission_id,
      resolver);
  ASSERT_OK(checked);
  EXPECT_EQ(checked->authentication_tags.metadata, auth["metadata"]);
  EXPECT_EQ(checked->state, fitconnect::SubmissionState::kSubmitted);

  // Accept; the submission leaves the pickup list; the sender sees it.
  ASSERT_OK(sub.PostEvent(ref.case_id,
                          SubscriberSet(*sig_key_, ref.submission_id, ref.case_id,
                                        "accept-submission",
                                        {{"authenticationTags", auth}})));
  page = sub.ListSubmissions(destination_, 0, 100);
  for (const auto& s : page->submissions) EXPECT_NE(s.submission_id, ref.submission_id);
  auto log = sender.GetEvents(ref.case_id);
  ASSERT_OK(log);
  EXPECT_EQ(log->events.size(), 3u);
  Json problems;
  auto state = sa::StateFromEventLog(sender, *log, ref, *sender.GetServiceJwks(),
                                     &problems);
  ASSERT_OK(state);
  EXPECT_EQ(*state, "accepted");

  // A second decision is refused and changes nothing.
  EXPECT_THAT(sub.PostEvent(ref.case_id,
                            SubscriberSet(*sig_key_, ref.submission_id,
                                          ref.case_id, "accept-submission",
                                          {{"authenticationTags", auth}})),
              StatusIs(Code::kConflict));
  EXPECT_EQ(sender.GetEvents(ref.case_id)->events.size(), 3u);
}

TEST_F(ZustelldienstTest, RejectReachesAFollowingSenderWithProblems) {
  // The sender follows the log and asks for its own callbacks.
  sa::SendOptions opts = TestSend();
  opts.follow = true;
  opts.follow_timeout_seconds = 30;
  opts.poll_interval_ms = 100;
  opts.callback_url = receiver_->url();
  opts.callback_secret = kSecret;
  std::set<std::string> before;
  auto initial = Subscriber().ListSubmissions(destination_, 0, 500);
  ASSERT_OK(initial);
  for (const auto& s : initial->submissions) before.insert(s.submission_id);
  Result<sa::SendResult> sent = Internal("not run");
  std::thread portal([&] {
    auto sender = Sender();
    sent = sa::SendApplication(sender, SampleApplication(1), opts);
  });

  // The subscriber picks up whatever arrives and rejects it.
  auto sub = Subscriber();
  std::string submission_id, case_id;
  for (int i = 0; i < 200 && submission_id.empty(); ++i) {
    auto page = sub.ListSubmissions(destination_, 0, 100);
    ASSERT_OK(page);
    for (const auto& s : page->submissions) {
      if (before.count(s.submission_id)) continue;
      submission_id = s.submission_id;
      case_id = s.case_id;
    }
    if (submission_id.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_FALSE(submission_id.empty());
  Json problem = {{"type", "https://schema.fitko.de/fit-connect/events/problems/hash-mismatch"},
                  {"title", "Hashwert stimmt nicht"},
                  {"detail", "data"},
                  {"instance", "data"}};
  ASSERT_OK(sub.PostEvent(case_id, SubscriberSet(*sig_key_, submission_id, case_id,
                                                 "reject-submission",
                                                 {{"problems", {problem}}})));
  portal.join();
  ASSERT_OK(sent);
  EXPECT_EQ(sent->ref.submission_id, submission_id);
  EXPECT_EQ(sent->state, "rejected");
  ASSERT_EQ(sent->problems.size(), 1u);
  EXPECT_EQ(sent->problems[0]["type"], problem["type"]);
  EXPECT_TRUE(receiver_->WaitFor(submission_id, "new-events"));
}

TEST_F(ZustelldienstTest, RefusesSubscriberEventsThatFailTheChecks) {
  auto sender = Sender();
  auto sent = sa::SendApplication(sender, SampleApplication(0), TestSend());
  ASSERT_OK(sent);
  const auto& ref = sent->ref;
  Json auth = SubmitEvent(ref.case_id)["events"].begin().value()["authenticationTags"];
  auto sub = Subscriber();
  auto other = *jose::Jwk::Generate(2048, sig_key_->kid(), "PS512");

  struct Case {
    const char* what;
    std::string set;
  } cases[] = {
      {"signed with another key under the registered kid",
       SubscriberSet(other, ref.submission_id, ref.case_id, "accept-submission",
                     {{"authenticationTags", auth}})},
      {"wrong authenticationTags",
       SubscriberSet(*sig_key_, ref.submission_id, ref.case_id,
                     "accept-submission",
                     {{"authenticationTags", {{"metadata", "x"}}}})},
      {"reject without problems",
       SubscriberSet(*sig_key_, ref.submission_id, ref.case_id,
                     "reject-submission", Json::object())},
      {"event a subscriber may not issue",
       SubscriberSet(*sig_key_, ref.submission_id, ref.case_id,
                     "submit-submission", Json::object())},
      {"txn of another case",
       SubscriberSet(*sig_key_, ref.submission_id, NewUuid(),
                     "accept-submission", {{"authenticationTags", auth}})},
  };
  for (const auto& c : cases) {
    Status s = sub.PostEvent(ref.case_id, c.set);
    EXPECT_THAT(s, StatusIs(Code::kCheckFailed)) << c.what;
    ASSERT_TRUE(s.problem().has_value()) << c.what;
    EXPECT_EQ(s.problem()->type, Problems("invalid-event")) << c.what;
  }

  // Two events in one SET.
  Json payload = {{"jti", NewUuid()}, {"iss", destination_}, {"iat", UnixNow()},
                  {"sub", "submission:" + ref.submission_id},
                  {"txn", "case:" + ref.case_id},
                  {"events",
                   {{"https://schema.fitko.de/fit-connect/events/accept-submission",
                     {{"authenticationTags", auth}}},
                    {"https://schema.fitko.de/fit-connect/events/reject-submission",
                     {{"problems", Json::array({{{"type", "x"}}})}}}}}};
  EXPECT_THAT(sub.PostEvent(ref.case_id,
                            *jose::SignPs512(*sig_key_, {{"typ", "secevent+jwt"}},
                                             payload.dump())),
              StatusIs(Code::kCheckFailed));

  // Nothing changed: still two events, still waiting for pickup.
  EXPECT_EQ(sender.GetEvents(ref.case_id)->events.size(), 2u);
  EXPECT_EQ(sub.GetSubmission(ref.submission_id).ok(), true);
  auto state = sa::StateFromEventLog(sender, *sender.GetEvents(ref.case_id), ref,
                                     *sender.GetServiceJwks(), nullptr);
  EXPECT_EQ(*state, "submitted");
}

TEST_F(ZustelldienstTest, BadRequestsGetTheirProblemAndChangeNothing) {
  const int64_t pending = PendingCount();
  Json announce = {{"destinationId", destination_},
                   {"announcedAttachments", Json::array()},
                   {"serviceType", {{"name", "Wohngeld"}, {"identifier", kLeika}}}};

  // Wrong scope, both ways, and no token.
  auto r = Raw(subscriber_, "POST", "/v1/submissions", announce.dump(),
               "application/json");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemType(r), Problems("insufficient-scope"));
  r = Raw(sender_, "GET", "/v1/submissions", "", "");
  EXPECT_EQ(r.status, 403);
  auto anon = net::Fetch({.url = service_->base_url() + "/v1/submissions"});
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(ProblemType(*anon), Problems("unauthorized"));

  // Unknown destination, unknown service, malformed JSON, wrong media type.
  Json unknown = announce;
  unknown["destinationId"] = NewUuid();
  r = Raw(sender_, "POST", "/v1/submissions", unknown.dump(), "application/json");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ProblemType(r), Problems("destination-not-found"));
  Json other_service = announce;
  other_service["serviceType"]["identifier"] = "urn:de:fim:leika:leistung:1";
  r = Raw(sender_, "POST", "/v1/submissions", other_service.dump(),
          "application/json");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(ProblemType(r), Problems("service-type-not-accepted"));
  r = Raw(sender_, "POST", "/v1/submissions", "{\"destinationId\": ",
          "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ProblemType(r), Problems("request-syntax-violation"));
  r = Raw(sender_, "POST", "/v1/submissions", announce.dump(), "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Json::parse(r.body, nullptr, false).value("status", 0), 415) << r.body;

  // Too many attachments; duplicate ids.
  Json many = announce;
  for (int i = 0; i < 6; ++i) many["announcedAttachments"].push_back(NewUuid());
  r = Raw(sender_, "POST", "/v1/submissions", many.dump(), "application/json");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ProblemType(r), Problems("too-many-attachments"));
  Json dup = announce;
  std::string same = NewUuid();
  dup["announcedAttachments"] = {same, same};
  r = Raw(sender_, "POST", "/v1/submissions", dup.dump(), "application/json");
  EXPECT_EQ(r.status, 400);

  // Wrong credentials never yield a token.
  ClientCredentials wrong = sender_;
  wrong.client_secret = "wrong-secret-wrong-secret";
  sa::TokenSource tokens(EndpointFor(wrong));
  EXPECT_THAT(tokens.Get(), StatusIs(Code::kUnauthenticated));

  EXPECT_EQ(PendingCount(), pending);
}

TEST_F(ZustelldienstTest, SubmitNeedsAllAttachmentsAndJwesWithCty) {
  auto sender = Sender();
  auto key = *jose::Jwk::FromJson(*sender.GetKey(destination_, enc_key_->kid()));
  std::string a1 = NewUuid(), a2 = NewUuid();
  auto ref = sender.Announce({.destination_id = destination_,
                              .attachment_ids = {a1, a2},
                              .service_name = "Wohngeld",
                              .service_identifier = kLeika});
  ASSERT_OK(ref);
  std::string meta = *jose::Encrypt(key, "{}", {.cty = "application/json"});
  std::string data = *jose::Encrypt(key, "{}", {.cty = "application/json"});
  std::string no_cty = *jose::Encrypt(key, "{}", {});

  // Uploads: not a JWE, unannounced id, oversized body.
  EXPECT_THAT(sender.UploadAttachment(ref->submission_id, a1, "not a jwe"),
              StatusIs(Code::kCheckFailed));
  Status s = sender.UploadAttachment(ref->submission_id, NewUuid(), no_cty);
  ASSERT_TRUE(s.problem());
  EXPECT_EQ(s.problem()->type, Problems("attachment-not-announced"));
  std::string big = *jose::Encrypt(key, std::string(70 * 1024, 'x'), {});
  s = sender.UploadAttachment(ref->submission_id, a1, big);
  EXPECT_THAT(s, StatusIs(Code::kTooLarge));
  ASSERT_TRUE(s.problem());
  EXPECT_EQ(s.problem()->type, Problems("attachment-too-large"));

  // Submit with one attachment missing.
  ASSERT_OK(sender.UploadAttachment(ref->submission_id, a1,
                                    *jose::Encrypt(key, "pdf", {})));
  s = sender.Submit(ref->submission_id, meta, data);
  EXPECT_THAT(s, StatusIs(Code::kCheckFailed));
  ASSERT_TRUE(s.problem());
  EXPECT_EQ(s.problem()->type, Problems("missing-attachments"));

  // Metadata or data without cty.
  ASSERT_OK(sender.UploadAttachment(ref->submission_id, a2,
                                    *jose::Encrypt(key, "pdf2", {})));
  for (auto [m, d] : {std::pair{no_cty, data}, std::pair{meta, no_cty}}) {
    s = sender.Submit(ref->submission_id, m, d);
    EXPECT_THAT(s, StatusIs(Code::kCheckFailed));
    ASSERT_TRUE(s.problem());
    EXPECT_EQ(s.problem()->type, Problems("invalid-jwe-content-type"));
  }

  // None of this submitted anything: one event, not visible for pickup.
  EXPECT_EQ(sender.GetEvents(ref->case_id)->events.size(), 1u);
  EXPECT_THAT(Subscriber().GetSubmission(ref->submission_id),
              StatusIs(Code::kNotFound));

  // Now complete: accepted by the service.
  ASSERT_OK(sender.Submit(ref->submission_id, meta, data));
  EXPECT_EQ(sender.GetEvents(ref->case_id)->events.size(), 2u);
  EXPECT_THAT(sender.Submit(ref->submission_id, meta, data),
              StatusIs(Code::kConflict));
}

TEST_F(ZustelldienstTest, SubmissionAboveTheTotalLimitIsRefused) {
  auto sender = Sender();
  auto key = *jose::Jwk::FromJson(*sender.GetKey(destination_, enc_key_->kid()));
  std::vector<std::string> ids = {NewUuid(), NewUuid(), NewUuid()};
  auto ref = sender.Announce({.destination_id = destination_,
                              .attachment_ids = ids,
                              .service_identifier = kLeika});
  ASSERT_OK(ref);
  std::string chunk = *jose::Encrypt(key, std::string(40 * 1024, 'y'), {});
  ASSERT_OK(sender.UploadAttachment(ref->submission_id, ids[0], chunk));
  ASSERT_OK(sender.UploadAttachment(ref->submission_id, ids[1], chunk));
  Status s = sender.UploadAttachment(ref->submission_id, ids[2], chunk);
  EXPECT_THAT(s, StatusIs(Code::kTooLarge));
  ASSERT_TRUE(s.problem());
  EXPECT_EQ(s.problem()->type, Problems("submission-too-large"));
}

TEST_F(ZustelldienstTest, RetriesCallbacksUntilAcknowledged) {
  {
    std::lock_guard lock(receiver_->mu);
    receiver_->fail_first = 2;
    receiver_->attempts = 0;
  }
  auto sender = Sender();
  auto sent = sa::SendApplication(sender, SampleApplication(0), TestSend());
  ASSERT_OK(sent);
  EXPECT_TRUE(receiver_->WaitFor(sent->ref.submission_id, "new-submissions"));
  std::lock_guard lock(receiver_->mu);
  EXPECT_GE(receiver_->attempts, 3);
  EXPECT_EQ(receiver_->invalid, 0);
}

TEST_F(ZustelldienstTest, StateSurvivesARestart) {
  auto sent = sa::SendApplication(*std::make_unique<sa::SenderClient>(
                                      EndpointFor(sender_)),
                                  SampleApplication(1), TestSend());
  ASSERT_OK(sent);
  Json jwks = service_->Jwks();
  service_->Stop();
  service_.reset();
  StartService();
  EXPECT_EQ(service_->Jwks(), jwks);
  auto got = Subscriber().GetSubmission(sent->ref.submission_id);
  ASSERT_OK(got);
  EXPECT_EQ(got->attachments, sent->attachment_ids);
  EXPECT_EQ(Sender().GetEvents(sent->ref.case_id)->events.size(), 2u);
}

TEST_F(ZustelldienstTest, ServiceRejectsSubmissionsNotPickedUpInTime) {
  // A second instance with a one-second pickup timeout, reusing the signing
  // key so that no new key has to be generated.
  TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.path() / "service-signing-key.jwk",
                            *ReadFile(dir_->path() / "service-signing-key.jwk")));
  Options o{.listen = "127.0.0.1:0", .data_dir = dir.path()};
  o.pickup_timeout_seconds = 1;
  o.sweep_interval_ms = 100;
  auto zd = Service::Start(o);
  ASSERT_OK(zd);
  DestinationSpec spec;
  spec.services.push_back({kLeika, "", {}, {{kSchema, "application/json"}}});
  spec.encryption_key = enc_key_->PublicOnly();
  auto dest = (*zd)->admin().CreateDestination(spec);
  ASSERT_OK(dest);
  auto creds = (*zd)->admin().CreateClient(Role::kSender, {}, "portal");
  sa::SenderClient sender({.api_url = (*zd)->base_url(),
                           .token_url = (*zd)->token_url(),
                           .client_id = creds->client_id,
                           .client_secret = creds->client_secret});
  sa::Application app = SampleApplication(0);
  app.destination_id = *dest;
  sa::SendOptions opts = TestSend();
  opts.follow = true;
  opts.poll_interval_ms = 200;
  opts.follow_timeout_seconds = 15;
  auto sent = sa::SendApplication(sender, app, opts);
  ASSERT_OK(sent);
  EXPECT_EQ(sent->state, "rejected");
  ASSERT_EQ(sent->problems.size(), 1u);
  EXPECT_TRUE(sent->problems[0]["type"].get<std::string>().ends_with(
      "submission-not-picked-up"));
}

TEST(Setup, AppliesATomlFileOnce) {
  TempDir dir;
  auto key = CachedKey("destination-encryption", "RSA-OAEP-256");
  ASSERT_OK(WriteFileAtomic(dir.path() / "enc.jwk", key.PublicOnly().PublicJson().dump()));
  std::string dest = NewUuid();
  ASSERT_OK(WriteFileAtomic(dir.path() / "setup.toml", R"(
[[destination]]
id = ")" + dest + R"("
encryption_key = "enc.jwk"
reply_channels = ["eMail", "fink"]
[[destination.service]]
identifier = "urn:de:fim:leika:leistung:99123456760610"
schemas = ["https://schema.example.invalid/x.json"]

[[client]]
role = "subscriber"
destinations = [")" + dest + R"("]

[[client]]
id = "8d0c8bd1-1f55-4a8b-9a4a-1d3c6f2b7e10"
secret = "a-fixed-secret-for-tests"
role = "sender"
)"));
  auto admin = Admin::Open(dir.path() / "data");
  ASSERT_OK(admin);
  auto created = ApplySetupFile(**admin, dir.path() / "setup.toml");
  ASSERT_OK(created);
  EXPECT_EQ(created->size(), 2u);
  auto doc = (*admin)->DestinationJson(dest);
  ASSERT_OK(doc);
  EXPECT_EQ((*doc)["encryptionKid"], key.kid());
  EXPECT_TRUE((*doc)["replyChannels"].contains("fink"));
  EXPECT_EQ((*doc)["services"][0]["submissionSchemas"][0]["mimeType"],
            "application/json");

  // Second run: the destination and the fixed client exist; the client
  // without id is created again (it has no natural key).
  created = ApplySetupFile(**admin, dir.path() / "setup.toml");
  ASSERT_OK(created);
  EXPECT_EQ(created->size(), 1u);
}

}  // namespace
}  // namespace ds::zustelldienst
