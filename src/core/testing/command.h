// Running a command line from a test, as an operator would type it.
#pragma once

#include <string>

namespace ds::testing {

struct CommandRun {
  int exit_code = -1;  // -1 if the command could not start or was killed
  std::string out;     // what it wrote to stdout
};

// Runs `command` through /bin/sh and collects its stdout. Redirections in
// the command decide where stderr goes ("2>/dev/null", "2>&1").
CommandRun RunShell(const std::string& command);

}  // namespace ds::testing
