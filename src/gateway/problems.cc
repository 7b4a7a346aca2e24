#include "gateway/problems.h"

#include "core/problem.h"

namespace ds::gateway {

std::string ProblemTypeUri(std::string_view name) {
  return std::string(kProblemBase) + "gateway/" + std::string(name);
}

Status GatewayProblem(Code code, std::string_view name, std::string detail,
                      std::string_view instance) {
  Status s(code, std::move(detail));
  std::string title(name);
  for (char& c : title)
    if (c == '-') c = ' ';
  s.WithProblem({ProblemTypeUri(name), title, std::string(instance)});
  return s;
}

}  // namespace ds::gateway
