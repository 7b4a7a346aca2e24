// The transport kind "xdomea" against a real E-Akte on SQLite: packages in
// an exchange directory (checked by xmllint and by the project's
// validator), repeats after crashes, an exchange directory that refuses
// writes, and the signed HTTP variant against a receiver on loopback.
#include "router/xdomea_transport.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "core/config.h"
#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "router/router_test_support.h"
#include "xdomea/receive.h"
#include "xdomea/test_support.h"
#include "xdomea/xdomea.h"

namespace ds::router::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kWohngeld = "urn:de:fim:leika:leistung:99108008000000";
constexpr const char* kForm = R"({"antrag":{"art":"erst"}})";

Rule AllTo(const std::string& target) {
  return {.name = "alles", .tenant = "kreis-a", .targets = {target}};
}

// Names in `dir`, hidden ones (temporary files) included.
std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string PackageName(const std::string& delivery_id) {
  return delivery_id + "_FVDaten.SGOAblegen.0605.zip";
}

// A DMS-side receiver over HTTP: checks the signature over the zip bytes
// as a webhook receiver does, and keeps each package once per key.
class ZipReceiver {
 public:
  ZipReceiver() {
    net::Router router;
    router.Add("POST", "/xdomea",
               [this](const net::Request& r) { return Handle(r); });
    auto server = net::HttpServer::Start(
        {.listen = "127.0.0.1:0", .threads = 2}, std::move(router));
    EXPECT_OK(server);
    if (server.ok()) server_ = std::move(*server);
  }
  ~ZipReceiver() {
    if (server_) server_->Stop();
  }
  std::string url() const { return server_->base_url() + "/xdomea"; }
  void FailNext(int n) { fail_next_ = n; }

  std::map<std::string, std::string> held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
  }
  int bad_signatures() {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_signatures_;
  }
  int total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  net::Response Handle(const net::Request& r) {
    std::lock_guard<std::mutex> lock(mu_);
    ++total_;
    if (!VerifyWebhook(kSecret, r.header(kTimestampHeader),
                       r.header(kSignatureHeader), r.body, UnixNow())
             .ok() ||
        r.header("Content-Type") != "application/zip") {
      ++bad_signatures_;
      return net::Response::Empty(401);
    }
    if (fail_next_ > 0) {
      --fail_next_;
      return net::Response::Empty(503);
    }
    held_.emplace(r.header(kIdempotencyHeader), r.body);
    return net::Response::Empty(204);
  }

  std::unique_ptr<net::HttpServer> server_;
  std::mutex mu_;
  int fail_next_ = 0;                        // guarded by mu_
  int bad_signatures_ = 0, total_ = 0;       // guarded by mu_
  std::map<std::string, std::string> held_;  // guarded by mu_
};

// A DMS that answers every 0605 over HTTP with its 0630, in the same
// response: here drehscheibe's own receiving side (Receive0605) filing into
// a second E-Akte, so the answers are real 0630 packages.
class DmsReceiver {
 public:
  explicit DmsReceiver(const fs::path& dir) {
    auto store = records::Store::OpenSqlite(dir);
    EXPECT_OK(store);
    if (store.ok()) store_ = std::move(*store);
    net::Router router;
    router.Add("POST", "/dms",
               [this](const net::Request& r) { return Handle(r); });
    auto server = net::HttpServer::Start(
        {.listen = "127.0.0.1:0", .threads = 2}, std::move(router));
    EXPECT_OK(server);
    if (server.ok()) server_ = std::move(*server);
  }
  ~DmsReceiver() {
    if (server_) server_->Stop();
  }
  std::string url() const { return server_->base_url() + "/dms"; }
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
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<bool> garbage_{false};
  std::mutex mu_;
  std::vector<std::string> filed_;  // guarded by mu_
};

class XdomeaTransportTest : public RouterTest {
 protected:
  void SetUp() override {
    RouterTest::SetUp();
    exchange_ = tmp_.path() / "dms-eingang";
    fs::create_directories(exchange_);
  }

  TargetConfig Xdomea(const std::string& id, int max_attempts = 100) {
    return {.id = id,
            .tenant = "kreis-a",
            .kind = "xdomea",
            .exchange_dir = exchange_,
            .xdomea_receiver = "DMS Kreis A",
            .timeout_seconds = 10,
            .max_attempts = max_attempts,
            .backoff_initial_ms = 5,
            .backoff_max_ms = 40};
  }

  std::unique_ptr<Router> Make(const RoutingConfig& config,
                               fs::path specs_dir = ds::testing::SpecsDir()) {
    RouterOptions options{.data_dir = tmp_.path(),
                          .database_url = database_url_,
                          .config = config};
    options.logger = &quiet_;
    options.document_policy.require_virus_scan = false;
    RegisterXdomeaTransport(options.transports, *store_, specs_dir);
    auto router = Router::Open(*store_, std::move(options));
    EXPECT_OK(router);
    return router.ok() ? std::move(*router) : nullptr;
  }

  bool Delivered(Router& router, size_t n) {
    auto done = router.outbox().List("kreis-a", "delivered", 0, 100);
    return done.ok() && done->size() == n;
  }

  // The package is valid for xmllint and for the project's validator, and
  // carries the Vorgang.
  void ExpectValidPackage(const xdomea::Package& pkg,
                          const std::string& vorgang_id) {
    EXPECT_EQ(xdomea::testing::Xmllint(pkg.xml, "3.1.0"), "");
    xdomea::Validator validator(ds::testing::SpecsDir());
    auto report = validator.ValidatePackage(pkg, "3.1.0");
    ASSERT_OK(report);
    EXPECT_TRUE(report->valid());
    EXPECT_EQ(report->message_type, "FVDaten.SGOAblegen.0605");
    EXPECT_NE(pkg.xml.find("<xdomea:FachverfahrenObjektID>" + vorgang_id),
              std::string::npos);
    EXPECT_NE(pkg.xml.find("DMS Kreis A"), std::string::npos);
    EXPECT_FALSE(pkg.files.empty());
  }

  fs::path exchange_;
};

TEST_F(XdomeaTransportTest, ARoutedCaseBecomesExactlyOnePackage) {
  RoutingConfig config{.targets = {Xdomea("dms")}, .rules = {AllTo("dms")}};
  auto router = Make(config);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] { return Delivered(*router, 1); });

  auto deliveries = router->outbox().ForVorgang("kreis-a", id);
  ASSERT_OK(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  const std::string name = PackageName((*deliveries)[0].id);
  EXPECT_EQ(Entries(exchange_), std::vector<std::string>{name});
  auto pkg = xdomea::ReadPackageFile(exchange_ / name);
  ASSERT_OK(pkg);
  ExpectValidPackage(*pkg, id);
  EXPECT_NE(pkg->xml.find("<xdomea:ProzessID>" + (*deliveries)[0].id),
            std::string::npos);
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "delivered");
}

// Crash after the package was written but before the delivery was
// recorded: the repeat finds the package under its name and writes none.
TEST_F(XdomeaTransportTest, ARepeatAfterACrashWritesNoSecondPackage) {
  RoutingConfig config{
      .targets = {Xdomea("dms")}, .rules = {AllTo("dms")}, .lease_ms = 50};
  std::string id = FileCase(kWohngeld, kForm);
  auto router = Make(config);
  ASSERT_OK(router->RouteNew());
  auto head = router->outbox().ClaimHead("dms", NowMs(), 50);
  ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  auto transport =
      MakeXdomeaTransport(config.targets[0], *store_, ds::testing::SpecsDir());
  auto sent = transport->Deliver({.delivery_id = (*head)->id,
                                  .idempotency_key = (*head)->id,
                                  .vorgang_id = id,
                                  .tenant = "kreis-a"});
  ASSERT_OK(sent);
  ASSERT_TRUE(sent->delivered);  // and then the process died
  const std::string name = PackageName((*head)->id);
  ASSERT_EQ(Entries(exchange_), std::vector<std::string>{name});
  auto before = fs::last_write_time(exchange_ / name);

  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  Drive(*router, [&] { return Delivered(*router, 1); });

  EXPECT_EQ(Entries(exchange_), std::vector<std::string>{name});
  EXPECT_EQ(fs::last_write_time(exchange_ / name), before);
  auto d = router->outbox().Get("kreis-a", (*head)->id);
  ASSERT_OK(d);
  EXPECT_EQ(d->state, "delivered");
}

// Crash while writing: a temporary file is left, nothing under the
// package's name. The repeat writes the package and removes the leftover.
TEST_F(XdomeaTransportTest, ARepeatAfterACrashWhileWritingLeavesOnePackage) {
  RoutingConfig config{
      .targets = {Xdomea("dms")}, .rules = {AllTo("dms")}, .lease_ms = 50};
  std::string id = FileCase(kWohngeld, kForm);
  auto router = Make(config);
  ASSERT_OK(router->RouteNew());
  auto head = router->outbox().ClaimHead("dms", NowMs(), 50);
  ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  const std::string name = PackageName((*head)->id);
  ASSERT_OK(
      WriteFileAtomic(exchange_ / ("." + name + ".tmp-deadbeef"), "PK\3\4"));

  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  Drive(*router, [&] { return Delivered(*router, 1); });

  EXPECT_EQ(Entries(exchange_), std::vector<std::string>{name});
  auto pkg = xdomea::ReadPackageFile(exchange_ / name);
  ASSERT_OK(pkg);
  ExpectValidPackage(*pkg, id);
}

// Makes a directory refuse new entries, also for root (chattr +i), and
// lifts that again on destruction.
class Unwritable {
 public:
  explicit Unwritable(const fs::path& dir) : dir_(dir) {
    if (geteuid() == 0) {
      ok_ = std::system(
                ("chattr +i '" + dir.string() + "' 2>/dev/null").c_str()) == 0;
      immutable_ = ok_;
    } else {
      fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
      ok_ = true;
    }
  }
  ~Unwritable() {
    if (immutable_) {
      (void)std::system(("chattr -i '" + dir_.string() + "'").c_str());
    } else {
      fs::permissions(dir_, fs::perms::owner_all);
    }
  }
  bool ok() const { return ok_; }

 private:
  fs::path dir_;
  bool ok_ = false;
  bool immutable_ = false;
};

TEST_F(XdomeaTransportTest, AnUnwritableExchangeDirEndsInADeadLetter) {
  RoutingConfig config{.targets = {Xdomea("dms", 3)}, .rules = {AllTo("dms")}};
  auto router = Make(config);
  std::string id = FileCase(kWohngeld, kForm);
  {
    Unwritable guard(exchange_);
    if (!guard.ok()) GTEST_SKIP() << "cannot make a directory unwritable";
    Drive(*router, [&] {
      auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
      return dead.ok() && dead->size() == 1;
    });
  }
  auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
  ASSERT_OK(dead);
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_THAT((*dead)[0].last_error, ::testing::HasSubstr("cannot create"));
  EXPECT_TRUE(Entries(exchange_).empty());
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "failed");

  // Writable again: the redelivered dead letter arrives as one package.
  ASSERT_OK(router->Redeliver("kreis-a", (*dead)[0].id, "a.admin"));
  Drive(*router, [&] { return Delivered(*router, 1); });
  EXPECT_EQ(Entries(exchange_),
            std::vector<std::string>{PackageName((*dead)[0].id)});
}

// Without its XSDs no package can be built or checked, and none will be
// until an operator puts them back: a dead letter after one attempt, with
// the reason, and no file in the exchange directory.
TEST_F(XdomeaTransportTest, AnExportThatCannotBeBuiltIsADeadLetterAtOnce) {
  const fs::path no_specs = tmp_.path() / "specs-without-xsds";
  fs::create_directories(no_specs);
  RoutingConfig config{.targets = {Xdomea("dms", 100)},
                       .rules = {AllTo("dms")}};
  auto router = Make(config, no_specs);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] {
    auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
    return dead.ok() && dead->size() == 1;
  });
  auto dead = router->outbox().List("kreis-a", "dead", 0, 10);
  ASSERT_OK(dead);
  EXPECT_EQ((*dead)[0].attempts, 1);
  EXPECT_THAT((*dead)[0].last_error, ::testing::HasSubstr("export: "));
  EXPECT_THAT((*dead)[0].last_error,
              ::testing::HasSubstr("refused for good, not retried"));
  EXPECT_TRUE(Entries(exchange_).empty());
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->state, "failed");

  // The HTTP variant refuses the same way, before anything is sent.
  ZipReceiver dms;
  TargetConfig target = Xdomea("dms-http");
  target.exchange_dir.clear();
  target.url = dms.url();
  target.secret = kSecret;
  auto transport = MakeXdomeaTransport(target, *store_, no_specs);
  auto sent = transport->Deliver({.delivery_id = "x",
                                  .idempotency_key = NewUuid(),
                                  .vorgang_id = id,
                                  .tenant = "kreis-a"});
  ASSERT_OK(sent);
  EXPECT_FALSE(sent->delivered);
  EXPECT_TRUE(sent->permanent);
  EXPECT_EQ(dms.total(), 0);
}

TEST_F(XdomeaTransportTest, PostsASignedPackageOverHttp) {
  ZipReceiver dms;
  dms.FailNext(1);  // the first attempt is refused and retried
  TargetConfig target = Xdomea("dms-http");
  target.exchange_dir.clear();
  target.url = dms.url();
  target.secret = kSecret;
  RoutingConfig config{.targets = {target}, .rules = {AllTo("dms-http")}};
  auto router = Make(config);
  std::string id = FileCase(kWohngeld, kForm);
  Drive(*router, [&] { return Delivered(*router, 1); });

  EXPECT_EQ(dms.total(), 2);
  EXPECT_EQ(dms.bad_signatures(), 0);
  auto held = dms.held();
  ASSERT_EQ(held.size(), 1u);
  auto deliveries = router->outbox().ForVorgang("kreis-a", id);
  ASSERT_OK(deliveries);
  EXPECT_EQ(held.begin()->first, (*deliveries)[0].id);
  auto pkg = xdomea::ReadPackage(held.begin()->second);
  ASSERT_OK(pkg);
  ExpectValidPackage(*pkg, id);

  // A wrong key is refused by the receiver: the signature covers the zip.
  TargetConfig wrong = target;
  wrong.secret = "another-key-of-sufficient-length";
  auto transport = MakeXdomeaTransport(wrong, *store_, ds::testing::SpecsDir());
  auto sent = transport->Deliver({.delivery_id = "x",
                                  .idempotency_key = NewUuid(),
                                  .vorgang_id = id,
                                  .tenant = "kreis-a"});
  ASSERT_OK(sent);
  EXPECT_FALSE(sent->delivered);
  EXPECT_EQ(sent->detail, "http 401");
  EXPECT_TRUE(sent->permanent);  // the same bytes would be refused again
  EXPECT_EQ(dms.bad_signatures(), 1);
}

// The route entries of a Vorgang's audit trail that carry a receipt.
std::vector<nlohmann::json> Receipts(records::Store& store,
                                     const std::string& vorgang_id) {
  std::vector<nlohmann::json> out;
  auto trail = store.ReadAudit("kreis-a");
  EXPECT_OK(trail);
  if (!trail.ok()) return out;
  for (const records::AuditEntry& e : *trail) {
    nlohmann::json details = nlohmann::json::parse(e.details);
    if (e.action == "route" && details.contains("receipt") &&
        std::find(e.object_ids.begin(), e.object_ids.end(), vorgang_id) !=
            e.object_ids.end()) {
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

TEST(XdomeaTransportConfig, ReadsTheKeysAndRefusesAmbiguousTargets) {
  auto ok = ConfigReader::FromString(R"(
[[routing.targets]]
id = "dms"
tenant = "kreis-a"
kind = "xdomea"
exchange_dir = "/srv/dms/eingang"
xdomea_version = "3.0.0"
xdomea_sender = "Kreis A"
xdomea_receiver = "DMS"
xdomea_container = "AZ-1"
)");
  ASSERT_OK(ok);
  RoutingConfig c = LoadRoutingConfig(*ok);
  EXPECT_OK(ok->Finish());
  ASSERT_EQ(c.targets.size(), 1u);
  EXPECT_EQ(c.targets[0].exchange_dir, "/srv/dms/eingang");
  EXPECT_EQ(c.targets[0].xdomea_version, "3.0.0");
  EXPECT_EQ(c.targets[0].xdomea_sender, "Kreis A");
  EXPECT_EQ(c.targets[0].xdomea_receiver, "DMS");
  EXPECT_EQ(c.targets[0].xdomea_container, "AZ-1");

  for (const char* bad : {
           R"([[routing.targets]]
id = "dms"
tenant = "kreis-a"
kind = "xdomea")",
           R"([[routing.targets]]
id = "dms"
tenant = "kreis-a"
kind = "xdomea"
exchange_dir = "relative/dir")",
           R"([[routing.targets]]
id = "dms"
tenant = "kreis-a"
kind = "xdomea"
exchange_dir = "/srv/dms"
url = "https://dms.example/xdomea")",
           R"([[routing.targets]]
id = "dms"
tenant = "kreis-a"
kind = "xdomea"
exchange_dir = "/srv/dms"
xdomea_version = "2.4.0")"}) {
    auto r = ConfigReader::FromString(bad);
    ASSERT_OK(r);
    LoadRoutingConfig(*r);
    EXPECT_FALSE(r->Finish().ok()) << bad;
  }
}

TEST(XdomeaTransportConfig, TheProcessIdIsStablePerKey) {
  std::string uuid = NewUuid();
  EXPECT_EQ(XdomeaProcessId(uuid), uuid);
  std::string derived = XdomeaProcessId("not-a-uuid");
  EXPECT_TRUE(IsUuid(derived));
  EXPECT_EQ(derived, XdomeaProcessId("not-a-uuid"));
  EXPECT_NE(derived, XdomeaProcessId("not-a-uuid-2"));
}

}  // namespace
}  // namespace ds::router::testing
