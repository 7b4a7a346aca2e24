// The router against a real E-Akte (SQLite or PostgreSQL, per binary) and a
// real webhook receiver on loopback.
#include <set>
#include <thread>

#include "gate/sample_formats.h"
#include "router/outbox.h"
#include "router/router_test_support.h"

namespace ds::router::testing {
namespace {

constexpr const char* kWohngeld = "urn:de:fim:leika:leistung:99108008000000";
constexpr const char* kForm =
    R"({"antrag":{"art":"erst"},"region":"091620000000"})";

Rule AllTo(std::vector<std::string> targets) {
  return {.name = "alles", .tenant = "kreis-a", .targets = std::move(targets)};
}

std::vector<std::string> AuditActions(records::Store& store,
                                      const std::string& vorgang_id) {
  std::vector<std::string> out;
  for (const records::AuditEntry& e : AuditOf(store, vorgang_id)) {
    out.push_back(e.action);
  }
  return out;
}

// Six cases filed while the target answers 503: each arrives once per
// idempotency key, signed, in filing order, and the Vorgang shows it.
TEST_F(RouterTest, DeliversEveryCaseOnceInOrderAfterTheTargetRecovers) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {AllTo({"fv-wohngeld"})}};
  auto router = MakeRouter(config);
  ASSERT_NE(router, nullptr);
  receiver_.FailNext(7);
  std::vector<std::string> filed;
  for (int i = 0; i < 6; ++i) filed.push_back(FileCase(kWohngeld, kForm));

  Drive(*router, [&] { return receiver_.held().size() == 6; });

  std::vector<std::string> arrived;
  for (const auto& h : receiver_.held()) {
    arrived.push_back(h.vorgang_id);
    EXPECT_EQ(receiver_.receipts(h.key), 1) << h.key;
    EXPECT_EQ(h.payload["target"], "fv-wohngeld");
    EXPECT_EQ(h.payload["dokumente"].size(), 2u);
  }
  EXPECT_EQ(arrived, filed);
  EXPECT_EQ(receiver_.refused(), 7);
  EXPECT_EQ(receiver_.bad_signatures(), 0);
  auto v = store_->GetVorgang("kreis-a", filed.front());
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "delivered");
  auto actions = AuditActions(*store_, filed.front());
  EXPECT_GE(std::count(actions.begin(), actions.end(), "route"), 2);
}

// Targets of a rule each get the case; the payload's links point at the
// API's download URLs.
TEST_F(RouterTest, SendsToEveryTargetOfTheRuleWithDocumentLinks) {
  RoutingConfig config{.targets = {Webhook("fv-a"), Webhook("fv-b")},
                       .rules = {AllTo({"fv-a", "fv-b"})},
                       .public_base_url = "https://hub.example"};
  auto router = MakeRouter(config);
  std::string id = FileCase(kWohngeld, kForm);

  Drive(*router, [&] { return receiver_.held().size() == 2; });

  auto held = receiver_.held();
  EXPECT_NE(held[0].key, held[1].key);
  std::string url =
      held[0].payload["dokumente"][0]["formats"][0]["content_url"];
  EXPECT_TRUE(url.starts_with("https://hub.example/api/v1/formats/")) << url;
  auto deliveries = router->outbox().ForVorgang("kreis-a", id);
  ASSERT_OK(deliveries);
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[0].target, "fv-a");
  EXPECT_EQ((*deliveries)[1].state, "delivered");
}

// Crash between routing and delivery: the deliveries are in the database,
// and the next router process sends them.
TEST_F(RouterTest, ARouterStoppedAfterRoutingDeliversAfterRestart) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {AllTo({"fv-wohngeld"})}};
  std::string id = FileCase(kWohngeld, kForm);
  {
    auto first = MakeRouter(config);
    auto routed = first->RouteNew();
    ASSERT_OK(routed);
    EXPECT_EQ(*routed, 1);
  }  // stopped before any delivery

  auto second = MakeRouter(config);
  Drive(*second, [&] { return receiver_.held().size() == 1; });

  EXPECT_EQ(receiver_.held()[0].vorgang_id, id);
}

// Crash after claiming a case but before its deliveries were written: the
// claim runs out and another router routes the case.
TEST_F(RouterTest, AClaimWithoutRoutingIsTakenOverAfterItsLease) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {AllTo({"fv-wohngeld"})},
                       .lease_ms = 50};
  std::string id = FileCase(kWohngeld, kForm);
  auto crashed = Outbox::Open(tmp_.path(), database_url_);
  ASSERT_OK(crashed);
  auto claimed = (*crashed)->ClaimNew(10, NowMs(), 50);
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  crashed->reset();

  auto router = MakeRouter(config);
  Drive(*router, [&] { return receiver_.held().size() == 1; });

  EXPECT_EQ(receiver_.held()[0].vorgang_id, id);
}

// Crash after sending but before recording: the receiver gets the case a
// second time with the same idempotency key and keeps it once.
TEST_F(RouterTest, ARepeatAfterACrashCarriesTheSameIdempotencyKey) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {AllTo({"fv-wohngeld"})},
                       .lease_ms = 50};
  FileCase(kWohngeld, kForm);
  auto router = MakeRouter(config);
  ASSERT_OK(router->RouteNew());
  auto head = router->outbox().ClaimHead("fv-wohngeld", NowMs(), 50);
  ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  auto body = router->Payload(**head);
  ASSERT_OK(body);
  auto transport = MakeWebhookTransport(config.targets[0]);
  auto sent = transport->Deliver({.delivery_id = (*head)->id,
                                  .idempotency_key = (*head)->id,
                                  .body = *body});
  ASSERT_OK(sent);
  ASSERT_TRUE(sent->delivered);  // and then the process died

  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  Drive(*router, [&] { return receiver_.total() == 2; });

  EXPECT_EQ(receiver_.receipts((*head)->id), 2);
  EXPECT_EQ(receiver_.held().size(), 1u);
  auto d = router->outbox().Get("kreis-a", (*head)->id);
  ASSERT_OK(d);
  EXPECT_EQ(d->state, "delivered");
}

TEST_F(RouterTest, DeadLettersAfterMaxAttemptsAndRedeliversOnRequest) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld", 3)},
                       .rules = {AllTo({"fv-wohngeld"})}};
  auto router = MakeRouter(config);
  receiver_.FailAlways(true);
  std::string id = FileCase(kWohngeld, kForm);

  Drive(*router, [&] {
    auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
    return dead.ok() && dead->size() == 1;
  });
  EXPECT_EQ(receiver_.refused(), 3);
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "failed");
  auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
  ASSERT_OK(dead);
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_EQ((*dead)[0].last_error, "http 503");
  auto idle = router->DeliverDue();
  ASSERT_OK(idle);
  EXPECT_EQ(*idle, 0);  // a dead letter is not retried by itself

  receiver_.FailAlways(false);
  ASSERT_OK(router->Redeliver("kreis-a", (*dead)[0].id, "a.admin"));
  Drive(*router, [&] { return receiver_.held().size() == 1; });

  v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "delivered");
  EXPECT_THAT(router->Redeliver("kreis-a", (*dead)[0].id, "a.admin"),
              ds::testing::StatusIs(Code::kConflict));
  EXPECT_THAT(router->Redeliver("kreis-b", (*dead)[0].id, "b.admin"),
              ds::testing::StatusIs(Code::kNotFound));
}

TEST_F(RouterTest, ARefusalForGoodIsADeadLetterAtOnceAndHoldsNothingUp) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {AllTo({"fv-wohngeld"})}};
  auto router = MakeRouter(config);
  receiver_.FailWith(422);
  receiver_.FailNext(1);  // only the first case is refused
  std::string refused = FileCase(kWohngeld, kForm);
  std::string next = FileCase(kWohngeld, kForm);

  Drive(*router, [&] { return receiver_.held().size() == 1; });
  EXPECT_EQ(receiver_.refused(), 1);  // not retried
  auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].vorgang_id, refused);
  EXPECT_EQ((*dead)[0].attempts, 1);
  EXPECT_EQ((*dead)[0].last_error, "http 422 (refused for good, not retried)");
  EXPECT_EQ(receiver_.held()[0].vorgang_id, next);
  auto v = store_->GetVorgang("kreis-a", refused);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "failed");
}

TEST_F(RouterTest, TooManyRequestsAndTimeoutsAreRetried) {
  for (int status : {429, 408, 503}) {
    SCOPED_TRACE(status);
    RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                         .rules = {AllTo({"fv-wohngeld"})}};
    auto router = MakeRouter(config);
    size_t before = receiver_.held().size();
    int refused_before = receiver_.refused();
    receiver_.FailWith(status);
    receiver_.FailNext(2);
    FileCase(kWohngeld, kForm);
    Drive(*router, [&] { return receiver_.held().size() == before + 1; });
    EXPECT_EQ(receiver_.refused() - refused_before, 2);
    auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
    ASSERT_OK(dead);
    EXPECT_TRUE(dead->empty());
  }
}

TEST(PermanentHttpFailure, FourHundredsExceptThoseThatAskToComeBack) {
  for (int s : {400, 401, 403, 404, 409, 410, 413, 415, 422, 499}) {
    EXPECT_TRUE(PermanentHttpFailure(s)) << s;
  }
  for (int s : {200, 204, 301, 408, 425, 429, 500, 502, 503, 504}) {
    EXPECT_FALSE(PermanentHttpFailure(s)) << s;
  }
}

TEST_F(RouterTest, AnUnmatchedCaseStaysInThePosteingang) {
  RoutingConfig config{.targets = {Webhook("fv-wohngeld")},
                       .rules = {{.name = "wohngeld",
                                  .tenant = "kreis-a",
                                  .leika = {"99108008000000"},
                                  .targets = {"fv-wohngeld"}}}};
  auto router = MakeRouter(config);
  std::string other =
      FileCase("urn:de:fim:leika:leistung:99000000000000", kForm);

  ASSERT_OK(router->RouteNew());
  ASSERT_OK(router->DeliverDue());

  auto v = store_->GetVorgang("kreis-a", other);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "manual");
  EXPECT_TRUE(v->akte_id.empty());
  auto deliveries = router->outbox().ForVorgang("kreis-a", other);
  ASSERT_OK(deliveries);
  EXPECT_TRUE(deliveries->empty());
  EXPECT_EQ(receiver_.total(), 0);
}

// A dry run reads the form (JSON pointer rules) but delivers nothing.
TEST_F(RouterTest, DryRunShowsTheTargetsWithoutDelivering) {
  RoutingConfig config{
      .targets = {Webhook("fv-erst"), Webhook("fv-rest")},
      .rules = {{.name = "erstantrag",
                 .tenant = "kreis-a",
                 .regions = {"09162"},
                 .fields = {{.pointer = "/antrag/art", .equals = "erst"}},
                 .targets = {"fv-erst"}},
                AllTo({"fv-rest"})}};
  auto router = MakeRouter(config);
  std::string erst = FileCase(kWohngeld, kForm);
  std::string weiter = FileCase(kWohngeld, R"({"antrag":{"art":"weiter"}})");

  auto a = router->DryRunVorgang("kreis-a", erst, "a.admin");
  auto b = router->DryRunVorgang("kreis-a", weiter, "a.admin");

  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->decision.rule, "erstantrag");
  EXPECT_EQ(a->decision.targets, std::vector<std::string>{"fv-erst"});
  EXPECT_TRUE(a->form_read);
  EXPECT_EQ(b->decision.targets, std::vector<std::string>{"fv-rest"});
  auto v = store_->GetVorgang("kreis-a", erst);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "new");
  auto deliveries = router->outbox().List("kreis-a", "", 0, 10);
  ASSERT_OK(deliveries);
  EXPECT_TRUE(deliveries->empty());
}

TEST_F(RouterTest, RulesSetThroughTheApiWinOverTheFile) {
  RoutingConfig config{.targets = {Webhook("fv-a"), Webhook("fv-b")},
                       .rules = {AllTo({"fv-a"})}};
  auto router = MakeRouter(config);
  Rule to_b{.name = "neu", .targets = {"fv-b"}};

  ASSERT_OK(router->SetRules("kreis-a", {to_b}, "a.admin"));
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] { return receiver_.held().size() == 1; });

  EXPECT_EQ(receiver_.held()[0].payload["target"], "fv-b");
  bool from_api = false;
  auto rules = router->Rules("kreis-a", &from_api);
  ASSERT_OK(rules);
  EXPECT_TRUE(from_api);
  EXPECT_THAT(
      router->SetRules("kreis-a", {Rule{.name = "x", .targets = {"nope"}}},
                       "a.admin"),
      ds::testing::StatusIs(Code::kInvalidInput));
  (void)id;
}

TEST_F(RouterTest, FeedHandsOutCasesByCursorUntilAcknowledged) {
  RoutingConfig config{
      .targets = {{.id = "fv-pull", .tenant = "kreis-a", .kind = "feed"}},
      .rules = {AllTo({"fv-pull"})}};
  auto router = MakeRouter(config);
  std::vector<std::string> filed;
  for (int i = 0; i < 3; ++i) filed.push_back(FileCase(kWohngeld, kForm));
  ASSERT_OK(router->RouteNew());
  ASSERT_OK(router->DeliverDue());

  auto first = router->ReadFeed("kreis-a", "fv-pull", 0, 2, "fv");
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  auto rest = router->ReadFeed("kreis-a", "fv-pull", first->back().delivery.seq,
                               2, "fv");
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().delivery.vorgang_id, filed[2]);
  auto acked =
      router->Ack("kreis-a", "fv-pull",
                  {(*first)[0].delivery.id, (*first)[1].delivery.id}, "fv");
  ASSERT_OK(acked);
  EXPECT_EQ(*acked, 2);

  auto again = router->ReadFeed("kreis-a", "fv-pull", 0, 10, "fv");
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().delivery.vorgang_id, filed[2]);
  auto v = store_->GetVorgang("kreis-a", filed[0]);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "delivered");
  EXPECT_THAT(router->ReadFeed("kreis-b", "fv-pull", 0, 10, "x"),
              ds::testing::StatusIs(Code::kNotFound));
  auto repeat =
      router->Ack("kreis-a", "fv-pull", {(*first)[0].delivery.id}, "fv");
  ASSERT_OK(repeat);
  EXPECT_EQ(*repeat, 0);
}

// The way back: a status report and a Bescheid are filed into the Vorgang,
// audited, and answers to the citizen are recorded on the reply channel.
TEST_F(RouterTest, StatusAndBescheidComeBackIntoTheVorgang) {
  auto router = MakeRouter({});
  std::string id = FileCase(kWohngeld, kForm,
                            R"({"eMail":{"address":"antrag@example.org"}})");

  auto status = router->ReportStatus(
      "kreis-a", id, {.status = "beschieden", .note = "ok"}, "fv.wohngeld");
  auto pdf = gate::samples::BuildPdf({.text = "Bescheid"});
  auto doc = router->FileDocument("kreis-a", id,
                                  {.filename = "bescheid.pdf",
                                   .mime_type = "application/pdf",
                                   .content = pdf},
                                  "fv.wohngeld");

  ASSERT_OK(status);
  ASSERT_OK(doc);
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  ASSERT_EQ(v->dokumente.size(), 3u);
  const records::Dokument& filed = v->dokumente.back();
  EXPECT_EQ(filed.id, doc->dokument_id);
  EXPECT_EQ(filed.purpose, "bescheid");
  EXPECT_EQ(filed.verdict, records::Verdict::kClean);
  auto content = store_->ReadContent("kreis-a", filed.formats[0].id, "test");
  ASSERT_OK(content);
  EXPECT_EQ(*content, pdf);
  auto answers = router->outbox().ListOutgoing("kreis-a", id, "", 0, 10);
  ASSERT_OK(answers);
  ASSERT_EQ(answers->size(), 2u);
  EXPECT_EQ((*answers)[0].kind, "status");
  EXPECT_EQ((*answers)[1].kind, "bescheid");
  EXPECT_EQ((*answers)[1].reference, doc->dokument_id);
  EXPECT_EQ((*answers)[1].channel, "eMail");
  EXPECT_EQ((*answers)[1].state, "pending");
  auto actions = AuditActions(*store_, id);
  EXPECT_GE(std::count(actions.begin(), actions.end(), "route"), 3);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "create"), actions.end());
}

TEST_F(RouterTest, ADocumentThatIsNotTheDeclaredPdfIsRefused) {
  auto router = MakeRouter({});
  std::string id = FileCase(kWohngeld, kForm);

  auto doc = router->FileDocument(
      "kreis-a", id,
      {.filename = "bescheid.pdf",
       .mime_type = "application/pdf",
       .content = "<html><script>alert(1)</script></html>"},
      "fv.wohngeld");

  EXPECT_THAT(doc, ds::testing::StatusIs(Code::kCheckFailed));
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->dokumente.size(), 2u);
}

// Two routers claim at the same time (two connections, as two hub
// processes would): every case is claimed exactly once.
TEST_F(RouterTest, ConcurrentClaimsTakeEveryCaseOnce) {
  for (int i = 0; i < 40; ++i) FileCase(kWohngeld, kForm);
  auto a = Outbox::Open(tmp_.path(), database_url_);
  auto b = Outbox::Open(tmp_.path(), database_url_);
  ASSERT_OK(a);
  ASSERT_OK(b);
  std::vector<std::string> got_a, got_b;
  auto claim = [&](Outbox& o, std::vector<std::string>* got) {
    for (int round = 0; round < 20; ++round) {
      auto cases = o.ClaimNew(3, NowMs(), 600'000);
      ASSERT_OK(cases);
      for (const NewCase& c : *cases) got->push_back(c.vorgang_id);
    }
  };

  std::thread ta([&] { claim(**a, &got_a); });
  std::thread tb([&] { claim(**b, &got_b); });
  ta.join();
  tb.join();

  std::set<std::string> all(got_a.begin(), got_a.end());
  for (const std::string& id : got_b) {
    EXPECT_TRUE(all.insert(id).second) << "claimed twice: " << id;
  }
  EXPECT_EQ(all.size(), 40u);
}

}  // namespace
}  // namespace ds::router::testing
