// What a DMS answers to the 0605 that the xdomea transport POSTs: its 0630
// in the same response, read and kept (ids in the case's audit trail), a
// negative one a dead letter, an unreadable one named. The DMS here is
// drehscheibe's own receiving side (Receive0605) on a second E-Akte.
#include <atomic>
#include <mutex>

#include "core/encoding.h"
#include "core/time.h"
#include "router/xdomea_transport_test_support.h"
#include "xdomea/receive.h"

namespace ds::router::testing {
namespace {

namespace fs = std::filesystem;

// A DMS that answers every 0605 over HTTP with its 0630, in the same
// response: here drehscheibe's own receiving side (Receive0605) filing into
// a second E-Akte, so the answers are real 0630 packages.
class DmsReceiver {
 public:
  explicit DmsReceiver(const fs::path& dir) {
    auto store = records::Store::OpenSqlite(dir);
    EXPECT_OK(store);
    if (store.ok()) store_ = std::move(*store);
  }
  std::string url() const { return server_.url(); }
  records::Store& store() { return *store_; }
  // Answers the next POSTs with 200 and bytes that are no 0630.
  void AnswerGarbage(bool on) { garbage_ = on; }

  // A Vorgang in the DMS to file into (the 0605's IDContainer).
  std::string NewContainer() {
    records::IncomingSubmission in;
    in.tenant = "dms";
    in.submission_id = NewUuid();
    in.subject = "Akte im DMS";
    auto filed = store_->FileSubmission(in);
    EXPECT_OK(filed);
    return filed.ok() ? filed->vorgang_id : "";
  }
  std::vector<std::string> filed() {
    std::lock_guard<std::mutex> lock(mu_);
    return filed_;
  }

 private:
  net::Response Handle(const net::Request& r) {
    if (!VerifyWebhook(kSecret, r.header(kTimestampHeader),
                       r.header(kSignatureHeader), r.body, UnixNow())
             .ok()) {
      return net::Response::Empty(401);
    }
    if (garbage_) {
      return net::Response::Text(200, "PK\3\4 not a package",
                                 "application/zip");
    }
    auto got = xdomea::Receive0605(*store_, "dms", r.body,
                                   {.specs_dir = ds::testing::SpecsDir()});
    if (!got.ok()) return net::Response::Empty(500);
    {
      std::lock_guard<std::mutex> lock(mu_);
      filed_.insert(filed_.end(), got->dokument_ids.begin(),
                    got->dokument_ids.end());
    }
    return net::Response::Text(got->accepted ? 200 : 422,
                               std::move(got->answer_zip), "application/zip");
  }

  std::unique_ptr<records::Store> store_;
  std::atomic<bool> garbage_{false};
  std::mutex mu_;
  std::vector<std::string> filed_;  // guarded by mu_
  LoopbackPost server_{"/dms",
                       [this](const net::Request& r) { return Handle(r); }};
};

// The details of the Vorgang's route entries that carry a receipt.
std::vector<nlohmann::json> Receipts(records::Store& store,
                                     const std::string& vorgang_id) {
  std::vector<nlohmann::json> out;
  for (const records::AuditEntry& e : AuditOf(store, vorgang_id)) {
    nlohmann::json details = nlohmann::json::parse(e.details);
    if (e.action == "route" && details.contains("receipt")) {
      out.push_back(details);
    }
  }
  return out;
}

// The DMS files the case and says so in its 0630: the case is delivered,
// and the DMS's ids for what it filed are kept in the case's audit trail.
TEST_F(XdomeaTransportTest, AFilingDmsAnswersWithIdsThatAreKept) {
  DmsReceiver dms(tmp_.path() / "dms");
  TargetConfig target = Xdomea("dms-http");
  target.exchange_dir.clear();
  target.url = dms.url();
  target.secret = kSecret;
  target.xdomea_container = dms.NewContainer();
  RoutingConfig config{.targets = {target}, .rules = {AllTo("dms-http")}};
  auto router = Make(config);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] { return Delivered(*router, 1); });

  std::vector<std::string> filed = dms.filed();
  ASSERT_FALSE(filed.empty());
  std::vector<nlohmann::json> receipts = Receipts(*store_, id);
  ASSERT_EQ(receipts.size(), 1u);
  const nlohmann::json& receipt = receipts[0]["receipt"];
  EXPECT_EQ(receipt["answer"], "FVDaten.ImportBestaetigen.0630");
  EXPECT_EQ(receipt["accepted"], true);
  EXPECT_EQ(receipt["codes"], nlohmann::json::array({"0000000"}));
  std::vector<std::string> kept;
  for (const auto& f : receipt["filed"]) {
    EXPECT_EQ(f["ok"], true);
    kept.push_back(f["id"]);
  }
  EXPECT_EQ(kept, filed);
  auto deliveries = router->outbox().ForVorgang("kreis-a", id);
  ASSERT_OK(deliveries);
  EXPECT_EQ(receipt["process_id"], (*deliveries)[0].id);
  EXPECT_EQ(receipts[0]["delivered"], true);
  auto report = store_->VerifyAudit();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->ToJson().dump();
}

// A negative 0630 (here: the container is unknown to the DMS) refuses this
// package for good: a dead letter after one attempt, with the DMS's code.
TEST_F(XdomeaTransportTest, ARefusingDmsMakesADeadLetterWithItsCode) {
  DmsReceiver dms(tmp_.path() / "dms");
  TargetConfig target = Xdomea("dms-http");
  target.exchange_dir.clear();
  target.url = dms.url();
  target.secret = kSecret;
  target.xdomea_container = NewUuid();  // no such Vorgang in the DMS
  RoutingConfig config{.targets = {target}, .rules = {AllTo("dms-http")}};
  auto router = Make(config);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] {
    auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
    return dead.ok() && dead->size() == 1;
  });
  auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
  ASSERT_OK(dead);
  EXPECT_EQ((*dead)[0].attempts, 1);
  EXPECT_THAT((*dead)[0].last_error,
              ::testing::HasSubstr("http 422, 0630 negative: 0605001"));
  EXPECT_TRUE(dms.filed().empty());
  std::vector<nlohmann::json> receipts = Receipts(*store_, id);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0]["receipt"]["accepted"], false);
  EXPECT_EQ(receipts[0]["delivered"], false);
}

// A 2xx whose body is no 0630 counts by its status, and says so.
TEST_F(XdomeaTransportTest, AnUnreadableAnswerLeavesTheDecisionToTheStatus) {
  DmsReceiver dms(tmp_.path() / "dms");
  dms.AnswerGarbage(true);
  TargetConfig target = Xdomea("dms-http");
  target.exchange_dir.clear();
  target.url = dms.url();
  target.secret = kSecret;
  std::string id = FileCase(kWohngeld, kForm);
  auto transport =
      MakeXdomeaTransport(target, *store_, ds::testing::SpecsDir());
  auto sent = transport->Deliver({.delivery_id = "x",
                                  .idempotency_key = NewUuid(),
                                  .vorgang_id = id,
                                  .tenant = "kreis-a"});
  ASSERT_OK(sent);
  EXPECT_TRUE(sent->delivered);
  EXPECT_THAT(sent->detail,
              ::testing::HasSubstr("http 200, answer unreadable"));
  EXPECT_EQ(sent->receipt, "");
}

}  // namespace
}  // namespace ds::router::testing
