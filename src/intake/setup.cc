#include "intake/setup.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/files.h"
#include "gate/policy.h"

namespace ds::intake {
namespace {

Result<jose::Jwk> LoadPrivateKey(const std::filesystem::path& path, std::string_view purpose) {
  Result<std::string> text = ReadFile(path, 1 << 20);
  if (!text.ok()) return EnvironmentError("key " + path.string() + ": " + text.status().message());
  Result<jose::Jwk> key = jose::Jwk::Parse(*text);
  if (!key.ok()) return EnvironmentError("key " + path.string() + ": " + key.status().message());
  if (!key->is_private()) return EnvironmentError("key " + path.string() + " is not a private key");
  if (!key->alg().empty() && key->alg() != purpose) {
    return EnvironmentError("key " + path.string() + " has alg " + key->alg() + ", expected " +
                            std::string(purpose));
  }
  return key;
}

// Reads a PEM or DER certificate and returns it as DER.
Result<std::string> LoadCertificateDer(const std::filesystem::path& path) {
  DS_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, 1 << 20));
  if (bytes.find("-----BEGIN CERTIFICATE-----") == std::string::npos) return bytes;
  BIO* bio = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return EnvironmentError("not a PEM certificate: " + path.string());
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len <= 0) return EnvironmentError("cannot encode certificate: " + path.string());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// The configured Submission API URL is the documented base including /v1
// (notes/fit-connect.md §1; config.cc asks for ".../v1"), but the client
// appends /v1/... itself: strip a trailing "/v1" and slashes. Plain roots
// (the local Zustelldienst's base URL) pass unchanged.
std::string ApiRoot(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0) url.resize(url.size() - 3);
  return url;
}

}  // namespace

Result<jose::KeyPolicy> LoadKeyPolicy(const HubConfig& hub) {
  jose::KeyPolicy policy;
  policy.test_mode = hub.test_mode;
  for (const auto& path : hub.trust_anchors) {
    DS_ASSIGN_OR_RETURN(std::string der, LoadCertificateDer(path));
    policy.trust_anchors_der.push_back(std::move(der));
  }
  return policy;
}

Result<Destination> LoadDestination(const DestinationConfig& c, const HubConfig& hub) {
  Destination d;
  d.id = c.id;
  d.tenant = c.tenant;
  for (const auto& path : c.decryption_keys) {
    DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadPrivateKey(path, "RSA-OAEP-256"));
    d.decryption_keys.Add(std::move(key));
  }
  for (const auto& path : c.retired_keys) {
    DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadPrivateKey(path, "RSA-OAEP-256"));
    d.retired_keys.Add(std::move(key));
  }
  d.accept_retired = c.retired_key_policy == "accept";
  DS_ASSIGN_OR_RETURN(d.signing_key, LoadPrivateKey(c.signing_key, "PS512"));
  d.callback_secret = c.callback_secret;

  submission_api::Endpoint ep;
  ep.api_url = ApiRoot(hub.submission_api);
  ep.token_url = hub.token_url;
  ep.client_id = c.client_id;
  ep.client_secret = c.client_secret;
  // The SET `iss` of the Zustelldienst: its root, as the local stand-in
  // issues it [unverified for the FITKO service].
  d.trusted_issuer = ApiRoot(hub.submission_api);
  d.api = std::make_shared<submission_api::SubscriberClient>(ep);
  return d;
}

Status LoadDataSchemas(const HubConfig& hub, DataSchemas* out) {
  for (const DataSchemaConfig& s : hub.data_schemas) {
    Status st;
    if (s.file.extension() == ".xsd") {
      st = out->AddXsd(s.uri, s.file);
    } else {
      Result<std::string> text = ReadFile(s.file, 16 << 20);
      st = text.ok() ? out->AddJson(s.uri, *text) : text.status();
    }
    if (!st.ok()) return EnvironmentError("data schema " + s.file.string() + ": " + st.message());
  }
  return Status::Ok();
}

gate::Policy GatePolicy(const HubConfig& hub) {
  gate::Policy p;
  if (!hub.allowed_types.empty()) {
    p.allowed_types.clear();
    // Type ids ("pdf") and MIME types ("application/pdf") both work.
    for (const std::string& t : hub.allowed_types) p.allowed_types.insert(gate::TypeIdFor(t));
  }
  p.clamd_socket = hub.clamd_socket;
  return p;
}

}  // namespace ds::intake
