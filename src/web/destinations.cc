#include "web/destinations.h"

namespace ds::web {
namespace {

KeyView ViewOf(const jose::Jwk& key, const char* purpose) {
  KeyView k;
  k.kid = key.kid();
  k.purpose = purpose;
  if (!key.x5c().empty()) k.not_after = CertificateNotAfter(key.x5c().front());
  return k;
}

}  // namespace

DestinationView Describe(const intake::Destination& d,
                         const std::string& zustelldienst_url) {
  DestinationView v;
  v.id = d.id;
  v.tenant = d.tenant;
  v.zustelldienst_url = zustelldienst_url;
  for (const jose::Jwk& k : d.decryption_keys.keys()) {
    v.keys.push_back(ViewOf(k, "encryption"));
  }
  if (d.signing_key) v.keys.push_back(ViewOf(*d.signing_key, "signing"));
  for (const jose::Jwk& k : d.retired_keys.keys()) {
    v.keys.push_back(ViewOf(k, "retired"));
  }
  return v;
}

}  // namespace ds::web
