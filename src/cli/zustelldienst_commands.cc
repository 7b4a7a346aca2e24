#include "cli/commands.h"

namespace ds::cli {

// Not built yet: this part registers no commands.
void RegisterZustelldienstCommands(CLI::App& /*app*/, Context& /*ctx*/) {}

}  // namespace ds::cli
