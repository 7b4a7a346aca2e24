// Service::Start: the store, the SET signing key, the HTTP server and one
// background worker for callbacks (with backoff) and pickup timeouts.
#include "zustelldienst/service.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "net/http.h"
#include "zustelldienst/admin.h"
#include "zustelldienst/api.h"
#include "zustelldienst/callbacks.h"
#include "zustelldienst/events.h"
#include "zustelldienst/store.h"

namespace ds::zustelldienst {
namespace {

class ServiceImpl : public Service {
 public:
  ServiceImpl(const Options& options, std::shared_ptr<Store> store,
              ServiceSigner signer)
      : options_(options),
        store_(std::move(store)),
        signer_(std::move(signer)),
        admin_(store_) {
    logger_ = options_.logger ? options_.logger : &DefaultLogger();
    ctx_.options = options_;
    ctx_.store = store_.get();
    ctx_.signer = &signer_;
    ctx_.logger = logger_;
    ctx_.issuer = [this] { return public_url_; };
    ctx_.wake_worker = [this] { Wake(); };
  }
  ~ServiceImpl() override { Stop(); }

  Status Run() {
    net::ServerOptions so;
    so.listen = options_.listen;
    so.threads = options_.threads;
    // Attachments are checked against the limits in the handler, so that
    // the answer carries a FIT-Connect problem; the server's own cap only
    // stops bodies far beyond them.
    so.max_body = options_.limits.max_attachment_bytes + (1u << 20);
    so.spool_threshold = 1u << 20;
    so.spool_dir = store_->dir() / "spool";
    so.read_timeout_seconds = 120;
    DS_RETURN_IF_ERROR(EnsureDir(so.spool_dir));
    DS_ASSIGN_OR_RETURN(server_,
                        net::HttpServer::Start(so, BuildRouter(ctx_)));
    public_url_ = options_.public_url.empty() ? server_->base_url()
                                              : options_.public_url;
    worker_ = std::thread([this] { Work(); });
    logger_->Info("zd.started", {{"url", server_->base_url()}});
    return Status::Ok();
  }

  std::string base_url() const override { return server_->base_url(); }
  std::string token_url() const override { return server_->base_url() + "/token"; }
  Admin& admin() override { return admin_; }
  nlohmann::json Jwks() const override { return signer_.Jwks(); }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    if (server_) server_->Stop();
  }

 private:
  void Wake() {
    {
      std::lock_guard lock(mu_);
      wake_ = true;
    }
    cv_.notify_all();
  }

  void Work() {
    std::unique_lock lock(mu_);
    while (!stopped_) {
      cv_.wait_for(lock, std::chrono::milliseconds(options_.sweep_interval_ms),
                   [this] { return stopped_ || wake_; });
      if (stopped_) break;
      wake_ = false;
      lock.unlock();
      SweepTimeouts();
      DeliverCallbacks();
      lock.lock();
    }
  }

  // The service's own reject-submission for submissions nobody took up.
  void SweepTimeouts() {
    auto due = store_->SubmittedBefore(UnixNow() - options_.pickup_timeout_seconds);
    if (!due.ok()) {
      const std::string error = due.status().ToString();
      logger_->Warn("zd.sweep_failed", {{"error", error}});
      return;
    }
    for (const auto& s : *due) {
      Status st = RejectForTimeout(ctx_, s);
      if (!st.ok() && st.code() != Code::kConflict) {
        const std::string error = st.ToString();
        logger_->Warn("zd.timeout_reject_failed",
                      {{"submission", s.id}, {"error", error}});
      }
    }
  }

  // Callbacks are retried with doubling backoff until a 2xx.
  void DeliverCallbacks() {
    auto due = store_->DueCallbacks(NowMs(), 20);
    if (!due.ok()) return;
    for (const auto& cb : *due) {
      if (stopped_) return;
      CallbackAttempt a = DeliverCallback(
          cb.url, cb.secret, cb.body,
          static_cast<int>(options_.callback_timeout_seconds));
      if (a.http_status >= 200 && a.http_status < 300) {
        (void)store_->CallbackDelivered(cb.id, NowMs());
        logger_->Info("zd.callback_delivered",
                      {{"callback", cb.id}, {"attempts", cb.attempts + 1}});
        continue;
      }
      int64_t backoff = options_.callback_initial_backoff_ms;
      for (int i = 0; i < cb.attempts && backoff < options_.callback_max_backoff_ms; ++i) {
        backoff *= 2;
      }
      backoff = std::min(backoff, options_.callback_max_backoff_ms);
      (void)store_->CallbackFailed(cb.id, NowMs() + backoff, a.error);
      logger_->Info("zd.callback_failed", {{"callback", cb.id},
                                           {"attempts", cb.attempts + 1},
                                           {"retry_ms", backoff},
                                           {"error", a.error}});
    }
  }

  Options options_;
  std::shared_ptr<Store> store_;
  ServiceSigner signer_;
  AdminImpl admin_;
  Logger* logger_ = nullptr;
  ApiContext ctx_;
  std::unique_ptr<net::HttpServer> server_;
  std::string public_url_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
  bool wake_ = false;     // guarded by mu_
  std::thread worker_;
};

}  // namespace

Result<std::unique_ptr<Service>> Service::Start(const Options& options) {
  if (options.data_dir.empty()) {
    return EnvironmentError("zustelldienst: a data directory is required");
  }
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(options.data_dir));
  DS_ASSIGN_OR_RETURN(
      ServiceSigner signer,
      ServiceSigner::LoadOrCreate(options.data_dir / "service-signing-key.jwk"));
  auto service = std::make_unique<ServiceImpl>(
      options, std::shared_ptr<Store>(std::move(store)), std::move(signer));
  DS_RETURN_IF_ERROR(service->Run());
  return std::unique_ptr<Service>(std::move(service));
}

}  // namespace ds::zustelldienst
