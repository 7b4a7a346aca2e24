// Behaviour of the REST API over real HTTP on loopback, run against every
// backend (api_test_support.h). Every answer is also checked against the
// OpenAPI file.
#include "api/api.h"

#include <set>

#include "api/api_test_support.h"
#include "api/openapi_check.h"
#include "core/encoding.h"

namespace ds::api::testing {
namespace {
using nlohmann::json;
using records::Verdict;

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z

std::string Ids(const json& page) {
  std::string out;
  for (const auto& item : page["items"]) {
    out += item["id"].get<std::string>() + " ";
  }
  return out;
}

}  // namespace

void ApiTest::SetUp() {
  quiet_.set_level(LogLevel::kOff);
  auto store = OpenApiTestStore(tmp_.path());
  ASSERT_OK(store);
  store_ = std::move(*store);
  net::Router router;
  AddApiRoutes(router, *store_, quiet_);
  auto server = net::HttpServer::Start({}, std::move(router));
  ASSERT_OK(server);
  server_ = std::move(*server);

  clerk_a_ = Token("kreis-a", "a.clerk", "clerk");
  admin_a_ = Token("kreis-a", "a.admin", "tenant-admin");
  operator_a_ = Token("kreis-a", "a.ops", "operator");
  clerk_b_ = Token("kreis-b", "b.clerk", "clerk");
  admin_b_ = Token("kreis-b", "b.admin", "tenant-admin");
}

void ApiTest::TearDown() {
  if (server_) server_->Stop();
}

std::string ApiTest::Token(const std::string& tenant, const std::string& user,
                           const std::string& role) {
  auto r = ParseRole(role);
  EXPECT_OK(r);
  auto issued = CreateApiToken(*store_, tenant, user, *r, "test");
  EXPECT_OK(issued);
  return issued.ok() ? issued->token : "";
}

net::ClientResponse ApiTest::Call(const std::string& method,
                                  const std::string& target,
                                  const std::string& token,
                                  const std::string& body) {
  net::ClientRequest req;
  req.method = method;
  req.url = server_->base_url() + target;
  if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
  if (!body.empty()) {
    req.body = body;
    req.headers["Content-Type"] = "application/json";
  }
  auto answer = net::Fetch(req);
  EXPECT_OK(answer);
  if (!answer.ok()) return {};
  std::string path = target.substr(0, target.find('?'));
  std::string err = CheckAnswer(method, path, *answer);
  EXPECT_EQ(err, "") << method << " " << target << " -> " << answer->status
                     << " " << answer->body;
  return *answer;
}

json ApiTest::CallJson(const std::string& method, const std::string& target,
                       const std::string& token, int status,
                       const std::string& body) {
  net::ClientResponse r = Call(method, target, token, body);
  EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

std::string ApiTest::FileCase(const std::string& tenant,
                              const std::string& subject, int64_t received_at,
                              Verdict verdict, const std::string& service) {
  auto put = [&](const std::string& bytes, const std::string& name,
                 const std::string& mime) {
    auto blob = store_->files().PutBytes(bytes);
    EXPECT_OK(blob);
    records::IncomingDocument d;
    d.filename = name;
    d.mime_type = mime;
    d.content_address = blob.ok() ? blob->address : "";
    d.size = static_cast<int64_t>(bytes.size());
    return d;
  };
  records::IncomingSubmission in;
  in.tenant = tenant;
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = service;
  in.service_name = "Wohngeld";
  in.received_at = received_at;
  in.subject = subject;
  in.form_data = put(R"({"antrag":{"ort":"Jena","text":")" + subject + R"("}})",
                     "fachdaten.json", "application/json");
  records::IncomingDocument a =
      put("%PDF-1.4 attachment of " + in.submission_id, "Mietvertrag.pdf",
          "application/pdf");
  a.attachment_id = NewUuid();
  a.verdict = verdict;
  a.findings_json = R"([{"check":"pdf","result":"ok"}])";
  in.attachments.push_back(a);
  // A SET-shaped token: header.payload.signature (payload decodable).
  in.event_log = {"eyJhbGciOiJQUzUxMiJ9." +
                  Base64UrlEncode(R"({"iat":1767225600,"events":{)"
                                  R"("https://schema.fitko.de/fit-connect/)"
                                  R"(events/submit-submission":{}}})") +
                  ".c2ln"};
  auto receipt = store_->FileSubmission(in);
  EXPECT_OK(receipt);
  return receipt.ok() ? receipt->vorgang_id : "";
}

namespace {

// ---- authentication and roles ------------------------------------------

TEST_P(ApiTest, MeNamesTheTokensUserTenantAndRole) {
  json me = CallJson("GET", "/api/v1/me", admin_a_, 200);
  EXPECT_EQ(me["user"], "a.admin");
  EXPECT_EQ(me["tenant"], "kreis-a");
  EXPECT_EQ(me["role"], "tenant-admin");
}

TEST_P(ApiTest, MissingTokenIsUnauthenticatedWithChallenge) {
  net::ClientResponse r = Call("GET", "/api/v1/vorgaenge", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["WWW-Authenticate"], "Bearer realm=\"drehscheibe\"");
  EXPECT_EQ(r.headers["Content-Type"], "application/problem+json");
}

TEST_P(ApiTest, WrongSecretOfARealTokenIsRefused) {
  std::string wrong = clerk_a_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  net::ClientResponse r = Call("GET", "/api/v1/vorgaenge", wrong);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.headers["WWW-Authenticate"].find("invalid_token"),
            std::string::npos);
}

TEST_P(ApiTest, MalformedAndForeignSchemeTokensAreRefused) {
  for (const std::string& header :
       {std::string("Basic YTpi"), std::string("Bearer"),
        std::string("Bearer ds1_zz"), "Bearer " + clerk_a_ + "x",
        "Token " + clerk_a_}) {
    net::ClientRequest req;
    req.url = server_->base_url() + "/api/v1/me";
    req.headers["Authorization"] = header;
    auto r = net::Fetch(req);
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 401) << header;
  }
  // The scheme name is case-insensitive.
  net::ClientRequest req;
  req.url = server_->base_url() + "/api/v1/me";
  req.headers["Authorization"] = "bearer " + clerk_a_;
  auto r = net::Fetch(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
}

TEST_P(ApiTest, RevokedTokenIsRefused) {
  std::string id = clerk_a_.substr(4, 32);
  ASSERT_OK(store_->RevokeApiToken("kreis-a", id, "test"));

  EXPECT_EQ(Call("GET", "/api/v1/me", clerk_a_).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/me", admin_a_).status, 200);
}

TEST_P(ApiTest, StoresOnlyAHashOfTheSecret) {
  auto row = store_->GetApiToken(clerk_a_.substr(4, 32));
  ASSERT_OK(row);
  std::string secret = clerk_a_.substr(4 + 32 + 1);
  EXPECT_EQ(row->secret_hash, HexEncode(Sha256(secret)));
  EXPECT_EQ(row->user, "a.clerk");
  EXPECT_EQ(row->role, "clerk");
}

TEST_P(ApiTest, OperatorSeesMetadataButNoContentAndChangesNothing) {
  std::string vid = FileCase("kreis-a", "Wohngeld Antrag", kT0);
  json c = CallJson("GET", "/api/v1/vorgaenge/" + vid, operator_a_, 200);
  std::string format = c["dokumente"][1]["formats"][0]["id"];

  EXPECT_EQ(
      Call("GET", "/api/v1/formats/" + format + "/content", operator_a_).status,
      403);
  EXPECT_EQ(Call("GET", "/api/v1/search?q=Wohngeld", operator_a_).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/v1/vorgaenge/" + vid, operator_a_,
                 R"({"subject":"x"})")
                .status,
            403);
  EXPECT_EQ(
      Call("POST", "/api/v1/akten", operator_a_, R"({"betreff":"x"})").status,
      403);
  EXPECT_EQ(Call("GET", "/api/v1/audit", operator_a_).status, 403);
  // Refused before the id is looked up: an unknown id is also 403.
  EXPECT_EQ(Call("GET", "/api/v1/formats/nope/content", operator_a_).status,
            403);
}

TEST_P(ApiTest, OnlyTenantAdminReadsTheAuditTrail) {
  EXPECT_EQ(Call("GET", "/api/v1/audit", clerk_a_).status, 403);
  json page = CallJson("GET", "/api/v1/audit?limit=2", admin_a_, 200);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["seq"], 1);
  EXPECT_EQ(page["next_from_seq"], 3);
}

// ---- inbox -------------------------------------------------------------

TEST_P(ApiTest, ListsInboxNewestFirstAndFilters) {
  std::string old_id = FileCase("kreis-a", "alt", kT0);
  std::string mid_id =
      FileCase("kreis-a", "mitte", kT0 + kDay, Verdict::kQuarantined);
  std::string new_id = FileCase("kreis-a", "neu", kT0 + 2 * kDay,
                                Verdict::kClean, "urn:leika:kita");
  ASSERT_OK(store_->RecordRouting("kreis-a", old_id, "failed", "", "test"));

  json all = CallJson("GET", "/api/v1/vorgaenge", clerk_a_, 200);
  EXPECT_EQ(Ids(all), new_id + " " + mid_id + " " + old_id + " ");
  EXPECT_TRUE(all["next_cursor"].is_null());
  EXPECT_EQ(all["items"][1]["worst_verdict"], "quarantined");
  EXPECT_EQ(all["items"][0]["received_at"], "2026-01-03T00:00:00Z");

  EXPECT_EQ(Ids(CallJson("GET", "/api/v1/vorgaenge?service=urn%3Aleika%3Akita",
                         clerk_a_, 200)),
            new_id + " ");
  EXPECT_EQ(
      Ids(CallJson("GET", "/api/v1/vorgaenge?state=failed", clerk_a_, 200)),
      old_id + " ");
  EXPECT_EQ(Ids(CallJson("GET", "/api/v1/vorgaenge?verdict=quarantined",
                         clerk_a_, 200)),
            mid_id + " ");
  EXPECT_EQ(Ids(CallJson("GET",
                         "/api/v1/vorgaenge?received_from=2026-01-02"
                         "&received_until=2026-01-03T00%3A00%3A00Z",
                         clerk_a_, 200)),
            mid_id + " ");
  EXPECT_EQ(Ids(CallJson("GET",
                         "/api/v1/vorgaenge?received_from="
                         "2026-01-02T01%3A00%3A00%2B01%3A00",
                         clerk_a_, 200)),
            new_id + " " + mid_id + " ");
}

TEST_P(ApiTest, PagesThroughTheInboxWithTheCursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(FileCase("kreis-a", "x", kT0 + i));

  std::string seen, cursor;
  int pages = 0;
  do {
    std::string target = "/api/v1/vorgaenge?limit=2";
    if (!cursor.empty()) target += "&cursor=" + net::UrlEncode(cursor);
    json page = CallJson("GET", target, clerk_a_, 200);
    seen += Ids(page);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"];
    ++pages;
  } while (!cursor.empty() && pages < 10);

  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, ids[4] + " " + ids[3] + " " + ids[2] + " " + ids[1] + " " +
                      ids[0] + " ");
}

TEST_P(ApiTest, RejectsBadListParameters) {
  for (const char* q :
       {"limit=0", "limit=501", "limit=ten", "verdict=evil", "state=bogus",
        "received_from=yesterday", "received_from=2026-02-30",
        "received_until=2027-02-29T10:00:00Z", "cursor=garbage",
        "colour=blue"}) {
    EXPECT_EQ(
        Call("GET", std::string("/api/v1/vorgaenge?") + q, clerk_a_).status,
        400)
        << q;
  }
  EXPECT_EQ(Call("GET", "/api/v1/akten?closed=maybe", clerk_a_).status, 400);
}

// ---- a case and its documents ------------------------------------------

TEST_P(ApiTest, ReadsCaseWithDocumentsVerdictsAndEventLog) {
  std::string vid = FileCase("kreis-a", "Antrag", kT0, Verdict::kNeutralised);

  json c = CallJson("GET", "/api/v1/vorgaenge/" + vid, clerk_a_, 200);

  EXPECT_EQ(c["id"], vid);
  EXPECT_TRUE(c["akte_id"].is_null());
  ASSERT_EQ(c["dokumente"].size(), 2u);
  EXPECT_EQ(c["dokumente"][0]["position"], 0);
  EXPECT_EQ(c["dokumente"][1]["verdict"], "neutralised");
  EXPECT_EQ(c["dokumente"][1]["findings"][0]["check"], "pdf");
  EXPECT_EQ(c["dokumente"][1]["formats"][0]["filename"], "Mietvertrag.pdf");
  ASSERT_EQ(c["event_log"].size(), 1u);
  EXPECT_EQ(c["event_log"][0]["event"],
            "https://schema.fitko.de/fit-connect/events/submit-submission");
  EXPECT_EQ(c["event_log"][0]["issued_at"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(Call("GET", "/api/v1/vorgaenge/no-such-id", clerk_a_).status, 404);
}

TEST_P(ApiTest, DownloadsContentAndAuditsTheRead) {
  std::string vid = FileCase("kreis-a", "Antrag", kT0, Verdict::kQuarantined);
  json c = CallJson("GET", "/api/v1/vorgaenge/" + vid, clerk_a_, 200);
  std::string format = c["dokumente"][1]["formats"][0]["id"];
  std::string url = c["dokumente"][1]["formats"][0]["content_url"];
  EXPECT_EQ(url, "/api/v1/formats/" + format + "/content");

  net::ClientResponse r = Call("GET", url, clerk_a_);

  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "%PDF-1.4 attachment of " + c["submission_id"].get<std::string>());
  EXPECT_EQ(r.headers["Content-Type"], "application/pdf");
  EXPECT_EQ(r.headers["Content-Disposition"],
            "attachment; filename=\"Mietvertrag.pdf\"; "
            "filename*=UTF-8''Mietvertrag.pdf");
  EXPECT_EQ(r.headers["X-Drehscheibe-Verdict"], "quarantined");
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");

  json audit = CallJson("GET", "/api/v1/audit?limit=1000", admin_a_, 200);
  const json& last = audit["items"].back();
  EXPECT_EQ(last["action"], "read-content");
  EXPECT_EQ(last["actor"], "a.clerk");
  EXPECT_EQ(last["object_ids"].back(), format);
  EXPECT_EQ(last["object_ids"][0], vid);
}

TEST_P(ApiTest, ChangesVorgangMetadataAndAuditsIt) {
  std::string vid = FileCase("kreis-a", "Antrag", kT0);

  json v = CallJson("PATCH", "/api/v1/vorgaenge/" + vid, clerk_a_, 200,
                    R"({"subject":"Wohngeld Familie M."})");

  EXPECT_EQ(v["subject"], "Wohngeld Familie M.");
  auto entries = store_->ReadAudit("kreis-a");
  ASSERT_OK(entries);
  EXPECT_EQ(entries->back().action, "change-metadata");
  EXPECT_EQ(entries->back().actor, "a.clerk");
  // The new subject is searchable.
  json hits = CallJson("GET", "/api/v1/search?q=Familie", clerk_a_, 200);
  ASSERT_EQ(hits["items"].size(), 1u);
  EXPECT_EQ(hits["items"][0]["vorgang_id"], vid);

  for (const char* bad :
       {R"({})", R"({"subject":5})", R"({"akte_id":"x"})", R"([1])", "not json",
        // a right-to-left override and a line break
        "{\"subject\":\"Antrag \u202Efdp.exe\"}",
        "{\"subject\":\"Antrag\\nGenehmigt\"}",
        // empty and blank
        R"({"subject":""})", R"({"subject":"   "})"}) {
    EXPECT_EQ(Call("PATCH", "/api/v1/vorgaenge/" + vid, clerk_a_, bad).status,
              400)
        << bad;
  }
}

// ---- Akten ---------------------------------------------------------------

TEST_P(ApiTest, CreatesAkteAssignsVorgangAndListsIt) {
  std::string vid = FileCase("kreis-a", "Antrag", kT0);
  json akte = CallJson("POST", "/api/v1/akten", clerk_a_, 201,
                       R"({"betreff":"Wohngeld 2026","kennzeichen":"50.1",)"
                       R"("vertraulichkeit":"002","retention_years":10})");
  std::string aid = akte["id"];
  EXPECT_EQ(
      Call("POST", "/api/v1/akten", clerk_a_, R"({"betreff":"   "})").status,
      400);
  EXPECT_EQ(akte["vertraulichkeit"], "002");
  EXPECT_EQ(akte["retention_years"], 10);

  json v = CallJson("PUT", "/api/v1/vorgaenge/" + vid + "/akte", clerk_a_, 200,
                    R"({"akte_id":")" + aid + R"("})");

  EXPECT_EQ(v["akte_id"], aid);
  EXPECT_EQ(Ids(CallJson("GET", "/api/v1/vorgaenge", clerk_a_, 200)), "");
  EXPECT_EQ(
      Ids(CallJson("GET", "/api/v1/vorgaenge?akte=" + aid, clerk_a_, 200)),
      vid + " ");
  EXPECT_EQ(
      Ids(CallJson("GET", "/api/v1/akten?kennzeichen=50.1", clerk_a_, 200)),
      aid + " ");
  EXPECT_EQ(Ids(CallJson("GET", "/api/v1/akten?closed=true", clerk_a_, 200)),
            "");
  EXPECT_EQ(
      CallJson("GET", "/api/v1/akten/" + aid, operator_a_, 200)["betreff"],
      "Wohngeld 2026");
  EXPECT_EQ(Call("PUT", "/api/v1/vorgaenge/" + vid + "/akte", clerk_a_,
                 R"({"akte_id":"no-such-akte"})")
                .status,
            404);
}

TEST_P(ApiTest, ChangesAkteMetadataAndValidatesIt) {
  json akte =
      CallJson("POST", "/api/v1/akten", clerk_a_, 201, R"({"betreff":"Kita"})");
  std::string aid = akte["id"];
  EXPECT_EQ(akte["vertraulichkeit"], "003");

  json changed = CallJson("PATCH", "/api/v1/akten/" + aid, clerk_a_, 200,
                          R"({"federfuehrung":"Jugendamt"})");

  EXPECT_EQ(changed["federfuehrung"], "Jugendamt");
  EXPECT_EQ(changed["betreff"], "Kita");
  for (const char* bad :
       {R"({"vertraulichkeit":"007"})", R"({"retention_years":-1})",
        R"({"betreff":""})", R"({"owner":"x"})", R"({})"}) {
    EXPECT_EQ(Call("PATCH", "/api/v1/akten/" + aid, clerk_a_, bad).status, 400)
        << bad;
  }
  EXPECT_EQ(
      Call("POST", "/api/v1/akten", clerk_a_, R"({"kennzeichen":"1"})").status,
      400);
}

TEST_P(ApiTest, PagesThroughAkten) {
  std::set<std::string> made;
  for (int i = 0; i < 3; ++i) {
    made.insert(CallJson("POST", "/api/v1/akten", clerk_a_, 201,
                         R"({"betreff":"A"})")["id"]
                    .get<std::string>());
  }
  json first = CallJson("GET", "/api/v1/akten?limit=2", clerk_a_, 200);
  ASSERT_EQ(first["items"].size(), 2u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second =
      CallJson("GET",
               "/api/v1/akten?limit=2&cursor=" +
                   net::UrlEncode(first["next_cursor"].get<std::string>()),
               clerk_a_, 200);
  ASSERT_EQ(second["items"].size(), 1u);
  std::set<std::string> seen;
  for (const json* p : {&first, &second}) {
    for (const auto& a : (*p)["items"]) seen.insert(a["id"]);
  }
  EXPECT_EQ(seen, made);
}

// ---- search ----------------------------------------------------------------

TEST_P(ApiTest, SearchFindsFormDataOfOwnTenantOnly) {
  std::string a = FileCase("kreis-a", "Antrag Schwimmbad", kT0);
  FileCase("kreis-b", "Antrag Schwimmbad", kT0);

  json hits = CallJson("GET", "/api/v1/search?q=Schwimmbad", clerk_a_, 200);

  ASSERT_EQ(hits["items"].size(), 1u);
  EXPECT_EQ(hits["items"][0]["vorgang_id"], a);
  EXPECT_EQ(Call("GET", "/api/v1/search", clerk_a_).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backend, ApiTest, ::testing::Values(BackendName()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ds::api::testing
