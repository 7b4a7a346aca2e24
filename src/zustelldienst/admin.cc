#include "zustelldienst/admin.h"

#include <openssl/rand.h>

#include "core/encoding.h"
#include "jose/jwk.h"

namespace ds::zustelldienst {

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // A broken RNG is an environment failure nobody can work around.
    std::abort();
  }
  return Base64UrlEncode(
      std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

std::string HashSecret(std::string_view secret) {
  return HexEncode(Sha256(secret));
}

Result<std::unique_ptr<Admin>> Admin::Open(const std::filesystem::path& dir) {
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir));
  return std::unique_ptr<Admin>(
      std::make_unique<AdminImpl>(std::shared_ptr<Store>(std::move(store))));
}

Result<ClientCredentials> AdminImpl::CreateClient(
    Role role, const std::vector<std::string>& destinations,
    std::string_view name) {
  if (role == Role::kSender && !destinations.empty()) {
    return InvalidInput("create client: senders are not bound to destinations");
  }
  for (const auto& d : destinations) {
    DS_ASSIGN_OR_RETURN(auto row, store_->FindDestination(d));
    if (!row) return NotFound("create client: no destination " + d);
  }
  ClientCredentials creds{NewUuid(), RandomToken(), role, destinations};
  DS_RETURN_IF_ERROR(store_->InsertClient(
      {creds.client_id, HashSecret(creds.client_secret), role, destinations},
      name));
  return creds;
}

Status AdminImpl::ImportClient(const ClientCredentials& c,
                               std::string_view name) {
  if (!IsUuid(c.client_id) || c.client_secret.size() < 16) {
    return InvalidInput("import client: id must be a UUID, secret >= 16 chars");
  }
  DS_ASSIGN_OR_RETURN(auto existing, store_->FindClient(c.client_id));
  if (existing) return Status(Code::kAlreadyExists, "client exists");
  for (const auto& d : c.destinations) {
    DS_ASSIGN_OR_RETURN(auto row, store_->FindDestination(d));
    if (!row) return NotFound("import client: no destination " + d);
  }
  return store_->InsertClient(
      {c.client_id, HashSecret(c.client_secret), c.role, c.destinations}, name);
}

namespace {

Status CheckKey(const jose::Jwk& key, std::string_view purpose) {
  jose::KeyPolicy policy;
  policy.test_mode = true;  // the stand-in accepts self-signed test keys
  Status s = jose::CheckPublicKey(key, purpose, policy);
  if (!s.ok()) return InvalidInput("key " + key.kid() + ": " + s.message());
  if (key.kid().empty()) return InvalidInput("key without kid");
  return Status::Ok();
}

nlohmann::json ServicesJson(const std::vector<ServiceSpec>& services) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : services) {
    nlohmann::json schemas = nlohmann::json::array();
    for (const auto& sc : s.submission_schemas) {
      schemas.push_back({{"schemaUri", sc.schema_uri}, {"mimeType", sc.mime_type}});
    }
    nlohmann::json j = {{"identifier", s.identifier},
                        {"regions", s.regions},
                        {"submissionSchemas", schemas}};
    if (!s.name.empty()) j["name"] = s.name;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

Result<std::string> AdminImpl::CreateDestination(const DestinationSpec& spec) {
  std::string id = spec.id.empty() ? NewUuid() : spec.id;
  if (!IsUuid(id)) return InvalidInput("create destination: id is not a UUID");
  if (spec.encryption_key) {
    DS_RETURN_IF_ERROR(CheckKey(*spec.encryption_key, "RSA-OAEP-256"));
  }
  for (const auto& k : spec.signature_keys) {
    DS_RETURN_IF_ERROR(CheckKey(k, "PS512"));
  }

  DestinationRow row;
  row.id = id;
  row.status = spec.status;
  row.services = ServicesJson(spec.services);
  row.metadata_versions = spec.metadata_versions;
  row.reply_channels = spec.reply_channels;
  row.callback_url = spec.callback_url;
  row.callback_secret = spec.callback_secret;
  if (spec.encryption_key) row.encryption_kid = spec.encryption_key->kid();
  Status s = store_->InsertDestination(row);
  if (s.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, "destination " + id + " exists");
  }
  DS_RETURN_IF_ERROR(s);

  if (spec.encryption_key) {
    DS_RETURN_IF_ERROR(store_->InsertKey(
        id, spec.encryption_key->kid(), "encryption",
        spec.encryption_key->PublicOnly().PublicJson()));
  }
  for (const auto& k : spec.signature_keys) {
    DS_RETURN_IF_ERROR(
        store_->InsertKey(id, k.kid(), "signature", k.PublicOnly().PublicJson()));
  }
  return id;
}

Status AdminImpl::RegisterKey(std::string_view destination_id,
                              const jose::Jwk& key, bool make_current) {
  DS_ASSIGN_OR_RETURN(auto row, store_->FindDestination(destination_id));
  if (!row) return NotFound("register key: no destination");
  bool encryption = key.alg() == "RSA-OAEP-256";
  if (!encryption && key.alg() != "PS512") {
    return InvalidInput("register key: alg must be RSA-OAEP-256 or PS512");
  }
  DS_RETURN_IF_ERROR(CheckKey(key, key.alg()));
  DS_RETURN_IF_ERROR(store_->InsertKey(destination_id, key.kid(),
                                       encryption ? "encryption" : "signature",
                                       key.PublicOnly().PublicJson()));
  if (encryption && make_current) {
    row->encryption_kid = key.kid();
    DS_RETURN_IF_ERROR(store_->UpdateDestination(*row));
  }
  return Status::Ok();
}

Status AdminImpl::SetCallback(std::string_view destination_id,
                              std::string_view url, std::string_view secret) {
  DS_ASSIGN_OR_RETURN(auto row, store_->FindDestination(destination_id));
  if (!row) return NotFound("set callback: no destination");
  row->callback_url = std::string(url);
  row->callback_secret = std::string(secret);
  return store_->UpdateDestination(*row);
}

Result<nlohmann::json> AdminImpl::DestinationJson(std::string_view id) {
  DS_ASSIGN_OR_RETURN(auto row, store_->FindDestination(id));
  if (!row) return NotFound("no destination " + std::string(id));
  return DestinationDocument(*row);
}

nlohmann::json DestinationDocument(const DestinationRow& d) {
  nlohmann::json channels = nlohmann::json::object();
  for (const auto& c : d.reply_channels) {
    if (c.is_string()) channels[c.get<std::string>()] = nlohmann::json::object();
  }
  nlohmann::json j = {{"destinationId", d.id},
                      {"status", d.status},
                      {"services", d.services},
                      {"metadataVersions", d.metadata_versions},
                      {"replyChannels", channels}};
  if (!d.encryption_kid.empty()) j["encryptionKid"] = d.encryption_kid;
  return j;
}

}  // namespace ds::zustelldienst
