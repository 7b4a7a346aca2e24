// The transport kind "xdomea": every delivery becomes an xdomea 0605
// package (FVDaten.SGOAblegen.0605, xdomea/export.h) for a DMS or a
// Fachverfahren that speaks xdomea, either
//   - written into the target's exchange_dir, which the DMS polls: under
//     a hidden temporary name in the same directory, fsynced, renamed to
//     <ProzessID>_FVDaten.SGOAblegen.0605.zip, so that a poller never sees
//     half a package; or
//   - POSTed as application/zip to the target's url with the webhook's
//     signature headers (PostSigned in transport.h) and CA file.
// The ProzessID is the delivery's idempotency key (a UUID), so a repeat
// after a crash yields the same package name, not a second package; a
// package already present under that name counts as delivered.
//
// Layering: ds_router does not link ds_xdomea (the router core stays free
// of XSDs and zip code, and ds_xdomea must not know routing), so this
// small adapter library, ds_router_xdomea, links both and the program
// (`drehscheibe serve`, the demo) registers the kind:
//
//   ds::router::RouterOptions options{...};
//   ds::router::RegisterXdomeaTransport(options.transports, store, specs_dir);
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "records/store.h"
#include "router/transport.h"

namespace ds::router {

// Registers kind "xdomea"; `store` must outlive the registry's transports.
// Packages are checked against the XSDs in `specs_dir` before they leave.
void RegisterXdomeaTransport(TransportRegistry& registry, records::Store& store,
                             std::filesystem::path specs_dir);

std::unique_ptr<Transport> MakeXdomeaTransport(const TargetConfig& target,
                                               records::Store& store,
                                               std::filesystem::path specs_dir);

// The ProzessID for an idempotency key: the key itself (lower case) if it
// is a UUID, else a UUID derived from its SHA-256. Stable per key.
std::string XdomeaProcessId(const std::string& idempotency_key);

}  // namespace ds::router
