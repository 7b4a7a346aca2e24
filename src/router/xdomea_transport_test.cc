// The transport kind "xdomea" against a real E-Akte on SQLite: packages in
// an exchange directory (checked by xmllint and by the project's
// validator), repeats after crashes, an exchange directory that refuses
// writes, packages that cannot be built, and the signed HTTP variant
// against a receiver on loopback. What a DMS answers: xdomea_dms_answer_test.
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
#include "router/xdomea_transport_test_support.h"

namespace ds::router::testing {
namespace {

namespace fs = std::filesystem;

// A DMS-side receiver over HTTP: checks the signature over the zip bytes
// as a webhook receiver does, and keeps each package once per key.
class ZipReceiver {
 public:
  std::string url() const { return server_.url(); }
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

  std::mutex mu_;
  int fail_next_ = 0;                        // guarded by mu_
  int bad_signatures_ = 0, total_ = 0;       // guarded by mu_
  std::map<std::string, std::string> held_;  // guarded by mu_
  LoopbackPost server_{"/xdomea",
                       [this](const net::Request& r) { return Handle(r); }};
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
