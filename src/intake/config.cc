#include "intake/config.h"

#include "core/encoding.h"
#include "core/files.h"
#include "gate/policy.h"
#include "net/listen.h"

namespace ds::intake {
namespace {

std::string ReadSecret(ConfigReader& r, const std::string& key, bool required) {
  std::string path = r.String(key, "");
  if (path.empty()) {
    if (required) r.AddError(key, "missing (path to a file holding the secret)");
    return "";
  }
  Result<std::string> text = ReadFile(path, 4096);
  if (!text.ok()) {
    r.AddError(key, "cannot read " + path + ": " + text.status().message());
    return "";
  }
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) r.AddError(key, "file " + path + " is empty");
  return s;
}

std::vector<std::filesystem::path> Paths(ConfigReader& r, const std::string& key) {
  std::vector<std::filesystem::path> out;
  for (const std::string& p : r.Strings(key)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) r.AddError(key, "no such file: " + p);
    out.emplace_back(p);
  }
  return out;
}

DestinationConfig LoadDestination(ConfigReader& r) {
  DestinationConfig d;
  d.id = r.String("id", "");
  if (!IsUuid(d.id)) r.AddError("id", "must be a destinationId (UUID)");
  d.tenant = r.String("tenant", "");
  if (d.tenant.empty()) r.AddError("tenant", "missing");
  d.client_id = r.String("client_id", "");
  if (d.client_id.empty()) r.AddError("client_id", "missing");
  d.client_secret = ReadSecret(r, "client_secret_file", true);
  d.decryption_keys = Paths(r, "decryption_keys");
  if (d.decryption_keys.empty()) r.AddError("decryption_keys", "needs at least one private key file");
  d.retired_keys = Paths(r, "retired_keys");
  d.retired_key_policy = r.String("retired_key_policy", "reject");
  if (d.retired_key_policy != "reject" && d.retired_key_policy != "accept") {
    r.AddError("retired_key_policy", "must be \"reject\" or \"accept\"");
  }
  std::string signing = r.String("signing_key", "");
  if (signing.empty()) r.AddError("signing_key", "missing (private PS512 JWK file)");
  d.signing_key = signing;
  d.callback_secret = ReadSecret(r, "callback_secret_file", false);
  return d;
}

}  // namespace

Result<HubConfig> LoadHubConfig(ConfigReader& r) {
  HubConfig c;
  c.listen = r.String("hub.listen", c.listen);
  if (Result<net::ListenAddress> l = net::ParseListen(c.listen); !l.ok()) {
    r.AddError("hub.listen", l.status().message());
  }
  c.test_mode = r.Bool("hub.test_mode", false);
  c.database_url = r.String("database.url", "");
  c.submission_api = r.String("zustelldienst.submission_api", "");
  if (c.submission_api.empty()) {
    r.AddError("zustelldienst.submission_api", "missing (base URL of the Submission API, e.g. .../v1)");
  }
  c.token_url = r.String("zustelldienst.token_url", "");
  if (c.token_url.empty()) r.AddError("zustelldienst.token_url", "missing");
  c.poll_seconds = static_cast<int>(r.Int("intake.poll_seconds", 30, 1, 86400));
  c.max_parallel = static_cast<int>(r.Int("intake.max_parallel", 4, 1, 64));
  c.max_attachment_bytes = static_cast<uint64_t>(
      r.Int("intake.max_attachment_bytes", 500ll << 20, 1, 2ll << 30));
  c.clamd_socket = r.String("gate.clamd_socket", "");
  c.allowed_types = r.Strings("gate.allow");
  for (const std::string& t : c.allowed_types) {
    if (gate::TypeIdFor(t).empty()) r.AddError("gate.allow", "the gate cannot inspect type " + t);
  }
  c.trust_anchors = Paths(r, "hub.trust_anchors");
  if (!c.test_mode && c.trust_anchors.empty()) {
    r.AddError("hub.trust_anchors",
               "needed outside test mode (root certificates of the Verwaltungs-PKI)");
  }
  for (ConfigReader& d : r.Tables("destination")) {
    c.destinations.push_back(LoadDestination(d));
    // A destination configured twice would be polled and answered twice.
    for (size_t i = 0; i + 1 < c.destinations.size(); ++i) {
      if (!c.destinations.back().id.empty() &&
          c.destinations[i].id == c.destinations.back().id) {
        d.AddError("id", "configured twice (also destination[" +
                             std::to_string(i) + "])");
        break;
      }
    }
  }
  if (c.destinations.empty()) r.AddError("destination", "at least one [[destination]] is needed");
  for (ConfigReader& t : r.Tables("data_schema")) {
    DataSchemaConfig ds{t.String("uri", ""), t.String("file", "")};
    if (ds.uri.empty()) t.AddError("uri", "missing (the schemaUri senders name)");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(ds.file, ec)) {
      t.AddError("file", "no such file: " + ds.file.string());
    }
    c.data_schemas.push_back(std::move(ds));
  }

  DS_RETURN_IF_ERROR(r.Finish());
  return c;
}

}  // namespace ds::intake
