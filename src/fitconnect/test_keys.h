// Keys and vectors for the fitconnect tests: RSA-4096 PS512 keys generated
// once per process (keygen is slow) and the published FIT-Connect vectors.
#pragma once

#include <string>

#include "core/testing/testing.h"
#include "jose/jwk.h"

namespace ds::fitconnect::testing {

std::string ReadVector(const std::string& relative);  // under test-vectors/

// Generated once per build tree (cached as JWK files in the build directory,
// since ctest starts one process per test).
const jose::Jwk& DeliveryServiceKey();  // kid "zd-test-1"
const jose::Jwk& DestinationKey();      // kid "dest-test-1"

inline constexpr char kDeliveryServiceUrl[] = "https://zustelldienst.test";
inline constexpr char kDestinationId[] = "879ee109-a690-4db8-ab32-4232cbdaf7b1";
inline constexpr char kSubmissionId[] = "02bf1d9f-7d1d-4d9f-9bde-5c1a0f0e6f11";
inline constexpr char kCaseId[] = "e89e107e-ed79-40e6-ad34-4e770f9df263";

}  // namespace ds::fitconnect::testing
