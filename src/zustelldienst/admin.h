// Internal: the Admin implementation over the store, shared by the service
// and the CLI.
#pragma once

#include <memory>

#include "zustelldienst/service.h"
#include "zustelldienst/store.h"

namespace ds::zustelldienst {

class AdminImpl : public Admin {
 public:
  explicit AdminImpl(std::shared_ptr<Store> store) : store_(std::move(store)) {}

  Result<ClientCredentials> CreateClient(
      Role role, const std::vector<std::string>& destinations,
      std::string_view name) override;
  Status ImportClient(const ClientCredentials& credentials,
                      std::string_view name) override;
  Result<std::string> CreateDestination(const DestinationSpec& spec) override;
  Status RegisterKey(std::string_view destination_id,
                     const jose::Jwk& public_key, bool make_current) override;
  Status SetCallback(std::string_view destination_id, std::string_view url,
                     std::string_view secret) override;
  Result<nlohmann::json> DestinationJson(std::string_view id) override;

 private:
  std::shared_ptr<Store> store_;
};

// GET /v1/destinations/{id} document of a destination row. RECONSTRUCTED
// shape (notes §2 [observed] fields; replyChannels as an object of channel
// names with empty settings).
nlohmann::json DestinationDocument(const DestinationRow& d);

// Random secret / token: 32 bytes, base64url.
std::string RandomToken();
std::string HashSecret(std::string_view secret);  // hex SHA-256

}  // namespace ds::zustelldienst
