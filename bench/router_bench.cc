// router_bench: deliveries per second from the E-Akte to a local webhook
// receiver, and the delay from filing (the intake's accept) to delivery.
//
//   router_bench [--cases N] [--rate R] [--poll-ms P] [--postgres CONNINFO]
//
// Phase 1 files N cases, then starts the router loop and measures how fast
// it empties the outbox into a receiver on loopback that verifies every
// signature (one target, strict order, the whole path: claim, rules,
// delivery rows, payload from the E-Akte, HMAC, HTTP POST, state in the
// E-Akte with audit entries). Phase 2 runs the loop and files R cases per
// second for N/4 cases; the delay of each is the time from the return of
// FileSubmission to the receiver's first sight of it (p50, p95, max).
// SQLite in a temporary directory unless --postgres names a database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "net/http.h"
#include "records/store.h"
#include "router/router.h"
#include "router/transport.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kSecret = "router-bench-secret-0123456789abcdef";

struct Receiver {
  std::mutex mu;
  std::map<std::string, Clock::time_point> seen;  // vorgang id -> first sight
  std::atomic<int> bad{0};
};

ds::Result<std::string> File(ds::records::Store& store, int i) {
  std::string form = R"({"antrag":{"art":"erst","nummer":)" +
                     std::to_string(i) + R"(},"region":"091620000000"})";
  DS_ASSIGN_OR_RETURN(auto blob, store.files().PutBytes(form));
  ds::records::IncomingSubmission in;
  in.tenant = "kreis-a";
  in.submission_id = ds::NewUuid();
  in.case_id = ds::NewUuid();
  in.destination_id = "8a3c2b1e-0000-4000-8000-000000000001";
  in.service_identifier = "urn:de:fim:leika:leistung:99108008000000";
  in.service_name = "Wohngeld";
  in.subject = "Antrag " + std::to_string(i);
  in.form_data.filename = "fachdaten.json";
  in.form_data.mime_type = "application/json";
  in.form_data.content_address = blob.address;
  in.form_data.size = blob.size;
  DS_ASSIGN_OR_RETURN(auto receipt, store.FileSubmission(in));
  return receipt.vorgang_id;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Fail(const ds::Status& st) {
  std::fprintf(stderr, "router_bench: %s\n", st.ToString().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 2000, rate = 50, poll_ms = 100;
  std::string conninfo;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--cases")
      cases = std::atoi(argv[i + 1]);
    else if (a == "--rate")
      rate = std::atoi(argv[i + 1]);
    else if (a == "--poll-ms")
      poll_ms = std::atoi(argv[i + 1]);
    else if (a == "--postgres")
      conninfo = argv[i + 1];
  }
  char tmpl[] = "/tmp/router-bench-XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  ds::DefaultLogger().set_level(ds::LogLevel::kWarn);

  // The receiver: verifies each signature, notes the first sight per case.
  Receiver rx;
  ds::net::Router http;
  http.Add("POST", "/hook", [&rx](const ds::net::Request& r) {
    auto now = Clock::now();
    if (!ds::router::VerifyWebhook(
             kSecret, r.header(ds::router::kTimestampHeader),
             r.header(ds::router::kSignatureHeader), r.body, ds::UnixNow())
             .ok()) {
      rx.bad.fetch_add(1);
      return ds::net::Response::Empty(401);
    }
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    std::string id = body["vorgang"].value("id", "");
    std::lock_guard<std::mutex> lock(rx.mu);
    rx.seen.emplace(id, now);
    return ds::net::Response::Empty(204);
  });
  auto server = ds::net::HttpServer::Start(
      {.listen = "127.0.0.1:0", .threads = 2}, std::move(http));
  if (!server.ok()) return Fail(server.status());

  auto store = ds::records::Store::Open(dir, conninfo);
  if (!store.ok()) return Fail(store.status());
  ds::router::RoutingConfig config{
      .targets = {{.id = "fv",
                   .tenant = "kreis-a",
                   .kind = "webhook",
                   .url = (*server)->base_url() + "/hook",
                   .secret = kSecret}},
      .rules = {{.name = "wohngeld",
                 .tenant = "kreis-a",
                 .leika = {"99108008000000"},
                 .fields = {{.pointer = "/antrag/art", .equals = "erst"}},
                 .targets = {"fv"}}},
      .poll_ms = poll_ms};
  auto router = ds::router::Router::Open(
      **store, {.data_dir = dir, .database_url = conninfo, .config = config});
  if (!router.ok()) return Fail(router.status());
  auto seen = [&rx] {
    std::lock_guard<std::mutex> lock(rx.mu);
    return rx.seen.size();
  };

  // Phase 1: a backlog of `cases` filed cases, delivered as fast as possible.
  for (int i = 0; i < cases; ++i) {
    auto id = File(**store, i);
    if (!id.ok()) return Fail(id.status());
  }
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  std::thread loop([&] { (*router)->Run(stop); });
  auto backlog_deadline = start + std::chrono::seconds(600);
  while (seen() < static_cast<size_t>(cases) &&
         Clock::now() < backlog_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("backend=%s cases=%d poll_ms=%d\n",
              conninfo.empty() ? "sqlite" : "postgres", cases, poll_ms);
  std::printf("backlog: %zu of %d delivered in %.2f s = %.0f deliveries/s\n",
              seen(), cases, seconds, static_cast<double>(seen()) / seconds);

  // Phase 2: filing at `rate` per second while the loop runs.
  int live = std::max(1, cases / 4);
  std::vector<std::pair<std::string, Clock::time_point>> filed;
  auto next = Clock::now();
  for (int i = 0; i < live; ++i) {
    std::this_thread::sleep_until(next);
    next += std::chrono::microseconds(1'000'000 / std::max(1, rate));
    auto id = File(**store, cases + i);
    if (!id.ok()) return Fail(id.status());
    filed.emplace_back(*id, Clock::now());
  }
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (seen() < static_cast<size_t>(cases + live) &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  loop.join();
  std::vector<double> delays;
  {
    std::lock_guard<std::mutex> lock(rx.mu);
    for (const auto& [id, at] : filed) {
      auto it = rx.seen.find(id);
      if (it == rx.seen.end()) continue;
      delays.push_back(
          std::chrono::duration<double, std::milli>(it->second - at).count());
    }
  }
  std::printf(
      "live: %d cases at %d/s, delivered %zu; filing->delivery p50 %.1f ms, "
      "p95 %.1f ms, max %.1f ms\n",
      live, rate, delays.size(), Percentile(delays, 0.5),
      Percentile(delays, 0.95), Percentile(delays, 1.0));
  std::printf("bad signatures: %d\n", rx.bad.load());
  (*server)->Stop();
  std::filesystem::remove_all(dir);
  return delays.size() == static_cast<size_t>(live) && rx.bad == 0 ? 0 : 1;
}
