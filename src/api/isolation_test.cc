// Tenant isolation: every route of the API, called for tenant A's objects
// with tenant B's tokens, with no token and with wrong tokens, is refused
// every time and changes nothing. Objects of another tenant answer 404,
// exactly like objects that do not exist.
#include "api/api.h"
#include "api/api_test_support.h"
#include "core/encoding.h"

namespace ds::api::testing {
namespace {
using nlohmann::json;

// Tenant A's objects, filed through the store.
struct TenantA {
  std::string vorgang, akte, filed_vorgang, format, submission;
};

class IsolationTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    a_.vorgang = FileCase("kreis-a", "Geheimwort Quittenbaum", 1'767'225'600);
    a_.filed_vorgang = FileCase("kreis-a", "Quittenbaum zwei", 1'767'225'601);
    auto akte = store_->CreateAkte("kreis-a", {.betreff = "Akte A"}, "test");
    ASSERT_OK(akte);
    a_.akte = *akte;
    ASSERT_OK(
        store_->AssignToAkte("kreis-a", a_.filed_vorgang, a_.akte, "test"));
    auto v = store_->GetVorgang("kreis-a", a_.vorgang);
    ASSERT_OK(v);
    a_.format = v->dokumente.at(1).formats.at(0).id;
    a_.submission = v->submission_id;
    b_vorgang_ = FileCase("kreis-b", "Antrag B", 1'767'225'600);
  }

  // The request that targets tenant A's data through `route`.
  struct Probe {
    std::string target, body;
    bool lists = false;  // a list: answered 200 but must show nothing of A
  };
  Probe ProbeFor(const RouteSpec& route) {
    const std::string& p = route.pattern;
    std::string m = route.method;
    if (p == "/api/v1/me") return {p, "", true};
    if (p == "/api/v1/vorgaenge") return {p, "", true};
    if (p == "/api/v1/akten" && m == "GET") return {p, "", true};
    if (p == "/api/v1/akten" && m == "POST") {
      return {p, R"({"betreff":"B"})", true};
    }
    if (p == "/api/v1/search") return {p + "?q=Quittenbaum", "", true};
    if (p == "/api/v1/audit") return {p, "", true};
    if (p == "/api/v1/vorgaenge/{id}") {
      return {"/api/v1/vorgaenge/" + a_.vorgang,
              m == "PATCH" ? R"({"subject":"von B"})" : ""};
    }
    if (p == "/api/v1/vorgaenge/{id}/akte") {
      return {"/api/v1/vorgaenge/" + a_.vorgang + "/akte",
              R"({"akte_id":")" + a_.akte + R"("})"};
    }
    if (p == "/api/v1/formats/{id}/content") {
      return {"/api/v1/formats/" + a_.format + "/content", ""};
    }
    if (p == "/api/v1/akten/{id}") {
      return {"/api/v1/akten/" + a_.akte,
              m == "PATCH" ? R"({"betreff":"von B"})" : ""};
    }
    ADD_FAILURE() << "route not covered by the isolation test: " << m << " "
                  << p;
    return {p, ""};
  }

  // Replaces A's object ids (or `from`) in `text` by `to`.
  void Replace(std::string& text, const std::string& to,
               const std::string& from = "") const {
    std::vector<std::string> ids = {a_.vorgang, a_.akte, a_.format};
    if (!from.empty()) ids = {from};
    for (const std::string& id : ids) {
      for (size_t pos = text.find(id); pos != std::string::npos;
           pos = text.find(id, pos + to.size())) {
        text.replace(pos, id.size(), to);
      }
    }
  }

  // True if the answer shows anything of tenant A.
  bool ShowsTenantA(const std::string& body) const {
    for (const std::string& s :
         {a_.vorgang, a_.filed_vorgang, a_.akte, a_.format, a_.submission,
          std::string("Quittenbaum"), std::string("kreis-a")}) {
      if (body.find(s) != std::string::npos) return true;
    }
    return false;
  }

  TenantA a_;
  std::string b_vorgang_;
};

TEST_P(IsolationTest, OtherTenantsTokenIsRefusedOnEveryRoute) {
  auto before = store_->ReadAudit("kreis-a");
  ASSERT_OK(before);

  for (const RouteSpec& route : ApiRoutes()) {
    Probe probe = ProbeFor(route);
    // The audit route needs tenant-admin; B's admin is the strongest B.
    const std::string& token =
        route.needed == Permission::kReadAudit ? admin_b_ : clerk_b_;
    net::ClientResponse r = Call(route.method, probe.target, token, probe.body);
    SCOPED_TRACE(route.method + " " + route.pattern + " -> " +
                 std::to_string(r.status) + " " + r.body);
    if (probe.lists) {
      EXPECT_LT(r.status, 300);
      EXPECT_FALSE(ShowsTenantA(r.body));
    } else {
      // The answer equals that for an id that exists nowhere.
      EXPECT_EQ(r.status, 404);
      std::string ghost = NewUuid();
      Probe other = probe;
      Replace(other.target, ghost);
      net::ClientResponse g =
          Call(route.method, other.target, token, other.body);
      std::string seen = r.body, expected = g.body;
      Replace(seen, "ID");
      Replace(expected, "ID", ghost);
      EXPECT_EQ(seen, expected);
    }
  }

  // A's Akte as a filter, and A's Akte for B's own Vorgang: both 404.
  net::ClientResponse by_akte =
      Call("GET", "/api/v1/vorgaenge?akte=" + a_.akte, clerk_b_);
  EXPECT_EQ(by_akte.status, 404) << by_akte.body;
  EXPECT_EQ(Call("PUT", "/api/v1/vorgaenge/" + b_vorgang_ + "/akte", clerk_b_,
                 R"({"akte_id":")" + a_.akte + R"("})")
                .status,
            404);

  // Nothing of A changed, and A's audit trail records nothing from B.
  auto after = store_->ReadAudit("kreis-a");
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), before->size());
  auto v = store_->GetVorgang("kreis-a", a_.vorgang);
  ASSERT_OK(v);
  EXPECT_EQ(v->subject, "Geheimwort Quittenbaum");
  EXPECT_EQ(v->akte_id, "");
  auto akte = store_->GetAkte("kreis-a", a_.akte);
  ASSERT_OK(akte);
  EXPECT_EQ(akte->meta.betreff, "Akte A");
}

TEST_P(IsolationTest, NoTokenAndWrongTokensAreRefusedOnEveryRoute) {
  std::string wrong_secret = clerk_a_;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  std::string unknown_id = "ds1_" + std::string(32, '0') + clerk_a_.substr(36);
  const std::vector<std::pair<std::string, std::string>> callers = {
      {"no token", ""},
      {"wrong secret", wrong_secret},
      {"unknown id", unknown_id},
      {"garbage", "not-a-token"}};

  for (const RouteSpec& route : ApiRoutes()) {
    Probe probe = ProbeFor(route);
    for (const auto& [what, token] : callers) {
      net::ClientResponse r =
          Call(route.method, probe.target, token, probe.body);
      EXPECT_EQ(r.status, 401)
          << what << ": " << route.method << " " << route.pattern;
      EXPECT_FALSE(ShowsTenantA(r.body.substr(0, r.body.find("\"instance\""))));
    }
  }
  auto v = store_->GetVorgang("kreis-a", a_.vorgang);
  ASSERT_OK(v);
  EXPECT_EQ(v->subject, "Geheimwort Quittenbaum");
}

TEST_P(IsolationTest, AuditTrailRecordsEachDownloadWithItsReader) {
  auto before = store_->ReadAudit("kreis-a");
  ASSERT_OK(before);

  ASSERT_EQ(
      Call("GET", "/api/v1/formats/" + a_.format + "/content", clerk_a_).status,
      200);
  ASSERT_EQ(
      Call("GET", "/api/v1/formats/" + a_.format + "/content", admin_a_).status,
      200);
  ASSERT_EQ(
      Call("GET", "/api/v1/formats/" + a_.format + "/content", clerk_b_).status,
      404);

  auto after = store_->ReadAudit("kreis-a");
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), before->size() + 2);
  std::vector<std::string> readers;
  for (size_t i = before->size(); i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].action, "read-content");
    EXPECT_EQ((*after)[i].object_ids.back(), a_.format);
    readers.push_back((*after)[i].actor);
  }
  EXPECT_EQ(readers, (std::vector<std::string>{"a.clerk", "a.admin"}));
  auto report = store_->VerifyAudit();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
}

INSTANTIATE_TEST_SUITE_P(Backend, IsolationTest,
                         ::testing::Values(BackendName()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ds::api::testing
