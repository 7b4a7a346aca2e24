// Test support for the router tests: the same cases run on every backend.
// Each test binary links one router_<backend>_test.cc that implements
// OpenRouterTestStore and RouterBackendName.
//
// A Receiver is a real HTTP server on loopback that plays a Fachverfahren:
// it verifies every webhook's signature, refuses (503) on purpose while told
// to, and holds each case once per idempotency key.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "router/router.h"

namespace ds::router::testing {

const char* RouterBackendName();

// A fresh, empty store; `database_url` is set for PostgreSQL ("" for
// SQLite, whose database is <data_dir>/records.sqlite).
Result<std::unique_ptr<records::Store>> OpenRouterTestStore(
    const std::filesystem::path& data_dir, std::string* database_url);

inline constexpr const char* kSecret = "an-hmac-key-for-the-tests-0123456789";

class Receiver {
 public:
  Receiver();
  ~Receiver();
  std::string url() const { return server_->base_url() + "/hook"; }

  // Answer 503 to the next `n` requests.
  void FailNext(int n) { fail_next_.store(n); }
  // Answer 503 to every request until called with false.
  void FailAlways(bool on) { fail_always_.store(on); }
  // The status of those refusals (503 unless told otherwise).
  void FailWith(int status) { fail_status_.store(status); }

  struct Held {
    std::string key;
    std::string vorgang_id;
    nlohmann::json payload;
  };
  std::vector<Held> held();                        // in order of first receipt
  int receipts(const std::string& key);            // accepted requests per key
  int refused() const { return refused_.load(); }  // refusals on purpose
  int bad_signatures() const { return bad_signatures_.load(); }
  int total() const { return total_.load(); }

 private:
  net::Response Handle(const net::Request& r);

  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> fail_next_{0};
  std::atomic<bool> fail_always_{false};
  std::atomic<int> fail_status_{503};
  std::atomic<int> refused_{0}, bad_signatures_{0}, total_{0};
  std::mutex mu_;
  std::vector<Held> held_;           // guarded by mu_
  std::map<std::string, int> seen_;  // guarded by mu_
};

// The tenant's audit entries that name `vorgang_id`, oldest first.
std::vector<records::AuditEntry> AuditOf(records::Store& store,
                                         const std::string& vorgang_id,
                                         const std::string& tenant = "kreis-a");

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A webhook target "fv-<name>" of kreis-a at the receiver, retrying fast.
  TargetConfig Webhook(const std::string& id, int max_attempts = 100);
  // A new router on the test's store with `config`.
  std::unique_ptr<Router> MakeRouter(const RoutingConfig& config);
  // Files a submission with JSON form data and a PDF attachment.
  std::string FileCase(const std::string& service, const std::string& form_json,
                       const std::string& reply_channel = "");
  // Runs RouteNew and DeliverDue until `done` holds (at most ~60 s).
  void Drive(Router& router, const std::function<bool()>& done);

  ds::testing::TempDir tmp_;
  Logger quiet_;
  std::string database_url_;
  std::unique_ptr<records::Store> store_;
  Receiver receiver_;
  int64_t clock_ = 1767225600;  // received_at of the next case
};

}  // namespace ds::router::testing
