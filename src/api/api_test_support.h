// Test support for the API tests: the same cases run on every backend. Each
// test binary links one api_<backend>_test.cc that implements
// OpenApiTestStore and BackendName; every answer of the hub is checked against
// docs/openapi.json (openapi_check.h).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/log.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::api::testing {

// "sqlite" or "postgres": the backend this binary tests.
const char* BackendName();

// A fresh, empty store: a new SQLite file or a new PostgreSQL database.
Result<std::unique_ptr<records::Store>> OpenApiTestStore(
    const std::filesystem::path& data_dir);

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // One request over loopback; the answer is checked against the OpenAPI
  // file (a mismatch fails the test). `token` "" sends no Authorization.
  net::ClientResponse Call(const std::string& method, const std::string& target,
                           const std::string& token,
                           const std::string& body = "");
  // Call, expecting `status` and a JSON body.
  nlohmann::json CallJson(const std::string& method, const std::string& target,
                          const std::string& token, int status,
                          const std::string& body = "");

  // Files a submission with JSON form data and one PDF attachment; returns
  // the Vorgang id.
  std::string FileCase(const std::string& tenant, const std::string& subject,
                       int64_t received_at,
                       records::Verdict verdict = records::Verdict::kClean,
                       const std::string& service = "urn:leika:wohngeld");
  std::string Token(const std::string& tenant, const std::string& user,
                    const std::string& role);

  ds::testing::TempDir tmp_;
  Logger quiet_;
  std::unique_ptr<records::Store> store_;
  std::unique_ptr<net::HttpServer> server_;
  // Tokens: clerk, tenant-admin and operator of "kreis-a", clerk and
  // tenant-admin of "kreis-b".
  std::string clerk_a_, admin_a_, operator_a_, clerk_b_, admin_b_;
};

}  // namespace ds::api::testing
