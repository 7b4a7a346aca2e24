// The router's REST API over real HTTP on loopback (SQLite): rules and dry
// runs, dead letters and redelivery, the pull feed, the way back. Every
// answer is checked against docs/openapi.json.
#include "api/api.h"
#include "api/openapi_check.h"
#include "gate/sample_formats.h"
#include "router/api.h"
#include "router/router_test_support.h"

namespace ds::router::testing {
namespace {

using nlohmann::json;
constexpr const char* kWohngeld = "urn:de:fim:leika:leistung:99108008000000";
constexpr const char* kForm = R"({"antrag":{"art":"erst"}})";

class RouterApiTest : public RouterTest {
 protected:
  void Start(const RoutingConfig& config) {
    router_ = MakeRouter(config);
    ASSERT_NE(router_, nullptr);
    net::Router http;
    api::AddApiRoutes(http, *store_, quiet_);
    AddRouterRoutes(http, *router_, quiet_);
    auto server = net::HttpServer::Start({}, std::move(http));
    ASSERT_OK(server);
    server_ = std::move(*server);
    admin_ = Token("a.admin", api::Role::kTenantAdmin);
    clerk_ = Token("fv.wohngeld", api::Role::kClerk);
    operator_ = Token("a.ops", api::Role::kOperator);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string Token(const std::string& user, api::Role role) {
    auto issued = api::CreateApiToken(*store_, "kreis-a", user, role, "test");
    EXPECT_OK(issued);
    return issued.ok() ? issued->token : "";
  }

  net::ClientResponse Call(const std::string& method, const std::string& target,
                           const std::string& token,
                           const std::string& body = "",
                           const std::string& type = "application/json") {
    net::ClientRequest req{.method = method,
                           .url = server_->base_url() + target};
    req.headers["Authorization"] = "Bearer " + token;
    if (!body.empty()) {
      req.body = body;
      req.headers["Content-Type"] = type;
    }
    auto answer = net::Fetch(req);
    EXPECT_OK(answer);
    if (!answer.ok()) return {};
    std::string err = api::testing::CheckAnswer(
        method, target.substr(0, target.find('?')), *answer);
    EXPECT_EQ(err, "") << method << " " << target << " -> " << answer->status
                       << " " << answer->body;
    return *answer;
  }
  json CallJson(const std::string& method, const std::string& target,
                const std::string& token, int status,
                const std::string& body = "") {
    net::ClientResponse r = Call(method, target, token, body);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::unique_ptr<Router> router_;
  std::unique_ptr<net::HttpServer> server_;
  std::string admin_, clerk_, operator_;
};

TEST_F(RouterApiTest, RulesAreReadAndReplacedByTheTenantAdmin) {
  Start(
      {.targets = {Webhook("fv-a"), Webhook("fv-b")},
       .rules = {{.name = "file", .tenant = "kreis-a", .targets = {"fv-a"}}}});

  json before = CallJson("GET", "/api/v1/routing/rules", admin_, 200);
  json put = CallJson("PUT", "/api/v1/routing/rules", admin_, 200,
                      R"({"rules":[{"name":"neu","leika":["99108008000000"],)"
                      R"("fields":[{"pointer":"/antrag/art","equals":"erst"}],)"
                      R"("targets":["fv-b","fv-a"]}]})");
  net::ClientResponse as_clerk = Call("GET", "/api/v1/routing/rules", clerk_);
  net::ClientResponse bad =
      Call("PUT", "/api/v1/routing/rules", admin_,
           R"({"rules":[{"name":"x","targets":["fv-z"]}]})");
  net::ClientResponse twice =
      Call("PUT", "/api/v1/routing/rules", admin_,
           R"({"rules":[{"name":"x","targets":["fv-a"]},)"
           R"({"name":"x","targets":["fv-b"]}]})");
  EXPECT_EQ(twice.status, 400);
  EXPECT_THAT(twice.body, ::testing::HasSubstr("the name is used twice"));

  EXPECT_EQ(before["source"], "config");
  EXPECT_EQ(before["rules"][0]["name"], "file");
  EXPECT_EQ(put["source"], "api");
  EXPECT_EQ(put["rules"][0]["targets"], json({"fv-b", "fv-a"}));
  EXPECT_EQ(as_clerk.status, 403);
  EXPECT_EQ(bad.status, 400);
  json plan = CallJson("POST", "/api/v1/routing/dry-run", admin_, 200,
                       R"({"service_identifier":")" + std::string(kWohngeld) +
                           R"(","form_data":{"antrag":{"art":"erst"}}})");
  EXPECT_EQ(plan["rule"], "neu");
  EXPECT_EQ(plan["targets"], json({"fv-b", "fv-a"}));
  json none = CallJson("POST", "/api/v1/routing/dry-run", admin_, 200,
                       R"({"service_identifier":"urn:other"})");
  EXPECT_EQ(none["matched"], false);
  EXPECT_TRUE(none["rule"].is_null());

  // A wrong type is named as such; nesting beyond any form data is refused
  // before parsing (100,000 levels used to overflow the stack).
  json typed = CallJson("POST", "/api/v1/routing/dry-run", admin_, 400,
                        R"({"data_schema":123})");
  EXPECT_THAT(typed.dump(),
              ::testing::HasSubstr("data_schema must be a string"));
  std::string deep = R"({"form_data":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  json refused = CallJson("POST", "/api/v1/routing/dry-run", admin_, 400, deep);
  EXPECT_THAT(refused.dump(),
              ::testing::HasSubstr("nests deeper than 64 levels"));
  CallJson("GET", "/api/v1/routing/rules", admin_, 200);  // still serving
}

TEST_F(RouterApiTest, DryRunOfAVorgangDeliversNothing) {
  Start(
      {.targets = {Webhook("fv-a")},
       .rules = {{.name = "alles", .tenant = "kreis-a", .targets = {"fv-a"}}}});
  std::string id = FileCase(kWohngeld, kForm);

  json plan =
      CallJson("POST", "/api/v1/vorgaenge/" + id + "/dry-run", admin_, 200);
  json routing =
      CallJson("GET", "/api/v1/vorgaenge/" + id + "/routing", operator_, 200);

  EXPECT_EQ(plan["targets"], json({"fv-a"}));
  EXPECT_EQ(routing["state"], "new");
  EXPECT_TRUE(routing["deliveries"].empty());
  EXPECT_EQ(Call("POST", "/api/v1/vorgaenge/nope/dry-run", admin_).status, 404);
}

TEST_F(RouterApiTest, OperatorsSeeDeadLettersAndAdminsRedeliver) {
  Start(
      {.targets = {Webhook("fv-a", 2)},
       .rules = {{.name = "alles", .tenant = "kreis-a", .targets = {"fv-a"}}}});
  receiver_.FailAlways(true);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router_, [&] {
    auto dead = router_->outbox().List("kreis-a", "dead", 0, 10);
    return dead.ok() && !dead->empty();
  });

  json dead =
      CallJson("GET", "/api/v1/routing/deliveries?state=dead", operator_, 200);
  ASSERT_EQ(dead["items"].size(), 1u);
  std::string delivery = dead["items"][0]["id"];
  EXPECT_EQ(dead["items"][0]["attempts"], 2);
  EXPECT_EQ(dead["items"][0]["last_error"], "http 503");
  EXPECT_EQ(
      Call("POST", "/api/v1/routing/deliveries/" + delivery + "/redeliver",
           operator_)
          .status,
      403);
  receiver_.FailAlways(false);
  json again =
      CallJson("POST", "/api/v1/routing/deliveries/" + delivery + "/redeliver",
               admin_, 202);
  EXPECT_EQ(again["state"], "pending");
  Drive(*router_, [&] { return receiver_.held().size() == 1; });

  json routing =
      CallJson("GET", "/api/v1/vorgaenge/" + id + "/routing", clerk_, 200);
  EXPECT_EQ(routing["state"], "delivered");
  EXPECT_EQ(routing["deliveries"][0]["state"], "delivered");
  EXPECT_EQ(
      Call("POST", "/api/v1/routing/deliveries/" + delivery + "/redeliver",
           admin_)
          .status,
      409);
}

TEST_F(RouterApiTest, FeedIsReadWithACursorAndAcknowledged) {
  Start({.targets = {{.id = "fv-pull", .tenant = "kreis-a", .kind = "feed"}},
         .rules = {
             {.name = "alles", .tenant = "kreis-a", .targets = {"fv-pull"}}}});
  std::string first = FileCase(kWohngeld, kForm);
  std::string second = FileCase(kWohngeld, kForm);
  ASSERT_OK(router_->RouteNew());

  json page = CallJson("GET", "/api/v1/feeds/fv-pull?limit=1", clerk_, 200);
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["payload"]["vorgang"]["id"], first);
  json next = CallJson(
      "GET",
      "/api/v1/feeds/fv-pull?cursor=" + page["next_cursor"].get<std::string>(),
      clerk_, 200);
  ASSERT_EQ(next["items"].size(), 1u);
  EXPECT_EQ(next["items"][0]["vorgang_id"], second);
  json ack = CallJson(
      "POST", "/api/v1/feeds/fv-pull/ack", clerk_, 200,
      json{{"delivery_ids", {page["items"][0]["delivery_id"]}}}.dump());
  EXPECT_EQ(ack["acknowledged"], 1);

  json rest = CallJson("GET", "/api/v1/feeds/fv-pull", clerk_, 200);
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0]["vorgang_id"], second);
  EXPECT_EQ(Call("GET", "/api/v1/feeds/fv-pull", operator_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/feeds/unknown", clerk_).status, 404);
}

TEST_F(RouterApiTest, AFachverfahrenReportsStatusAndFilesItsBescheid) {
  Start({});
  std::string id = FileCase(kWohngeld, kForm, R"({"fitConnect":{}})");

  json status =
      CallJson("POST", "/api/v1/vorgaenge/" + id + "/status", clerk_, 201,
               R"({"status":"in-bearbeitung","note":"Prüfung\nläuft"})");
  // A note that would render differently from what it is: refused.
  EXPECT_EQ(
      Call("POST", "/api/v1/vorgaenge/" + id + "/status", clerk_,
           R"({"status":"x","note":"ok\u202egnp.exe"})", "application/json")
          .status,
      400);
  EXPECT_EQ(Call("POST", "/api/v1/vorgaenge/" + id + "/status", clerk_,
                 R"({"status":"x","note":"bell\u0007"})", "application/json")
                .status,
            400);
  net::ClientResponse doc = Call(
      "POST", "/api/v1/vorgaenge/" + id + "/dokumente?filename=bescheid.pdf",
      clerk_, gate::samples::BuildPdf({.text = "Bescheid"}), "application/pdf");
  net::ClientResponse refused =
      Call("POST", "/api/v1/vorgaenge/" + id + "/dokumente?filename=b.pdf",
           clerk_, "MZ\x90\x00 not a pdf", "application/pdf");

  EXPECT_EQ(status["status"], "in-bearbeitung");
  ASSERT_EQ(doc.status, 201) << doc.body;
  EXPECT_EQ(refused.status, 422) << refused.body;
  json receipt = json::parse(doc.body);
  json outgoing =
      CallJson("GET", "/api/v1/outgoing?state=pending", operator_, 200);
  CallJson("GET", "/api/v1/outgoing?state=sent", operator_, 400);  // unknown
  ASSERT_EQ(outgoing["items"].size(), 2u);
  EXPECT_EQ(outgoing["items"][1]["kind"], "bescheid");
  EXPECT_EQ(outgoing["items"][1]["channel"], "fitConnect");
  EXPECT_EQ(outgoing["items"][1]["id"], receipt["outgoing_id"]);
  json routing =
      CallJson("GET", "/api/v1/vorgaenge/" + id + "/routing", clerk_, 200);
  EXPECT_EQ(routing["status"][0]["source"], "fv.wohngeld");
  json vorgang = CallJson("GET", "/api/v1/vorgaenge/" + id, clerk_, 200);
  EXPECT_EQ(vorgang["dokumente"].back()["id"], receipt["dokument_id"]);
  EXPECT_EQ(Call("POST", "/api/v1/vorgaenge/" + id + "/status", operator_,
                 R"({"status":"x"})")
                .status,
            403);
  EXPECT_EQ(Call("POST", "/api/v1/vorgaenge/" + id + "/status", clerk_,
                 R"({"status":"Nicht Erlaubt"})")
                .status,
            400);
}

// Another tenant's tokens see nothing of kreis-a: ids answer 404 exactly
// like ids that do not exist, and its feed is not theirs.
TEST_F(RouterApiTest, OtherTenantsGetNotFound) {
  Start({.targets = {{.id = "fv-pull", .tenant = "kreis-a", .kind = "feed"}},
         .rules = {
             {.name = "alles", .tenant = "kreis-a", .targets = {"fv-pull"}}}});
  std::string id = FileCase(kWohngeld, kForm);
  ASSERT_OK(router_->RouteNew());
  auto b_clerk =
      api::CreateApiToken(*store_, "kreis-b", "b", api::Role::kClerk, "t");
  auto b_admin = api::CreateApiToken(*store_, "kreis-b", "b2",
                                     api::Role::kTenantAdmin, "t");
  ASSERT_OK(b_clerk);
  ASSERT_OK(b_admin);
  auto deliveries = router_->outbox().ForVorgang("kreis-a", id);
  ASSERT_OK(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);

  const std::string v = "/api/v1/vorgaenge/" + id;
  EXPECT_EQ(Call("GET", v + "/routing", b_clerk->token).status, 404);
  EXPECT_EQ(
      Call("POST", v + "/status", b_clerk->token, R"({"status":"beschieden"})")
          .status,
      404);
  EXPECT_EQ(Call("POST", v + "/dokumente?filename=b.pdf", b_clerk->token,
                 gate::samples::BuildPdf({}), "application/pdf")
                .status,
            404);
  EXPECT_EQ(Call("POST", v + "/dry-run", b_admin->token).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/feeds/fv-pull", b_clerk->token).status, 404);
  EXPECT_EQ(Call("POST",
                 "/api/v1/routing/deliveries/" + deliveries->front().id +
                     "/redeliver",
                 b_admin->token)
                .status,
            404);
  json listed =
      CallJson("GET", "/api/v1/routing/deliveries", b_admin->token, 200);
  EXPECT_TRUE(listed["items"].empty());
}

}  // namespace
}  // namespace ds::router::testing
