// Internal: turns one portal's multipart/form-data request into a checked
// application for submission_api::SendApplication, with every refusal as
// a gateway problem (problems.h). Attachments go to files in a spool
// folder as they arrive; only the fields and the Fachdaten are held in
// memory, each within its limit.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"
#include "gateway/config.h"
#include "net/http.h"
#include "submission_api/send.h"

namespace ds::gateway {

struct ReceivedForm {
  submission_api::Application app;  // attachments with content_file set
  uint64_t bytes = 0;               // data + attachments, plaintext
};

// Parses and checks the body of `request` for `portal`: the form-data
// structure, the fields, the portal's right to send to the destination and
// service, the limits and the well-formedness of the data. Attachment
// files are written into `spool` (an existing, empty, private folder that
// the caller removes afterwards).
Result<ReceivedForm> ReadApplication(const net::Request& request,
                                     const Portal& portal, const Limits& limits,
                                     const std::filesystem::path& spool);

}  // namespace ds::gateway
