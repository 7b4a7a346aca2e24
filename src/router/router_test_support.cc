#include "router/router_test_support.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/encoding.h"
#include "router/transport.h"

namespace ds::router::testing {

Receiver::Receiver() {
  net::Router router;
  router.Add("POST", "/hook",
             [this](const net::Request& r) { return Handle(r); });
  auto server = net::HttpServer::Start({.listen = "127.0.0.1:0", .threads = 2},
                                       std::move(router));
  EXPECT_OK(server);
  if (server.ok()) server_ = std::move(*server);
}

Receiver::~Receiver() {
  if (server_) server_->Stop();
}

net::Response Receiver::Handle(const net::Request& r) {
  total_.fetch_add(1);
  Status sig = VerifyWebhook(kSecret, r.header(kTimestampHeader),
                             r.header(kSignatureHeader), r.body, UnixNow());
  if (!sig.ok()) {
    bad_signatures_.fetch_add(1);
    return net::Response::Empty(401);
  }
  if (fail_always_.load() || fail_next_.fetch_sub(1) > 0) {
    refused_.fetch_add(1);
    return net::Response::Empty(fail_status_.load());
  }
  nlohmann::json payload = nlohmann::json::parse(r.body, nullptr, false);
  std::string key = r.header(kIdempotencyHeader);
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_[key]++ == 0) {  // a repeat is answered 200 and dropped
    held_.push_back({.key = key,
                     .vorgang_id = payload["vorgang"].value("id", ""),
                     .payload = payload});
  }
  return net::Response::Empty(204);
}

std::vector<Receiver::Held> Receiver::held() {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}

int Receiver::receipts(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = seen_.find(key);
  return it == seen_.end() ? 0 : it->second;
}

void RouterTest::SetUp() {
  quiet_.set_level(LogLevel::kOff);
  auto store = OpenRouterTestStore(tmp_.path(), &database_url_);
  ASSERT_OK(store);
  store_ = std::move(*store);
}

void RouterTest::TearDown() {}

TargetConfig RouterTest::Webhook(const std::string& id, int max_attempts) {
  return {.id = id,
          .tenant = "kreis-a",
          .kind = "webhook",
          .url = receiver_.url(),
          .secret = kSecret,
          .timeout_seconds = 10,
          .max_attempts = max_attempts,
          .backoff_initial_ms = 5,
          .backoff_max_ms = 40};
}

std::unique_ptr<Router> RouterTest::MakeRouter(const RoutingConfig& config) {
  RouterOptions options{
      .data_dir = tmp_.path(), .database_url = database_url_, .config = config};
  options.logger = &quiet_;
  options.document_policy.require_virus_scan = false;
  auto router = Router::Open(*store_, std::move(options));
  EXPECT_OK(router);
  return router.ok() ? std::move(*router) : nullptr;
}

std::string RouterTest::FileCase(const std::string& service,
                                 const std::string& form_json,
                                 const std::string& reply_channel) {
  auto put = [&](const std::string& bytes, const std::string& name,
                 const std::string& mime) {
    auto blob = store_->files().PutBytes(bytes);
    EXPECT_OK(blob);
    records::IncomingDocument d;
    d.filename = name;
    d.mime_type = mime;
    d.content_address = blob.ok() ? blob->address : "";
    d.size = static_cast<int64_t>(bytes.size());
    return d;
  };
  records::IncomingSubmission in;
  in.tenant = "kreis-a";
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = "8a3c2b1e-0000-4000-8000-000000000001";
  in.service_identifier = service;
  in.service_name = "Wohngeld";
  in.received_at = clock_++;
  in.subject = "Antrag " + in.submission_id.substr(0, 8);
  in.reply_channel_json = reply_channel;
  in.form_data = put(form_json, "fachdaten.json", "application/json");
  records::IncomingDocument a =
      put("%PDF-1.4 attachment of " + in.submission_id, "Mietvertrag.pdf",
          "application/pdf");
  a.attachment_id = NewUuid();
  in.attachments.push_back(a);
  auto receipt = store_->FileSubmission(in);
  EXPECT_OK(receipt);
  return receipt.ok() ? receipt->vorgang_id : "";
}

void RouterTest::Drive(Router& router, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ASSERT_OK(router.RouteNew());
    auto attempted = router.DeliverDue();
    ASSERT_OK(attempted);
    if (*attempted == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_TRUE(done()) << "not done within 60 s";
}

std::vector<records::AuditEntry> AuditOf(records::Store& store,
                                         const std::string& vorgang_id,
                                         const std::string& tenant) {
  std::vector<records::AuditEntry> out;
  auto audit = store.ReadAudit(tenant);
  EXPECT_OK(audit);
  if (!audit.ok()) return out;
  for (const records::AuditEntry& e : *audit) {
    if (std::find(e.object_ids.begin(), e.object_ids.end(), vorgang_id) !=
        e.object_ids.end()) {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace ds::router::testing
