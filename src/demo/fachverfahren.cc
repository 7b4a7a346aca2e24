#include "demo/fachverfahren.h"

#include "core/encoding.h"
#include "router/transport.h"

namespace ds::demo {

Result<std::unique_ptr<DemoFachverfahren>> DemoFachverfahren::Start(
    std::string secret) {
  std::unique_ptr<DemoFachverfahren> fv(
      new DemoFachverfahren(std::move(secret)));
  net::Router router;
  DemoFachverfahren* self = fv.get();
  router.Add("POST", "/webhook",
             [self](const net::Request& r) { return self->Handle(r); });
  DS_ASSIGN_OR_RETURN(
      fv->server_,
      net::HttpServer::Start({.listen = "127.0.0.1:0"}, std::move(router)));
  return fv;
}

DemoFachverfahren::~DemoFachverfahren() {
  if (server_) server_->Stop();
}

std::string DemoFachverfahren::url() const {
  return server_->base_url() + "/webhook";
}

int DemoFachverfahren::received() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(keys_.size());
}

int DemoFachverfahren::refused() {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

net::Response DemoFachverfahren::Handle(const net::Request& r) {
  Status st = router::VerifyWebhook(secret_, r.header(router::kTimestampHeader),
                                    r.header(router::kSignatureHeader), r.body,
                                    UnixNow());
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    ++refused_;
    return net::Response::Empty(401);
  }
  keys_.insert(r.header(router::kIdempotencyHeader));
  return net::Response::Empty(204);
}

}  // namespace ds::demo
