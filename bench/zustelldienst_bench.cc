// zustelldienst_bench: submissions per second through the local
// Zustelldienst stand-in on loopback, each phase timed, and the
// bottleneck named from the costs of the primitives behind the phases.
//
//   zustelldienst_bench [--count N] [--threads T] [--attachment-kb K]
//
// One in-process Service (127.0.0.1:0, a fresh data directory under /tmp,
// SQLite WAL with synchronous=FULL as shipped) and, per submission, the
// sender library (submission_api/client.h) and a subscriber:
//   lookup    GET destination, GET key, CheckPublicKey (test mode)
//   encrypt   metadata 2.1.0, then 4 JWEs (metadata, data, 2 attachments)
//   announce  POST /v1/submissions
//   upload    2 x PUT .../attachments/{id}
//   submit    PUT /v1/submissions/{id}
//   list      GET /v1/submissions?destinationId=
//   fetch     GET submission, 2 x GET attachment (to files)
//   events    GET events, CheckSubmissionLog (service SETs verified), the
//             tags compared with the fetched JWEs
//   accept    SignSet(accept-submission, RSA-4096 PS512), POST event
//   status    sender: GET events, StateFromEventLog == "accepted"
// The subscriber does not decrypt (that is the intake's cost, not the
// stand-in's). First sequentially (per-phase medians), then T senders and
// subscribers in parallel threads (throughput only).
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "core/files.h"
#include "core/log.h"
#include "fitconnect/event_log.h"
#include "fitconnect/set.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "net/http.h"
#include "submission_api/client.h"
#include "submission_api/send.h"
#include "zustelldienst/service.h"

namespace {

namespace fs = std::filesystem;
namespace sa = ds::submission_api;
namespace zd = ds::zustelldienst;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr const char* kLeika = "urn:de:fim:leika:leistung:99123456760610";
constexpr const char* kSchema = "https://schema.example/wohngeld/1.0.0.json";

const char* const kPhases[] = {"lookup", "encrypt", "announce", "upload",
                               "submit", "list",    "fetch",    "events",
                               "accept", "status"};
constexpr int kPhaseCount = 10;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& step, const ds::Status& s) {
  std::fprintf(stderr, "zustelldienst_bench: %s: %s\n", step.c_str(),
               s.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(const std::string& step, ds::Result<T> r) {
  if (!r.ok()) Die(step, r.status());
  return std::move(*r);
}

void Must(const std::string& step, const ds::Status& s) {
  if (!s.ok()) Die(step, s);
}

std::string Pseudo(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed | 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

struct World {
  std::unique_ptr<zd::Service> service;
  std::optional<ds::jose::Jwk> signature_key;  // destination's, private
  std::string destination;
  zd::ClientCredentials sender, subscriber;
  std::string attachment;  // plaintext of each attachment
  fs::path scratch;        // downloads
};

sa::Endpoint EndpointFor(const World& w, const zd::ClientCredentials& c) {
  return {.api_url = w.service->base_url(),
          .token_url = w.service->token_url(),
          .client_id = c.client_id,
          .client_secret = c.client_secret};
}

// One submission from lookup to the sender seeing "accepted"; adds the
// milliseconds of each phase to `ms`.
void OneSubmission(const World& w, sa::SenderClient& sender,
                   sa::SubscriberClient& subscriber, const Json& service_jwks,
                   int n, double* ms) {
  auto t = Clock::now();
  auto lap = [&](int phase) {
    auto now = Clock::now();
    ms[phase] += Ms(now - t);
    t = now;
  };

  // Sender.
  sa::DestinationInfo d = Must("lookup", sender.GetDestination(w.destination));
  Json jwk = Must("lookup", sender.GetKey(w.destination, d.encryption_kid));
  ds::jose::Jwk key = Must("lookup", ds::jose::Jwk::FromJson(jwk));
  ds::jose::KeyPolicy policy;
  policy.test_mode = true;
  Must("lookup", ds::jose::CheckPublicKey(key, "RSA-OAEP-256", policy));
  lap(0);

  sa::Application app;
  app.destination_id = w.destination;
  app.service_identifier = kLeika;
  app.service_name = "Wohngeld";
  app.data = R"({"antrag":{"name":"Erika Mustermann","nr":)" +
             std::to_string(n) + "}}";
  app.data_schema_uri = kSchema;
  for (int i = 0; i < 2; ++i) {
    app.attachments.push_back(
        {.filename = "anlage" + std::to_string(i) + ".pdf",
         .content = w.attachment});
  }
  std::vector<std::string> ids = {ds::NewUuid(), ds::NewUuid()};
  Json metadata = Must("metadata", sa::BuildMetadata(app, ids, "2.1.0"));
  std::string enc_meta = Must(
      "encrypt",
      ds::jose::Encrypt(key, metadata.dump(), {.cty = "application/json"}));
  std::string enc_data = Must(
      "encrypt", ds::jose::Encrypt(key, app.data, {.cty = "application/json"}));
  std::vector<std::string> enc_att;
  for (const auto& a : app.attachments) {
    enc_att.push_back(Must(
        "encrypt", ds::jose::Encrypt(key, a.content, {.cty = a.mime_type})));
  }
  lap(1);

  sa::SubmissionRef ref =
      Must("announce", sender.Announce({.destination_id = w.destination,
                                        .attachment_ids = ids,
                                        .service_name = app.service_name,
                                        .service_identifier = kLeika}));
  lap(2);
  for (size_t i = 0; i < ids.size(); ++i) {
    Must("upload",
         sender.UploadAttachment(ref.submission_id, ids[i], enc_att[i]));
  }
  lap(3);
  Must("submit", sender.Submit(ref.submission_id, enc_meta, enc_data));
  lap(4);

  // Subscriber. Other threads' submissions may be listed too; this one
  // must be among the first 500.
  auto page = Must("list", subscriber.ListSubmissions(w.destination, 0, 500));
  bool listed = false;
  for (const auto& s : page.submissions) {
    listed |= s.submission_id == ref.submission_id;
  }
  if (!listed) Die("list", ds::CheckFailed("submission not listed"));
  lap(5);
  auto got = Must("fetch", subscriber.GetSubmission(ref.submission_id));
  ds::fitconnect::AuthenticationTags tags;
  tags.metadata =
      Must("fetch", ds::jose::AuthenticationTag(got.encrypted_metadata));
  tags.data = Must("fetch", ds::jose::AuthenticationTag(got.encrypted_data));
  for (const std::string& id : got.attachments) {
    fs::path out = w.scratch / (id + ".jwe");
    Must("fetch", subscriber.DownloadAttachment(ref.submission_id, id, out));
    std::string jwe = Must("fetch", ds::ReadFile(out));
    tags.attachments[id] = Must("fetch", ds::jose::AuthenticationTag(jwe));
    fs::remove(out);
  }
  lap(6);
  auto log = Must("events", subscriber.GetEvents(ref.case_id));
  ds::fitconnect::StaticKeyResolver resolver;
  resolver.AddDeliveryService(
      w.service->issuer(),
      Must("events", ds::jose::Jwks::FromJson(service_jwks)));
  resolver.AddDestination(w.destination,
                          ds::jose::Jwks({w.signature_key->PublicOnly()}));
  auto checked =
      Must("events", ds::fitconnect::CheckSubmissionLog(
                         log.events, ref.case_id, ref.submission_id, resolver));
  if (!(checked.authentication_tags == tags)) {
    Die("events", ds::CheckFailed("authentication tags differ"));
  }
  lap(7);
  std::string set = Must(
      "accept", ds::fitconnect::SignSet(
                    *w.signature_key,
                    ds::fitconnect::AcceptSubmission(
                        w.destination, ref.submission_id, ref.case_id, tags)));
  Must("accept", subscriber.PostEvent(ref.case_id, set));
  lap(8);

  // The sender sees the decision.
  auto sender_log = Must("status", sender.GetEvents(ref.case_id));
  std::string state = Must(
      "status",
      sa::StateFromEventLog(sender, sender_log, ref, service_jwks, nullptr));
  if (state != "accepted") Die("status", ds::CheckFailed("state " + state));
  lap(9);
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// An SQLite database as the store opens it (WAL, synchronous=FULL); each
// Commit() is one transaction with one row.
class CommitProbe {
 public:
  explicit CommitProbe(const fs::path& dir) {
    std::string file = (dir / "commit-probe.db").string();
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) return;
    sqlite3_exec(db_,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                 "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB)",
                 nullptr, nullptr, nullptr);
  }
  ~CommitProbe() { sqlite3_close(db_); }
  void Commit() {
    std::string sql = "BEGIN; INSERT INTO t VALUES('" + std::to_string(n_++) +
                      "', randomblob(512)); COMMIT;";
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_ = nullptr;
  int n_ = 0;
};

// A primitive behind the phases: what it costs alone, sampled between
// submissions so that it sees the same machine load as they do.
struct Probe {
  const char* name;
  int per_submission;  // how often a submission does it
  bool cpu;            // CPU time of this thread (pure computation)
  std::function<void()> run;
  std::vector<double> ms;

  void Sample() {
    if (cpu) {
      double t0 = ThreadCpuMs();
      run();
      ms.push_back(ThreadCpuMs() - t0);
    } else {
      auto t0 = Clock::now();
      run();
      ms.push_back(Ms(Clock::now() - t0));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  int count = 30, threads = 4, attachment_kb = 256;
  for (int i = 1; i < argc; ++i) {
    auto num = [&](int* out) {
      if (i + 1 >= argc) return false;
      *out = std::max(1, std::atoi(argv[++i]));
      return true;
    };
    bool ok = false;
    if (!std::strcmp(argv[i], "--count")) ok = num(&count);
    if (!std::strcmp(argv[i], "--threads")) ok = num(&threads);
    if (!std::strcmp(argv[i], "--attachment-kb")) ok = num(&attachment_kb);
    if (!ok) {
      std::fprintf(stderr,
                   "usage: zustelldienst_bench [--count N] "
                   "[--threads T] [--attachment-kb K]\n");
      return 2;
    }
  }

  char tmpl[] = "/tmp/ds-zd-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  const fs::path dir = tmpl;
  fs::create_directory(dir / "scratch");

  World w;
  w.scratch = dir / "scratch";
  w.attachment = Pseudo(static_cast<size_t>(attachment_kb) * 1024, 7);
  std::printf(
      "setup: RSA-4096 keys (destination encryption and signature, "
      "service SET key) ...\n");
  std::fflush(stdout);
  ds::jose::Jwk enc_key = Must(
      "keygen", ds::jose::Jwk::Generate(4096, ds::NewUuid(), "RSA-OAEP-256"));
  w.signature_key =
      Must("keygen", ds::jose::Jwk::Generate(4096, ds::NewUuid(), "PS512"));

  ds::Logger quiet;
  quiet.set_level(ds::LogLevel::kOff);
  zd::Options o;
  o.listen = "127.0.0.1:0";
  o.data_dir = dir / "data";
  o.logger = &quiet;
  w.service = Must("start", zd::Service::Start(o));
  zd::DestinationSpec spec;
  spec.services.push_back(
      {kLeika, "Wohngeld", {}, {{kSchema, "application/json"}}});
  spec.encryption_key = enc_key.PublicOnly();
  spec.signature_keys.push_back(w.signature_key->PublicOnly());
  w.destination =
      Must("destination", w.service->admin().CreateDestination(spec));
  w.sender = Must("client", w.service->admin().CreateClient(
                                zd::Role::kSender, {}, "bench-portal"));
  w.subscriber =
      Must("client", w.service->admin().CreateClient(
                         zd::Role::kSubscriber, {w.destination}, "bench-hub"));
  Json service_jwks = w.service->Jwks();

  // Sequential: per-phase medians.
  sa::SenderClient sender(EndpointFor(w, w.sender));
  sa::SubscriberClient subscriber(EndpointFor(w, w.subscriber));
  {
    double warm[kPhaseCount] = {};
    OneSubmission(w, sender, subscriber, service_jwks, -1, warm);  // tokens
  }
  // The primitives behind the phases.
  std::string signed_set = *ds::jose::SignPs512(
      *w.signature_key, {{"typ", "secevent+jwt"}}, R"({"x":1})");
  CommitProbe commits(dir / "scratch");
  ds::net::ClientRequest info;
  info.url = w.service->base_url() + "/v1/info";
  // An attachment-sized PUT to a ds_net server that only answers 204: the
  // HTTP transfer alone, without the service's checks and writes.
  ds::net::Router sink;
  sink.Add("PUT", "/sink", [](const ds::net::Request&) {
    return ds::net::Response::Empty(204);
  });
  auto sink_server = Must("sink", ds::net::HttpServer::Start({}, sink));
  ds::net::ClientRequest put;
  put.method = "PUT";
  put.url = sink_server->base_url() + "/sink";
  put.headers["Content-Type"] = "application/jose";
  put.body = *ds::jose::Encrypt(enc_key.PublicOnly(), w.attachment,
                                {.cty = "application/pdf"});
  // Counts per submission, from the phases and the service's code: the
  // service signs create- and submit-submission, the subscriber the
  // accept; SETs verified: 2 by the subscriber, 1 by the service (the
  // accept), 3 by the sender; 4 JWEs, 2 of them attachment-sized; SQLite
  // write transactions: announce, 2 uploads, submit, accept; 2 uploaded
  // files written durably; 14 HTTP requests, 2 of them uploads.
  std::vector<Probe> probes;
  probes.push_back(
      {"PS512 sign, RSA-4096 (2 service + 1 accept)", 3, true, [&] {
         (void)ds::jose::SignPs512(*w.signature_key, {{"typ", "secevent+jwt"}},
                                   R"({"x":1})");
       }});
  probes.push_back({"PS512 verify, RSA-4096", 6, true, [&] {
                      (void)ds::jose::VerifyPs512(
                          signed_set, w.signature_key->PublicOnly());
                    }});
  probes.push_back(
      {"JWE encrypt of one attachment (OAEP + AES-GCM)", 2, true, [&] {
         (void)ds::jose::Encrypt(enc_key.PublicOnly(), w.attachment,
                                 {.cty = "application/pdf"});
       }});
  probes.push_back({"SQLite commit, WAL synchronous=FULL", 5, false,
                    [&] { commits.Commit(); }});
  probes.push_back({"attachment file written durably (fsync)", 2, false, [&] {
                      (void)ds::WriteFileAtomic(dir / "scratch" / "probe",
                                                w.attachment);
                    }});
  probes.push_back({"HTTP request on loopback (GET /v1/info)", 12, false,
                    [&] { (void)ds::net::Fetch(info); }});
  probes.push_back({"HTTP PUT of one attachment JWE (sink server)", 2, false,
                    [&] { (void)ds::net::Fetch(put); }});

  std::vector<std::vector<double>> phase(kPhaseCount);
  std::vector<double> totals;
  for (int n = 0; n < count; ++n) {
    double ms[kPhaseCount] = {};
    OneSubmission(w, sender, subscriber, service_jwks, n, ms);
    double total = 0;
    for (int p = 0; p < kPhaseCount; ++p) {
      phase[p].push_back(ms[p]);
      total += ms[p];
    }
    totals.push_back(total);
    for (Probe& p : probes) p.Sample();
  }
  double seq_s = 0;
  for (double t : totals) seq_s += t / 1e3;
  sink_server->Stop();

  // Parallel: `threads` pairs of sender and subscriber.
  std::atomic<int> next{0};
  int par_count = std::max(count, threads * 5);
  auto par_start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      sa::SenderClient s(EndpointFor(w, w.sender));
      sa::SubscriberClient r(EndpointFor(w, w.subscriber));
      double ms[kPhaseCount] = {};
      for (int n; (n = next++) < par_count;) {
        OneSubmission(w, s, r, service_jwks, 1000 + n, ms);
      }
    });
  }
  for (auto& th : pool) th.join();
  double par_s = Ms(Clock::now() - par_start) / 1e3;

  double per_sub = Median(totals);
  std::printf(
      "\n%d submissions, each announce + 2 attachments of %d KiB + "
      "submit + pickup + accept\n",
      count, attachment_kb);
  std::printf(
      "sequential: %.1f submissions/s (%.1f ms each on average, "
      "median %.1f, slowest %.1f)\n",
      count / seq_s, seq_s * 1e3 / count, per_sub,
      *std::max_element(totals.begin(), totals.end()));
  std::printf("%d threads: %.1f submissions/s (%d submissions in %.2f s)\n",
              threads, par_count / par_s, par_count, par_s);
  std::printf("\nphase (median ms per submission, sequential):\n");
  for (int p = 0; p < kPhaseCount; ++p) {
    double m = Median(phase[p]);
    std::printf("  %-9s %7.2f ms  %4.0f %%\n", kPhases[p], m,
                100 * m / per_sub);
  }
  std::printf(
      "\nprimitives, sampled once between submissions (median "
      "ms; RSA and AES in\nCPU time, the rest wall clock) x count "
      "per submission:\n");
  const Probe* top = &probes[0];
  auto sum = [](const Probe& p) { return p.per_submission * Median(p.ms); };
  for (const Probe& p : probes) {
    std::printf("  %-48s %7.3f ms x %2d = %6.2f ms  %4.0f %%\n", p.name,
                Median(p.ms), p.per_submission, sum(p), 100 * sum(p) / per_sub);
    if (sum(p) > sum(*top)) top = &p;
  }
  double durable = sum(probes[3]) + sum(probes[4]);
  std::printf("  %-48s %27.2f ms  %4.0f %%\n",
              "together: durable writes (commits + fsyncs)", durable,
              100 * durable / per_sub);
  std::printf("bottleneck: %s (%.0f %% of a sequential submission)\n",
              top->name, 100 * sum(*top) / per_sub);
  std::printf(
      "(the rest of a submission is request handling, JSON, "
      "logging and waiting\n for a core of the shared machine)\n");

  w.service->Stop();
  w.service.reset();
  fs::remove_all(dir);
  return 0;
}
