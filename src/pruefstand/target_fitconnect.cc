// A FIT-Connect destination as a target: every sample is sent as the one
// attachment of a submission, as a portal sends an upload, and the
// subscriber's decision is read from the case's verified event log. With
// this hub's E-Akte at hand, the filed Dokument tells the gate's verdict and
// its neutralised rendition is checked for the marker.
//
// Over FIT-Connect this hub accepts a submission whose attachment the gate
// rejected or quarantined: the Dokument is filed with that verdict and
// never reaches a clerk unmarked. The Prüfstand reports the Dokument's
// verdict as the outcome in that case and says so in the reason.
#include <chrono>
#include <thread>

#include "core/encoding.h"
#include "pruefstand/internal.h"
#include "pruefstand/target.h"
#include "records/store.h"
#include "submission_api/send.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;
using submission_api::SendResult;

// "hash-mismatch (attachment:...): detail" for each problem of a reject.
std::string ProblemsReason(const json& problems) {
  std::string out;
  for (const json& p : problems) {
    std::string type = p.value("type", "");
    std::string name = type.substr(type.rfind('/') + 1);
    if (!out.empty()) out += "; ";
    out += name;
    if (p.contains("instance")) out += " (" + p.value("instance", "") + ")";
    std::string detail = p.value("detail", p.value("title", ""));
    if (!detail.empty()) out += ": " + internal::Excerpt(detail);
  }
  return out.empty() ? "abgewiesen ohne Angabe von Gründen" : out;
}

class FitConnectTarget final : public Target {
 public:
  explicit FitConnectTarget(FitConnectTargetOptions o)
      : options_(std::move(o)), api_(options_.endpoint) {}

  Status Init() {
    DS_ASSIGN_OR_RETURN(service_jwks_, api_.GetServiceJwks());
    // A destination that does not offer the service would refuse every
    // sample before looking at it; that is a mistake in the command, not a
    // verdict on the platform.
    DS_ASSIGN_OR_RETURN(submission_api::DestinationInfo destination,
                        api_.GetDestination(options_.destination_id));
    if (!destination.AcceptsService(options_.service_identifier)) {
      return EnvironmentError("destination " + options_.destination_id +
                              " does not offer service " + options_.service_identifier +
                              " (use --service)");
    }
    if (options_.hub_data.empty()) return Status::Ok();
    if (options_.hub_tenant.empty()) {
      return Status(Code::kUsage,
                    "pruefstand: the hub's E-Akte needs the "
                    "destination's tenant (--hub-tenant)");
    }
    // Opening a store creates one: a mistyped directory must not yield an
    // empty E-Akte and a protocol full of errors.
    if (options_.hub_database_url.empty() &&
        !std::filesystem::exists(options_.hub_data / "records.sqlite")) {
      return Status(Code::kUsage, "pruefstand: no E-Akte in " +
                                      options_.hub_data.string() +
                                      " (records.sqlite is missing)");
    }
    DS_ASSIGN_OR_RETURN(
        store_,
        records::Store::Open(options_.hub_data, options_.hub_database_url));
    return Status::Ok();
  }

  json Describe() const override {
    json d = {{"kind", "fitconnect"},
              {"description",
               "FIT-Connect-Zustellpunkt " + options_.destination_id +
                   " über den Zustelldienst " + options_.endpoint.api_url},
              {"url", options_.endpoint.api_url},
              {"destination_id", options_.destination_id},
              {"service_identifier", options_.service_identifier},
              {"hub_observed", store_ != nullptr}};
    return d;
  }

  std::vector<std::string> Urls() const override {
    return {options_.endpoint.api_url, options_.endpoint.token_url};
  }

  Delivery Deliver(const gate::Sample& s) override {
    // JSON strings cannot carry invalid UTF-8: no sender can transmit such
    // a name in FIT-Connect metadata.
    if (!internal::IsUtf8(s.filename)) {
      Delivery d;
      d.outcome = Outcome::kNotApplicable;
      d.reason =
          "Der Dateiname ist kein gültiges UTF-8 und lässt sich in "
          "FIT-Connect-Metadaten (JSON) nicht übertragen.";
      return d;
    }
    Result<SendResult> sent = Send(s);
    if (!sent.ok()) return SendFailed(sent.status());
    Delivery d;
    d.transport = {{"submission_id", sent->ref.submission_id},
                   {"case_id", sent->ref.case_id}};
    Result<std::string> state = Follow(*sent, &d.transport);
    if (!state.ok()) {
      return WithTransport(internal::ErrorDelivery(state.status().message()),
                           d.transport);
    }
    d.transport["state"] = *state;
    if (*state == "rejected") {
      d.outcome = Outcome::kRejected;
      d.reason = ProblemsReason(d.transport["problems"]);
      return d;
    }
    if (!store_) {
      d.outcome = Outcome::kAcceptedUnchanged;
      d.reason = "angenommen (nur das Ereignisprotokoll wurde beobachtet)";
      return d;
    }
    return Observe(std::move(d), s, sent->ref.submission_id,
                   sent->attachment_ids.at(0));
  }

 private:
  static Delivery WithTransport(Delivery d, json transport) {
    d.transport = std::move(transport);
    return d;
  }

  Result<SendResult> Send(const gate::Sample& s) {
    submission_api::Application app;
    app.destination_id = options_.destination_id;
    app.service_identifier = options_.service_identifier;
    app.service_name = options_.service_name;
    app.data = options_.data;
    app.data_schema_uri = options_.data_schema_uri;
    app.data_mime_type = options_.data_mime_type;
    app.attachments.push_back(
        {.filename = s.filename, .mime_type = s.mime_type, .content = s.bytes});
    submission_api::SendOptions so;
    so.key_policy = options_.key_policy;
    return submission_api::SendApplication(api_, app, so);
  }

  // The delivery service refused the submission itself (size, type).
  static Delivery SendFailed(const Status& s) {
    Delivery d;
    d.transport = {{"error_code", std::string(CodeName(s.code()))}};
    switch (s.code()) {
      case Code::kTooLarge:
      case Code::kInvalidInput:
      case Code::kCheckFailed:
        d.outcome = Outcome::kRejected;
        d.reason = "vom Zustelldienst abgewiesen: " + s.message();
        return d;
      default:
        d.outcome = Outcome::kError;
        d.reason = "Senden fehlgeschlagen: " + s.message();
        return d;
    }
  }

  // Polls the verified event log until accepted or rejected.
  Result<std::string> Follow(const SendResult& sent, json* transport) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(options_.timeout_seconds);
    for (;;) {
      DS_ASSIGN_OR_RETURN(submission_api::EventLog log,
                          api_.GetEvents(sent.ref.case_id));
      json problems = json::array();
      DS_ASSIGN_OR_RETURN(std::string state,
                          submission_api::StateFromEventLog(
                              api_, log, sent.ref, service_jwks_, &problems));
      (*transport)["problems"] = problems;
      if (state == "accepted" || state == "rejected") return state;
      if (std::chrono::steady_clock::now() > deadline) {
        return Unavailable("Zeitüberschreitung: keine Entscheidung nach " +
                           std::to_string(options_.timeout_seconds) +
                           " s (Zustand " + state + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // The filed Dokument of the attachment in this hub's E-Akte.
  Result<records::Dokument> FindDokument(const std::string& submission_id,
                                         const std::string& attachment_id) {
    records::InboxFilter f;
    f.tenant = options_.hub_tenant;
    f.limit = 500;
    for (;;) {
      DS_ASSIGN_OR_RETURN(records::InboxPage page, store_->ListInbox(f));
      for (const records::Vorgang& v : page.items) {
        if (v.submission_id != submission_id) continue;
        DS_ASSIGN_OR_RETURN(records::Vorgang full,
                            store_->GetVorgang(options_.hub_tenant, v.id));
        for (const records::Dokument& d : full.dokumente) {
          if (d.attachment_id == attachment_id) return d;
        }
        return NotFound("Vorgang " + v.id + " has no Dokument for the sample");
      }
      if (page.next_cursor.empty()) break;
      f.after = page.next_cursor;
    }
    return NotFound("submission " + submission_id +
                    " is not in the Posteingang of tenant " +
                    options_.hub_tenant);
  }

  Delivery Observe(Delivery d, const gate::Sample& s,
                   const std::string& submission_id,
                   const std::string& attachment_id) {
    Result<records::Dokument> doc = FindDokument(submission_id, attachment_id);
    if (!doc.ok()) {
      return WithTransport(
          internal::ErrorDelivery("angenommen, aber nicht in der E-Akte: " +
                                  doc.status().message()),
          d.transport);
    }
    json findings = json::parse(doc->findings_json, nullptr, false);
    d.verdict = {{"decision", std::string(records::VerdictName(doc->verdict))},
                 {"findings", internal::WithGermanTitles(findings)}};
    std::string note = " (die Einreichung wurde über FIT-Connect angenommen)";
    switch (doc->verdict) {
      case records::Verdict::kRejected:
        d.outcome = Outcome::kRejected;
        d.reason = "Dokument in der E-Akte als abgewiesen markiert" + note;
        return d;
      case records::Verdict::kQuarantined:
        d.outcome = Outcome::kQuarantined;
        d.reason = "Dokument in der E-Akte zurückgehalten (Quarantäne)" + note;
        return d;
      case records::Verdict::kClean:
        d.outcome = Outcome::kAcceptedUnchanged;
        d.reason = "angenommen und unauffällig abgelegt";
        d.transport["stored_as_sent"] = StoredAsSent(*doc, s);
        return d;
      case records::Verdict::kNeutralised:
        return internal::RateRendition(std::move(d), s, ReadRendition(*doc));
    }
    return d;
  }

  // The original format holds exactly the bytes sent (content address =
  // SHA-256 of the plaintext).
  static bool StoredAsSent(const records::Dokument& doc,
                           const gate::Sample& s) {
    std::string want = HexEncode(Sha256(s.bytes));
    for (const records::Format& f : doc.formats) {
      if (f.kind == "original") return f.content_address == want;
    }
    return false;
  }

  Result<std::string> ReadRendition(const records::Dokument& doc) {
    for (const records::Format& f : doc.formats) {
      if (f.kind != "rendition") continue;
      return store_->ReadContent(options_.hub_tenant, f.id, "pruefstand");
    }
    return NotFound("the Dokument has no rendition");
  }

  FitConnectTargetOptions options_;
  submission_api::SenderClient api_;
  json service_jwks_;
  std::unique_ptr<records::Store> store_;
};

}  // namespace

Result<std::unique_ptr<Target>> MakeFitConnectTarget(
    const FitConnectTargetOptions& o) {
  auto t = std::make_unique<FitConnectTarget>(o);
  DS_RETURN_IF_ERROR(t->Init());
  return std::unique_ptr<Target>(std::move(t));
}

}  // namespace ds::pruefstand
