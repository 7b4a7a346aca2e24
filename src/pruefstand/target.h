// Targets of the Prüfstand: where the samples go and how the outcome is
// observed.
//
//   gate        the local gate, in-process (every inspectable type allowed,
//               neutralisation on, clamd if a socket is given)
//   fitconnect  a FIT-Connect destination through a delivery service, as a
//               sender (portal) does it: one submission per sample, the
//               sample as its one attachment, the outcome from the verified
//               event log; optionally this hub's E-Akte for the verdict
//   upload      an HTTP multipart upload endpoint of a portal
//
//   DS_ASSIGN_OR_RETURN(auto target, MakeUploadTarget({.url = url}));
//   Delivery d = target->Deliver(sample);   // never throws, never errors:
//                                           // failures are Outcome::kError
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "gate/gate.h"
#include "gate/samples.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "pruefstand/protocol.h"
#include "submission_api/client.h"

namespace ds::pruefstand {

// What became of one sample.
struct Delivery {
  Outcome outcome = Outcome::kError;
  std::string reason;  // German or the platform's own words; no content
  // Transport facts: HTTP status, submission and case id, FIT-Connect
  // problems, ... (an object; empty if there are none).
  nlohmann::json transport = nlohmann::json::object();
  // The gate's verdict where the target gives one (gate; fitconnect with
  // the hub's E-Akte): {"decision", "findings": [{code, severity,
  // title_de, message}]}; null otherwise.
  nlohmann::json verdict = nullptr;
  // Where a rendition was checked: {"rendition": bool, "marker_present":
  // bool}; null otherwise.
  nlohmann::json neutralisation = nullptr;
};

class Target {
 public:
  virtual ~Target() = default;
  // {"kind", "description", and kind-specific fields}; no secrets.
  virtual nlohmann::json Describe() const = 0;
  // Every URL the target will contact (for the loopback rule); empty for
  // the in-process gate.
  virtual std::vector<std::string> Urls() const = 0;
  // Delivers one sample and observes the outcome. Thread-safe.
  virtual Delivery Deliver(const gate::Sample& sample) = 0;
};

struct GateTargetOptions {
  std::filesystem::path clamd_socket;  // empty: no virus scan
  // Without clamd: a missing scan is a quarantine reason (the hub's
  // default) unless this is false (the scan's --no-clamd).
  bool require_virus_scan = true;
  std::filesystem::path work_dir;  // sample files; default: a temp dir
  Logger* logger = nullptr;
};
Result<std::unique_ptr<Target>> MakeGateTarget(const GateTargetOptions& o);

struct FitConnectTargetOptions {
  submission_api::Endpoint endpoint;  // the sender's client credentials
  std::string destination_id;
  std::string service_identifier;
  std::string service_name;
  std::string data;  // the Fachdaten sent with every sample
  std::string data_schema_uri;
  std::string data_mime_type = "application/json";
  jose::KeyPolicy key_policy;  // test_mode for self-signed test keys
  int timeout_seconds = 120;   // per sample, until accepted or rejected
  // This hub's data directory and the tenant of the destination: the
  // verdict and the stored rendition are read from its E-Akte (reads are
  // recorded in its audit trail as actor "pruefstand"). Empty: the event
  // log alone decides.
  std::filesystem::path hub_data;
  std::string hub_database_url;  // PostgreSQL E-Akte, if the hub uses one
  std::string hub_tenant;
};
Result<std::unique_ptr<Target>> MakeFitConnectTarget(
    const FitConnectTargetOptions& o);

struct UploadTargetOptions {
  std::string url;
  std::string field = "file";  // the file's form field name
  std::vector<std::pair<std::string, std::string>> form;  // extra fields
  net::Headers headers;  // e.g. Authorization; never recorded
  // Success: the status is one of these (empty: any 2xx) and, if set, the
  // body matches success_regex (ECMAScript, searched in the first 16 KiB).
  std::vector<int> success_status;
  std::string success_regex;
  // A successful answer whose body matches this counts as quarantined.
  std::string quarantine_regex;
  int timeout_seconds = 60;
};
Result<std::unique_ptr<Target>> MakeUploadTarget(const UploadTargetOptions& o);

}  // namespace ds::pruefstand
