// The demo's Fachverfahren: a webhook receiver on loopback that checks each
// delivery's signature (router/transport.h) and keeps each case once per
// idempotency key, as a real Fachverfahren should. It stands in for the
// case-processing system so that `drehscheibe demo` shows the whole path.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace ds::demo {

class DemoFachverfahren {
 public:
  // Listens on 127.0.0.1 (free port) and accepts webhooks signed with
  // `secret`.
  static Result<std::unique_ptr<DemoFachverfahren>> Start(std::string secret);
  ~DemoFachverfahren();

  std::string url() const;  // the webhook URL
  int received();           // distinct cases held
  int refused();            // deliveries with a bad signature

 private:
  explicit DemoFachverfahren(std::string secret) : secret_(std::move(secret)) {}
  net::Response Handle(const net::Request& r);

  std::string secret_;
  std::unique_ptr<net::HttpServer> server_;
  std::mutex mu_;
  std::set<std::string> keys_;  // guarded by mu_
  int refused_ = 0;             // guarded by mu_
};

}  // namespace ds::demo
