#include "gateway/config.h"

#include <openssl/rand.h>

#include <set>

#include "core/config.h"
#include "core/encoding.h"
#include "core/files.h"

namespace ds::gateway {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string ReadSecretFile(ConfigReader& r, const std::string& key) {
  std::string path = r.String(key, "");
  if (path.empty()) {
    r.AddError(key, "missing (path to a file holding the secret)");
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

void ReadFitConnect(ConfigReader& r, Config& c) {
  c.fitconnect.api_url = r.String("fitconnect.api_url", "");
  if (c.fitconnect.api_url.empty()) r.AddError("fitconnect.api_url", "missing");
  c.fitconnect.token_url = r.String("fitconnect.token_url", "");
  if (c.fitconnect.token_url.empty()) {
    r.AddError("fitconnect.token_url", "missing");
  }
  c.fitconnect.client_id = r.String("fitconnect.client_id", "");
  if (c.fitconnect.client_id.empty()) {
    r.AddError("fitconnect.client_id", "missing");
  }
  c.fitconnect.client_secret =
      ReadSecretFile(r, "fitconnect.client_secret_file");
  c.test_keys = r.Bool("fitconnect.test_keys", false);
}

void ReadLimits(ConfigReader& r, Limits& l) {
  l.max_attachment_bytes = static_cast<uint64_t>(
      r.Int("limits.max_attachment_bytes", l.max_attachment_bytes, 0,
            kMaxAttachmentPlaintext));
  l.max_total_bytes = static_cast<uint64_t>(r.Int(
      "limits.max_total_bytes", l.max_total_bytes, 0, kMaxSubmissionPlaintext));
  l.max_data_bytes = static_cast<uint64_t>(
      r.Int("limits.max_data_bytes", l.max_data_bytes, 1, 256ll << 20));
  l.max_attachments = static_cast<int>(
      r.Int("limits.max_attachments", l.max_attachments, 0, kMaxAttachments));
}

Portal ReadPortal(ConfigReader& r) {
  Portal p;
  p.id = r.String("id", "");
  if (p.id.empty()) r.AddError("id", "missing");
  p.token_sha256 = r.String("token_sha256", "");
  if (p.token_sha256.size() != 64 || !IsLowerHex(p.token_sha256)) {
    r.AddError("token_sha256",
               "must be 64 lower-case hex digits "
               "(drehscheibe gateway token)");
  }
  for (ConfigReader& d : r.Tables("destination")) {
    PortalDestination pd{d.String("id", ""), d.Strings("services")};
    if (!IsUuid(pd.id)) d.AddError("id", "must be a destinationId (UUID)");
    if (pd.services.empty()) d.AddError("services", "needs at least one");
    p.destinations.push_back(std::move(pd));
  }
  if (p.destinations.empty()) r.AddError("destination", "needs at least one");
  return p;
}

Result<Config> Read(ConfigReader r) {
  Config c;
  c.listen = r.String("gateway.listen", c.listen);
  c.public_url = r.String("gateway.public_url", "");
  c.threads = static_cast<int>(r.Int("gateway.threads", c.threads, 1, 64));
  ReadFitConnect(r, c);
  ReadLimits(r, c.limits);

  std::set<std::string> ids, hashes;
  for (ConfigReader& pr : r.Tables("portal")) {
    Portal p = ReadPortal(pr);
    if (!ids.insert(p.id).second) pr.AddError("id", "used by two portals");
    if (!hashes.insert(p.token_sha256).second) {
      pr.AddError("token_sha256", "used by two portals");
    }
    c.portals.push_back(std::move(p));
  }
  if (c.portals.empty()) r.AddError("portal", "needs at least one [[portal]]");
  r.RejectUnknownKeys();
  DS_RETURN_IF_ERROR(r.Finish());
  return c;
}

}  // namespace

bool Portal::Allows(std::string_view destination,
                    std::string_view service) const {
  for (const PortalDestination& d : destinations) {
    if (d.id != destination) continue;
    for (const std::string& s : d.services) {
      if (s == service) return true;
    }
  }
  return false;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  DS_ASSIGN_OR_RETURN(ConfigReader r, ConfigReader::FromFile(file));
  return Read(std::move(r));
}

Result<Config> ParseConfig(std::string_view toml) {
  DS_ASSIGN_OR_RETURN(ConfigReader r, ConfigReader::FromString(toml));
  return Read(std::move(r));
}

std::string TokenHash(std::string_view token) {
  return HexEncode(Sha256(token));
}

NewToken GenerateToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: bug
  std::string token = Base64UrlEncode(
      std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  return {token, TokenHash(token)};
}

}  // namespace ds::gateway
