// The OpenAPI file describes exactly the routes the router serves, with the
// permission each needs and the problem answers every operation can give.
#include <set>

#include "api/api.h"
#include "api/openapi_check.h"
#include "core/log.h"
#include "core/testing/testing.h"
#include "records/store.h"
#include "router/api.h"
#include "xdomea/routes.h"

namespace ds::api::testing {
namespace {

std::string PermissionName(Permission p) {
  switch (p) {
    case Permission::kReadMetadata:
      return "read-metadata";
    case Permission::kReadContent:
      return "read-content";
    case Permission::kEdit:
      return "edit";
    case Permission::kReadAudit:
      return "read-audit";
    case Permission::kConfigure:
      return "configure";
  }
  return "";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c - 'a' + 'A');
  return s;
}

TEST(OpenApi, DescribesExactlyTheRoutesOfTheRouter) {
  const nlohmann::json& spec = OpenApiSpec();
  ASSERT_TRUE(spec.is_object()) << "docs/openapi.json unreadable";
  std::set<std::string> documented, served;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [key, op] : item.items()) {
      if (key == "parameters") continue;
      documented.insert(Upper(key) + " " + path);
    }
  }
  for (const RouteSpec& r : DescribedRoutes()) {
    EXPECT_TRUE(served.insert(r.method + " " + r.pattern).second)
        << "route registered twice: " << r.pattern;
  }
  EXPECT_EQ(documented, served);
}

TEST(OpenApi, StatesThePermissionAndProblemsOfEveryOperation) {
  for (const RouteSpec& r : DescribedRoutes()) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    const nlohmann::json& op = OpenApiSpec()["paths"][r.pattern][method];
    ASSERT_TRUE(op.is_object()) << r.pattern;
    EXPECT_EQ(op.value("x-permission", ""), PermissionName(r.needed))
        << r.method << " " << r.pattern;
    for (const char* status : {"401", "403", "default"}) {
      EXPECT_TRUE(op["responses"].contains(status))
          << r.method << " " << r.pattern << " lacks " << status;
    }
    // Path parameters are declared where the pattern has them.
    bool has_id = r.pattern.find("{id}") != std::string::npos;
    EXPECT_EQ(OpenApiSpec()["paths"][r.pattern].contains("parameters"), has_id)
        << r.pattern;
  }
}

// Every route of the table is really registered: without a token it
// answers 401 (not the router's 404 or 405).
TEST(OpenApi, EveryRouteIsRegisteredAndGuarded) {
  ds::testing::TempDir tmp;
  auto store = records::Store::OpenSqlite(tmp.path());
  ASSERT_OK(store);
  Logger quiet;
  quiet.set_level(LogLevel::kOff);
  auto routing =
      router::Router::Open(**store, {.data_dir = tmp.path(), .logger = &quiet});
  ASSERT_OK(routing);
  net::Router router;
  AddApiRoutes(router, **store, quiet);
  router::AddRouterRoutes(router, **routing, quiet);
  xdomea::AddXdomeaRoutes(router, **store, {}, quiet);

  for (const RouteSpec& r : DescribedRoutes()) {
    net::Request request;
    request.method = r.method;
    request.path = r.pattern;  // "{id}" stands in for an id
    net::Response answer = router.Dispatch(request);
    EXPECT_EQ(answer.status, 401) << r.method << " " << r.pattern;
  }
}

}  // namespace
}  // namespace ds::api::testing
