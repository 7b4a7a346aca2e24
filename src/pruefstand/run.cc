#include "pruefstand/run.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/time.h"
#include "pruefstand/report.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

// The host of an http(s) URL, without brackets, lower-cased.
std::string HostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = std::string(rest.substr(1, rest.find(']') - 1));
  } else {
    host = std::string(rest.substr(0, rest.find(':')));
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return host;
}

bool IsLoopbackV4(const std::string& host) {
  int parts[4];
  char tail;
  if (sscanf(host.c_str(), "%d.%d.%d.%d%c", &parts[0], &parts[1], &parts[2],
             &parts[3], &tail) != 4) {
    return false;
  }
  for (int p : parts) {
    if (p < 0 || p > 255) return false;
  }
  return parts[0] == 127;
}

bool Selected(const gate::Sample& s, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  return std::find(only.begin(), only.end(), s.id) != only.end() ||
         std::find(only.begin(), only.end(), s.threat) != only.end();
}

std::vector<const gate::Sample*> Select(const std::vector<gate::Sample>& all,
                                        const RunOptions& o) {
  std::vector<const gate::Sample*> out;
  std::map<std::string, int> per_threat;
  for (const gate::Sample& s : all) {
    if (!Selected(s, o.only)) continue;
    if (o.per_threat > 0 && ++per_threat[s.threat] > o.per_threat) continue;
    out.push_back(&s);
  }
  return out;
}

json Row(const gate::Sample& s, const Delivery& d, int64_t ms) {
  bool malicious = s.expect == gate::Expect::kNotClean;
  std::optional<bool> passed = Passes(d.outcome, malicious);
  return {{"sample_id", s.id},
          {"threat", s.threat},
          {"description", s.description},
          {"expected", malicious ? "not_clean" : "clean"},
          {"expected_code", s.expected_code},
          {"needs_clamd", s.needs_clamd},
          {"declared_filename", EscapeName(s.filename)},
          {"declared_mime_type", s.mime_type},
          {"size", s.bytes.size()},
          {"sha256", HexEncode(Sha256(s.bytes))},
          {"outcome", std::string(OutcomeName(d.outcome))},
          {"reason", d.reason},
          {"passed", passed ? json(*passed) : json(nullptr)},
          {"duration_ms", ms},
          {"transport", d.transport},
          {"verdict", d.verdict},
          {"neutralisation", d.neutralisation}};
}

}  // namespace

bool IsLoopbackUrl(std::string_view url) {
  std::string host = HostOf(url);
  return host == "localhost" || host == "::1" || IsLoopbackV4(host);
}

Status CheckTargetAllowed(const std::vector<std::string>& urls,
                          std::string_view authorised_by) {
  bool authorised =
      authorised_by.find_first_not_of(" \t") != std::string_view::npos;
  for (const std::string& url : urls) {
    if (IsLoopbackUrl(url) || authorised) continue;
    return Status(Code::kUsage,
                  "pruefstand: " + url +
                      " is outside loopback; testing "
                      "another platform needs its owner's authorisation: "
                      "--authorised \"WHO\"");
  }
  return Status::Ok();
}

Result<json> Run(Target& target, const std::vector<gate::Sample>& catalogue,
                 const RunOptions& o) {
  DS_RETURN_IF_ERROR(CheckTargetAllowed(target.Urls(), o.authorised_by));
  std::vector<const gate::Sample*> samples = Select(catalogue, o);
  if (samples.empty()) {
    return Status(Code::kUsage, "pruefstand: the selection keeps no sample");
  }
  json described = target.Describe();
  bool sequential = described.value("kind", "") == "gate";
  int threads = sequential ? 1 : std::max(1, o.parallel);
  std::string started = Rfc3339Utc(time(nullptr));

  // Deliver, `threads` at a time; rows keep the catalogue's order.
  std::vector<json> rows(samples.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  int done = 0;
  auto worker = [&] {
    for (size_t i = next++; i < samples.size(); i = next++) {
      auto t0 = std::chrono::steady_clock::now();
      Delivery d = target.Deliver(*samples[i]);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      rows[i] = Row(*samples[i], d, ms);
      std::lock_guard<std::mutex> lock(progress_mu);
      ++done;
      if (o.progress) o.progress(done, int(samples.size()), samples[i]->id);
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();

  json results = json::array();
  for (json& r : rows) results.push_back(std::move(r));
  CatalogueInfo cat = DescribeCatalogue(catalogue);
  bool full = samples.size() == catalogue.size();
  json only = o.only;
  bool loopback = true;
  for (const std::string& url : target.Urls()) loopback &= IsLoopbackUrl(url);
  json authorisation = {
      {"required", !loopback},
      {"by", o.authorised_by.empty() ? json(nullptr) : json(o.authorised_by)}};
  return json{
      {"protocol_version", std::string(kProtocolVersion)},
      {"tool",
       {{"name", "drehscheibe pruefstand"}, {"version", o.tool_version}}},
      {"test_date", started},
      {"finished", Rfc3339Utc(time(nullptr))},
      {"catalogue",
       {{"name", "drehscheibe-gate-samples"},
        {"version", cat.version},
        {"manifest_sha256", cat.manifest_sha256},
        {"samples", cat.samples},
        {"controls", cat.controls}}},
      {"selection",
       {{"full", full},
        {"only", only},
        {"per_threat", o.per_threat},
        {"samples", samples.size()}}},
      {"target", described},
      {"loopback_only", loopback},
      {"authorisation", authorisation},
      {"parallel", threads},
      {"summary", Summarise(results)},
      {"results", results}};
}

Status WriteProtocol(const json& protocol, const std::filesystem::path& dir) {
  DS_RETURN_IF_ERROR(EnsureDir(dir));
  std::string text =
      protocol.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  DS_RETURN_IF_ERROR(WriteFileAtomic(dir / "protocol.json", text));
  return WriteFileAtomic(dir / "report.html", RenderHtml(protocol));
}

}  // namespace ds::pruefstand
