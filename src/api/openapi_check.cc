// Checks answers of the API against docs/openapi.json.
#include "api/openapi_check.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "api/api.h"
#include "core/testing/testing.h"
#include "router/api.h"
#include "xdomea/routes.h"

namespace ds::api::testing {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string seg;
  while (std::getline(in, seg, '/')) {
    if (!seg.empty()) out.push_back(seg);
  }
  return out;
}

// Follows a local "$ref" ("#/components/...") inside the spec.
const nlohmann::json& Resolve(const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  std::string ref = node["$ref"].get<std::string>();
  return OpenApiSpec().at(nlohmann::json::json_pointer(ref.substr(1)));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

std::string ValidateSchema(const nlohmann::json& schema,
                           const nlohmann::json& instance) {
  // The schema with the spec's components beside it, so that its
  // "#/components/schemas/..." references resolve.
  nlohmann::json doc = schema;
  doc["components"] = OpenApiSpec()["components"];
  valijson::Schema compiled;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(doc);
  parser.populateSchema(schema_adapter, compiled);

  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(instance);
  if (validator.validate(compiled, target, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string where;
    for (const auto& c : e.context) where += c;
    out += where + ": " + e.description + "; ";
  }
  return out;
}

}  // namespace

const std::vector<RouteSpec>& DescribedRoutes() {
  static const std::vector<RouteSpec> all = [] {
    std::vector<RouteSpec> out = ApiRoutes();
    const auto& more = router::RouterApiRoutes();
    out.insert(out.end(), more.begin(), more.end());
    for (const RouteSpec& r : xdomea::XdomeaRoutes()) out.push_back(r);
    return out;
  }();
  return all;
}

const nlohmann::json& OpenApiSpec() {
  static const nlohmann::json spec = [] {
    std::ifstream in(ds::testing::SourceDir() / "docs" / "openapi.json");
    return nlohmann::json::parse(in, nullptr, false);
  }();
  return spec;
}

std::string MatchRoute(const std::string& method, const std::string& path) {
  std::vector<std::string> parts = Segments(path);
  for (const RouteSpec& r : DescribedRoutes()) {
    if (r.method != method) continue;
    std::vector<std::string> segs = Segments(r.pattern);
    if (segs.size() != parts.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segs.size() && match; ++i) {
      match = segs[i].front() == '{' || segs[i] == parts[i];
    }
    if (match) return r.pattern;
  }
  return "";
}

std::string CheckAnswer(const std::string& method, const std::string& path,
                        const net::ClientResponse& answer) {
  std::string route = MatchRoute(method, path);
  if (route.empty()) return "no API route for " + method + " " + path;
  const nlohmann::json& op = OpenApiSpec()["paths"][route][Lower(method)];
  if (!op.is_object()) return "operation not in the OpenAPI file";

  std::string status = std::to_string(answer.status);
  const nlohmann::json& responses = op["responses"];
  if (!responses.contains(status) && !responses.contains("default")) {
    return "status " + status + " not documented for " + method + " " + route;
  }
  const nlohmann::json& response = Resolve(
      responses.contains(status) ? responses[status] : responses["default"]);

  std::string type = answer.headers.count("Content-Type")
                         ? answer.headers.at("Content-Type")
                         : "";
  type = type.substr(0, type.find(';'));
  if (!response.contains("content")) {
    return answer.body.empty() ? "" : "undocumented body";
  }
  const nlohmann::json& content = response["content"];
  if (content.contains(type)) {
    // Binary bodies (application/zip of the xdomea route) have no schema
    // to check beyond their declared type.
    if (type.find("json") == std::string::npos) return "";
    nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    if (body.is_discarded()) return "body is not JSON";
    std::string err = ValidateSchema(content[type]["schema"], body);
    if (!err.empty()) return method + " " + route + " " + status + ": " + err;
    if (type == "application/problem+json" && body["status"] != answer.status) {
      return "problem status differs from HTTP status";
    }
    return "";
  }
  if (content.contains("*/*")) return "";
  return "content type '" + type + "' not documented for " + method + " " +
         route + " " + status;
}

}  // namespace ds::api::testing
