// Shared between the keyword gate and JsonSchema; not part of the API.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ds::fitconnect {

// A `multipleOf` that JsonSchema evaluates itself instead of valijson.
struct MultipleOfRule {
  std::string schema_pointer;  // of the keyword, e.g. /properties/a/multipleOf
  // Instance path it applies to: property names, "*" = every array item
  // (from `items`). Property steps never hold "*" ambiguously: a property
  // literally named "*" is looked up as a property first.
  std::vector<std::string> instance_path;
  nlohmann::json divisor;
};

namespace internal {

// CheckSchemaCompat that also collects the multipleOf rules (may be null).
Status CheckSchemaCompat(const nlohmann::json& schema,
                         std::vector<MultipleOfRule>* rules);

}  // namespace internal
}  // namespace ds::fitconnect
