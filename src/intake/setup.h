// Turns the checked configuration into the runtime pieces of the hub:
// destinations with their keys and API clients, the gate policy.
#pragma once

#include "intake/config.h"
#include "intake/processor.h"

namespace ds::intake {

// Loads the keys of `config` (private JWKs; decryption keys must be
// RSA-OAEP-256 capable, the signing key PS512) and creates its API client.
// kEnvironment naming the file for unreadable or unsuitable keys.
Result<Destination> LoadDestination(const DestinationConfig& config, const HubConfig& hub);

// The key policy for keys the hub verifies (event-log signatures).
Result<jose::KeyPolicy> LoadKeyPolicy(const HubConfig& hub);

// The gate policy from [gate].
gate::Policy GatePolicy(const HubConfig& hub);

}  // namespace ds::intake
