#include "router/config.h"

#include <set>

#include "core/files.h"

namespace ds::router {
namespace {

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

std::string ReadSecretFile(ConfigReader& r, const std::string& key) {
  std::string path = r.String(key, "");
  if (path.empty()) {
    r.AddError(key, "missing (path to a file holding the HMAC key)");
    return "";
  }
  Result<std::string> text = ReadFile(path, 4096);
  if (!text.ok()) {
    r.AddError(key, "cannot read " + path + ": " + text.status().message());
    return "";
  }
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() < 16)
    r.AddError(key, "the key in " + path + " is shorter than 16 bytes");
  return s;
}

TargetConfig LoadTarget(ConfigReader& r) {
  TargetConfig t;
  t.id = r.String("id", "");
  if (!ValidId(t.id))
    r.AddError("id", "must be 1-64 letters, digits, '-' or '_'");
  t.tenant = r.String("tenant", "");
  if (t.tenant.empty()) r.AddError("tenant", "missing");
  t.kind = r.String("kind", "webhook");
  t.timeout_seconds = static_cast<int>(r.Int("timeout_seconds", 30, 1, 600));
  t.max_attempts = static_cast<int>(r.Int("max_attempts", 10, 1, 1000));
  t.backoff_initial_ms = r.Int("backoff_initial_ms", 1000, 1, 86400'000);
  t.backoff_max_ms = r.Int("backoff_max_ms", 3600'000, 1, 7 * 86400'000ll);
  auto load_url = [&] {
    t.url = r.String("url", "");
    if (!t.url.starts_with("http://") && !t.url.starts_with("https://")) {
      r.AddError("url", "must be an http:// or https:// URL");
    }
    t.secret = ReadSecretFile(r, "secret_file");
    std::string ca = r.String("ca_file", "");
    std::error_code ec;
    if (!ca.empty() && !std::filesystem::is_regular_file(ca, ec)) {
      r.AddError("ca_file", "no such file: " + ca);
    }
    t.ca_file = ca;
  };
  if (t.kind == "webhook") {
    load_url();
  } else if (t.kind == "xdomea") {
    t.exchange_dir = r.String("exchange_dir", "");
    bool has_url = !r.String("url", "").empty();
    if (t.exchange_dir.empty() == !has_url) {
      r.AddError("exchange_dir", "set exactly one of exchange_dir and url");
    } else if (has_url) {
      load_url();
    } else if (!t.exchange_dir.is_absolute()) {
      r.AddError("exchange_dir", "must be an absolute path");
    }
    t.xdomea_version = r.String("xdomea_version", "3.1.0");
    if (t.xdomea_version != "3.1.0" && t.xdomea_version != "3.0.0") {
      r.AddError("xdomea_version", "must be 3.1.0 or 3.0.0");
    }
    t.xdomea_sender = r.String("xdomea_sender", "");
    t.xdomea_receiver = r.String("xdomea_receiver", "");
    t.xdomea_container = r.String("xdomea_container", "");
  } else if (t.kind != "feed") {
    r.AddError("kind", "unknown transport \"" + t.kind +
                           "\" (known: webhook, feed, xdomea)");
  }
  return t;
}

Rule LoadRule(ConfigReader& r) {
  Rule rule;
  rule.name = r.String("name", "");
  rule.tenant = r.String("tenant", "");
  if (rule.tenant.empty()) r.AddError("tenant", "missing");
  rule.leika = r.Strings("leika");
  rule.services = r.Strings("services");
  rule.destinations = r.Strings("destinations");
  rule.data_schemas = r.Strings("data_schemas");
  rule.regions = r.Strings("regions");
  rule.region_field = r.String("region_field", "/region");
  rule.targets = r.Strings("targets");
  for (ConfigReader& f : r.Tables("fields")) {
    rule.fields.push_back(
        {.pointer = f.String("pointer", ""), .equals = f.String("equals", "")});
  }
  Status st = CheckRule(rule);
  if (!st.ok()) r.AddError("rule", st.message());
  return rule;
}

}  // namespace

RoutingConfig LoadRoutingConfig(ConfigReader& r) {
  RoutingConfig c;
  c.public_base_url = r.String("routing.public_base_url", "");
  c.poll_ms = static_cast<int>(r.Int("routing.poll_ms", 500, 10, 600'000));
  c.lease_ms = r.Int("routing.lease_ms", 120'000, 1000, 86400'000);
  std::set<std::string> ids;
  for (ConfigReader& t : r.Tables("routing.targets")) {
    c.targets.push_back(LoadTarget(t));
    if (!ids.insert(c.targets.back().id).second) {
      t.AddError("id", "used by two targets");
    }
  }
  std::set<std::pair<std::string, std::string>> names;  // tenant, name
  for (ConfigReader& rr : r.Tables("routing.rules")) {
    c.rules.push_back(LoadRule(rr));
    if (!names.insert({c.rules.back().tenant, c.rules.back().name}).second) {
      rr.AddError("name", "used by two rules of the tenant");
    }
    for (const std::string& target : c.rules.back().targets) {
      const TargetConfig* t = FindTarget(c, target);
      if (!t) {
        rr.AddError("targets", "unknown target " + target);
      } else if (t->tenant != c.rules.back().tenant) {
        rr.AddError("targets",
                    "target " + target + " belongs to another tenant");
      }
    }
  }
  return c;
}

const TargetConfig* FindTarget(const RoutingConfig& config,
                               const std::string& id) {
  for (const TargetConfig& t : config.targets) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace ds::router
