// The TOML setup file of the stand-in (format in docs/zustelldienst.md).
#include "core/config.h"
#include "core/files.h"
#include "zustelldienst/service.h"

namespace ds::zustelldienst {
namespace {

Result<jose::Jwk> LoadKey(const std::filesystem::path& base,
                          const std::string& file) {
  std::filesystem::path path = file;
  if (path.is_relative()) path = base / path;
  DS_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  auto key = jose::Jwk::Parse(text);
  if (!key.ok()) return Status(key.status()).Prepend(path.filename().string());
  return key->PublicOnly();
}

Result<DestinationSpec> ReadDestination(ConfigReader& r,
                                        const std::filesystem::path& base) {
  DestinationSpec d;
  d.id = r.String("id", "");
  d.status = r.String("status", "active");
  d.callback_url = r.String("callback_url", "");
  d.callback_secret = r.String("callback_secret", "");
  if (r.Has("metadata_versions")) d.metadata_versions = r.Strings("metadata_versions");
  if (r.Has("reply_channels")) d.reply_channels = r.Strings("reply_channels");
  std::string enc = r.String("encryption_key", "");
  std::vector<std::string> sigs = r.Strings("signature_keys");
  for (ConfigReader& s : r.Tables("service")) {
    ServiceSpec spec;
    spec.identifier = s.String("identifier", "");
    spec.name = s.String("name", "");
    spec.regions = s.Strings("regions");
    std::string mime = s.String("schema_mime_type", "application/json");
    for (const auto& uri : s.Strings("schemas")) {
      spec.submission_schemas.push_back({uri, mime});
    }
    if (spec.identifier.empty()) s.AddError("identifier", "required");
    d.services.push_back(std::move(spec));
  }
  DS_RETURN_IF_ERROR(r.Finish());

  if (!enc.empty()) {
    DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadKey(base, enc));
    d.encryption_key = key;
  }
  for (const auto& s : sigs) {
    DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadKey(base, s));
    d.signature_keys.push_back(key);
  }
  return d;
}

}  // namespace

Result<std::vector<ClientCredentials>> ApplySetupFile(
    Admin& admin, const std::filesystem::path& toml_file) {
  DS_ASSIGN_OR_RETURN(ConfigReader reader, ConfigReader::FromFile(toml_file));
  const std::filesystem::path base = toml_file.parent_path();

  // Destinations first: clients refer to them.
  for (ConfigReader& r : reader.Tables("destination")) {
    DS_ASSIGN_OR_RETURN(DestinationSpec spec, ReadDestination(r, base));
    if (!spec.id.empty() && admin.DestinationJson(spec.id).ok()) continue;
    auto id = admin.CreateDestination(spec);
    if (!id.ok()) return Status(id.status()).Prepend("setup destination");
  }

  std::vector<ClientCredentials> created;
  for (ConfigReader& r : reader.Tables("client")) {
    std::string role = r.String("role", "sender");
    if (role != "sender" && role != "subscriber") {
      r.AddError("role", "must be sender or subscriber");
    }
    ClientCredentials c;
    c.role = role == "subscriber" ? Role::kSubscriber : Role::kSender;
    c.client_id = r.String("id", "");
    c.client_secret = r.String("secret", "");
    c.destinations = r.Strings("destinations");
    std::string name = r.String("name", "");
    DS_RETURN_IF_ERROR(reader.Finish());

    if (c.client_id.empty()) {
      DS_ASSIGN_OR_RETURN(c, admin.CreateClient(c.role, c.destinations, name));
      created.push_back(c);
      continue;
    }
    Status s = admin.ImportClient(c, name);
    if (s.code() == Code::kAlreadyExists) continue;
    if (!s.ok()) return Status(s).Prepend("setup client");
    created.push_back(c);
  }
  DS_RETURN_IF_ERROR(reader.Finish());
  return created;
}

}  // namespace ds::zustelldienst
