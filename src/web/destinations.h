// How `serve` and `demo` describe their configured destinations to the
// operator page (web/web.h DestinationView).
#pragma once

#include <string>

#include "intake/processor.h"
#include "web/web.h"

namespace ds::web {

// Id, tenant, Zustelldienst URL and every key with the end of its leaf
// certificate (decryption, signing, retired).
DestinationView Describe(const intake::Destination& d,
                         const std::string& zustelldienst_url);

}  // namespace ds::web
