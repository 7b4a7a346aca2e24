// Test support for the xdomea transport's tests (xdomea_transport_test.cc,
// xdomea_dms_answer_test.cc): the fixture with an exchange directory, a
// router that knows the transport, and a check that a package is valid.
#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/testing/testing.h"
#include "net/http.h"
#include "router/router_test_support.h"
#include "router/xdomea_transport.h"
#include "xdomea/test_support.h"
#include "xdomea/xdomea.h"

namespace ds::router::testing {

inline constexpr const char* kWohngeld =
    "urn:de:fim:leika:leistung:99108008000000";
inline constexpr const char* kForm = R"({"antrag":{"art":"erst"}})";

inline Rule AllTo(const std::string& target) {
  return {.name = "alles", .tenant = "kreis-a", .targets = {target}};
}

// Names in `dir`, hidden ones (temporary files) included.
inline std::vector<std::string> Entries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string PackageName(const std::string& delivery_id) {
  return delivery_id + "_FVDaten.SGOAblegen.0605.zip";
}

// One POST route on a loopback server, stopped when this is destroyed.
// Declare it as the last member of its owner, so that it stops before the
// state its handler uses goes away.
class LoopbackPost {
 public:
  LoopbackPost(const std::string& path, net::Handler handler) : path_(path) {
    net::Router router;
    router.Add("POST", path, std::move(handler));
    auto server = net::HttpServer::Start(
        {.listen = "127.0.0.1:0", .threads = 2}, std::move(router));
    EXPECT_OK(server);
    if (server.ok()) server_ = std::move(*server);
  }
  ~LoopbackPost() {
    if (server_) server_->Stop();
  }
  std::string url() const { return server_->base_url() + path_; }

 private:
  std::string path_;
  std::unique_ptr<net::HttpServer> server_;
};

class XdomeaTransportTest : public RouterTest {
 protected:
  void SetUp() override {
    RouterTest::SetUp();
    exchange_ = tmp_.path() / "dms-eingang";
    std::filesystem::create_directories(exchange_);
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

  std::unique_ptr<Router> Make(
      const RoutingConfig& config,
      std::filesystem::path specs_dir = ds::testing::SpecsDir()) {
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

  std::filesystem::path exchange_;
};

}  // namespace ds::router::testing
