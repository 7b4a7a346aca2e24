#include "core/testing/command.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace ds::testing {

CommandRun RunShell(const std::string& command) {
  CommandRun run;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return run;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) {
    run.out.append(buf.data(), n);
  }
  int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

}  // namespace ds::testing
