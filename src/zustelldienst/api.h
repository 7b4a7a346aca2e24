// Internal: the HTTP face of the stand-in (routes of notes §2).
#pragma once

#include <functional>
#include <string>

#include "core/log.h"
#include "net/http.h"
#include "zustelldienst/events.h"
#include "zustelldienst/service.h"
#include "zustelldienst/store.h"

namespace ds::zustelldienst {

struct ApiContext {
  Options options;
  Store* store = nullptr;
  const ServiceSigner* signer = nullptr;
  std::function<std::string()> issuer;  // SET iss (the public URL)
  Logger* logger = nullptr;
  std::function<void()> wake_worker;    // new callbacks are due
};

net::Router BuildRouter(ApiContext& ctx);

// Appends the service's reject-submission for a submission nobody accepted
// or rejected in time, with callbacks to sender and destination.
Status RejectForTimeout(ApiContext& ctx, const SubmissionRow& submission);

}  // namespace ds::zustelldienst
