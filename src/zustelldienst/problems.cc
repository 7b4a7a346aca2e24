#include "zustelldienst/problems.h"

namespace ds::zustelldienst {

Status ApiError(Code code, std::string_view name, std::string detail) {
  // Title: the name with dashes as spaces, first letter upper case.
  std::string title(name);
  for (char& c : title) {
    if (c == '-') c = ' ';
  }
  if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] -= 32;
  Status s(code, std::move(detail));
  s.WithProblem({std::string(kApiProblems) + std::string(name), title, ""});
  return s;
}

}  // namespace ds::zustelldienst
