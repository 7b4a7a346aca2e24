#include "cli/commands.h"

namespace ds::cli {

// Not built yet: this part registers no commands.
void RegisterDemoCommands(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace ds::cli
