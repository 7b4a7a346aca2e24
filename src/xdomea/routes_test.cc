// POST /api/v1/xdomea/messages over loopback with real API tokens; every
// answer is checked against docs/openapi.json and every 0630 by xmllint.
#include "xdomea/routes.h"

#include "api/auth.h"
#include "api/openapi_check.h"
#include "core/testing/testing.h"
#include "xdomea/test_support.h"

namespace ds::xdomea {
namespace {

constexpr const char* kProcess = "7d1e3f5a-9b2c-4d6e-8f0a-1b3c5d7e9f20";

class RoutesTest : public ::testing::Test {
 protected:
  // One store and one server for the suite.
  static void SetUpTestSuite() {
    tmp_ = new ds::testing::TempDir();
    auto s = records::Store::OpenSqlite(tmp_->path() / "data");
    ASSERT_OK(s);
    store_ = s->release();
    quiet_ = new Logger();
    quiet_->set_level(LogLevel::kOff);
    gate::Policy policy;
    policy.allow_all_inspectable = true;
    policy.require_virus_scan = false;  // no clamd in this test
    net::Router router;
    api::AddApiRoutes(router, *store_, *quiet_);
    AddXdomeaRoutes(router, *store_,
                    {.specs_dir = ds::testing::SpecsDir(),
                     .inspect = GateInspector(policy)},
                    *quiet_);
    auto server = net::HttpServer::Start({}, std::move(router));
    ASSERT_OK(server);
    server_ = server->release();
    auto token = [](const char* user, api::Role role) {
      auto t = api::CreateApiToken(*store_, "kreis-a", user, role, "test");
      EXPECT_OK(t);
      return t.ok() ? t->token : "";
    };
    clerk_ = new std::string(token("m.muster", api::Role::kClerk));
    admin_ = new std::string(token("a.admin", api::Role::kTenantAdmin));
    operator_ = new std::string(token("o.ops", api::Role::kOperator));
  }
  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    delete store_;
    delete quiet_;
    delete clerk_;
    delete admin_;
    delete operator_;
    delete tmp_;
  }

  net::ClientResponse Post(const std::string& token, const std::string& body) {
    net::ClientRequest req{
        .method = "POST",
        .url = server_->base_url() + "/api/v1/xdomea/messages"};
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    req.headers["Content-Type"] = "application/zip";
    req.body = body;
    auto answer = net::Fetch(req);
    EXPECT_OK(answer);
    if (!answer.ok()) return {};
    EXPECT_EQ(
        api::testing::CheckAnswer("POST", "/api/v1/xdomea/messages", *answer),
        "");
    return *answer;
  }

  static ds::testing::TempDir* tmp_;
  static records::Store* store_;
  static Logger* quiet_;
  static net::HttpServer* server_;
  static std::string *clerk_, *admin_, *operator_;
};

ds::testing::TempDir* RoutesTest::tmp_ = nullptr;
records::Store* RoutesTest::store_ = nullptr;
Logger* RoutesTest::quiet_ = nullptr;
net::HttpServer* RoutesTest::server_ = nullptr;
std::string* RoutesTest::clerk_ = nullptr;
std::string* RoutesTest::admin_ = nullptr;
std::string* RoutesTest::operator_ = nullptr;

std::string Xml0630(const std::string& zip) {
  auto pkg = ReadPackage(zip);
  EXPECT_OK(pkg);
  if (!pkg.ok()) return "";
  EXPECT_EQ(testing::Xmllint(pkg->xml, "3.1.0"), "");
  return pkg->xml;
}

TEST_F(RoutesTest, ClerkFilesABescheidAndGetsThe0630) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Antrag");
  std::string zip = testing::Fachverfahren0605Package(kProcess, vid,
                                                      testing::MinimalPdf("b"));

  net::ClientResponse r = Post(*clerk_, zip);

  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Content-Type"], "application/zip");
  EXPECT_NE(r.headers["Content-Disposition"].find(
                "_FVDaten.ImportBestaetigen.0630.zip"),
            std::string::npos);
  EXPECT_NE(Xml0630(r.body).find("<code>0000000</code>"), std::string::npos);
  auto v = store_->GetVorgang("kreis-a", vid);
  ASSERT_OK(v);
  EXPECT_EQ(v->dokumente.size(), 3u);
  EXPECT_EQ(v->dokumente.back().purpose, "Bescheid");
}

TEST_F(RoutesTest, TenantAdminMayToo) {
  std::string akte = *store_->CreateAkte("kreis-a", {.betreff = "A"}, "test");
  std::string zip = testing::Fachverfahren0605Package(
      "1e3f5a7d-9b2c-4d6e-8f0a-1b3c5d7e9f20", akte, testing::MinimalPdf());

  EXPECT_EQ(Post(*admin_, zip).status, 200);
}

TEST_F(RoutesTest, RefusedPackageGets422WithNegative0630) {
  std::string zip = testing::Fachverfahren0605Package(
      "3f5a7d1e-9b2c-4d6e-8f0a-1b3c5d7e9f20",
      "0c9f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b", testing::MinimalPdf());

  net::ClientResponse r = Post(*clerk_, zip);

  EXPECT_EQ(r.status, 422);
  EXPECT_NE(Xml0630(r.body).find("<code>0605001</code>"), std::string::npos);
  EXPECT_EQ(Post(*clerk_, "not a zip").status, 422);
}

TEST_F(RoutesTest, NeedsATokenWithEditPermission) {
  std::string zip =
      testing::Fachverfahren0605Package(kProcess, "x", testing::MinimalPdf());

  net::ClientResponse none = Post("", zip);
  net::ClientResponse ops = Post(*operator_, zip);
  net::ClientResponse forged = Post("ds1_0000_forged", zip);

  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ops.status, 403);
  EXPECT_EQ(forged.status, 401);
}

}  // namespace
}  // namespace ds::xdomea
