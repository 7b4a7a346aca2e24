// The sender and subscriber calls of the Submission API v1.
#include "submission_api/client.h"

#include "submission_api/connection.h"

namespace ds::submission_api {
namespace {

std::string Str(const nlohmann::json& j, const char* name) {
  if (j.is_object() && j.contains(name) && j[name].is_string()) {
    return j[name].get<std::string>();
  }
  return "";
}

Result<SubmissionRef> RefFromJson(const nlohmann::json& j,
                                  std::string_view step) {
  SubmissionRef ref{Str(j, "destinationId"), Str(j, "submissionId"),
                    Str(j, "caseId")};
  if (ref.submission_id.empty() || ref.case_id.empty()) {
    return InvalidInput(std::string(step) +
                        ": response without submissionId or caseId");
  }
  return ref;
}

std::string SubmissionPath(std::string_view submission_id) {
  return "/v1/submissions/" + net::UrlEncode(submission_id);
}

}  // namespace

// Sender.

SenderClient::SenderClient(Endpoint endpoint)
    : conn_(std::make_shared<Connection>(std::move(endpoint))) {}

Result<DestinationInfo> SenderClient::GetDestination(
    std::string_view destination_id) {
  return GetDestinationVia(*conn_, destination_id);
}

Result<nlohmann::json> SenderClient::GetKey(std::string_view destination_id,
                                            std::string_view kid) {
  return GetKeyVia(*conn_, destination_id, kid);
}

Result<SubmissionRef> SenderClient::Announce(const Announcement& a) {
  nlohmann::json body;
  body["destinationId"] = a.destination_id;
  body["announcedAttachments"] = a.attachment_ids;
  body["serviceType"] = {{"name", a.service_name},
                         {"identifier", a.service_identifier}};
  if (!a.case_id.empty()) body["caseId"] = a.case_id;
  if (!a.callback_url.empty()) {
    body["callback"] = {{"url", a.callback_url},
                        {"secret", a.callback_secret}};
  }
  DS_ASSIGN_OR_RETURN(auto resp, conn_->Do({.method = "POST",
                                            .path = "/v1/submissions",
                                            .content_type = "application/json",
                                            .body = body.dump()},
                                           "announce submission"));
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  return RefFromJson(j, "announce submission");
}

Status SenderClient::UploadAttachment(std::string_view submission_id,
                                      std::string_view attachment_id,
                                      std::string jwe) {
  Connection::Call call{.method = "PUT",
                        .path = SubmissionPath(submission_id) +
                                "/attachments/" + net::UrlEncode(attachment_id),
                        .content_type = "application/jose",
                        .body = std::move(jwe),
                        .transfer = true};
  return conn_->Do(call, "upload attachment").status();
}

Status SenderClient::UploadAttachmentFile(
    std::string_view submission_id, std::string_view attachment_id,
    const std::filesystem::path& jwe_file) {
  Connection::Call call{.method = "PUT",
                        .path = SubmissionPath(submission_id) +
                                "/attachments/" + net::UrlEncode(attachment_id),
                        .content_type = "application/jose",
                        .body_file = jwe_file,
                        .transfer = true};
  return conn_->Do(call, "upload attachment").status();
}

Status SenderClient::Submit(std::string_view submission_id,
                            std::string_view encrypted_metadata,
                            std::string_view encrypted_data) {
  nlohmann::json body;
  body["encryptedMetadata"] = encrypted_metadata;
  if (!encrypted_data.empty()) body["encryptedData"] = encrypted_data;
  Connection::Call call{.method = "PUT",
                        .path = SubmissionPath(submission_id),
                        .content_type = "application/json",
                        .body = body.dump(),
                        .transfer = true};
  return conn_->Do(call, "submit submission").status();
}

Result<EventLog> SenderClient::GetEvents(std::string_view case_id) {
  return GetEventsVia(*conn_, case_id);
}

Result<nlohmann::json> SenderClient::GetServiceJwks() {
  return conn_->GetPublicJson("/.well-known/jwks.json", "get service keys");
}

// Subscriber.

SubscriberClient::SubscriberClient(Endpoint endpoint)
    : conn_(std::make_shared<Connection>(std::move(endpoint))) {}

Result<SubscriberClient::Page> SubscriberClient::ListSubmissions(
    std::string_view destination_id, int64_t offset, int64_t limit) {
  std::string path = "/v1/submissions?offset=" + std::to_string(offset) +
                     "&limit=" + std::to_string(limit);
  if (!destination_id.empty()) {
    path += "&destinationId=" + net::UrlEncode(destination_id);
  }
  DS_ASSIGN_OR_RETURN(nlohmann::json j, conn_->GetJson(path, "list submissions"));
  if (!j.contains("submissions") || !j["submissions"].is_array()) {
    return InvalidInput("list submissions: response without submissions");
  }
  Page page;
  page.count = j.value("count", int64_t{0});
  page.offset = j.value("offset", int64_t{0});
  page.total_count = j.value("totalCount", int64_t{0});
  for (const auto& s : j["submissions"]) {
    DS_ASSIGN_OR_RETURN(SubmissionRef ref, RefFromJson(s, "list submissions"));
    page.submissions.push_back(std::move(ref));
  }
  return page;
}

Result<SubscriberClient::Submission> SubscriberClient::GetSubmission(
    std::string_view submission_id) {
  DS_ASSIGN_OR_RETURN(nlohmann::json j,
                      conn_->GetJson(SubmissionPath(submission_id),
                                     "get submission"));
  Submission s;
  s.submission_id = Str(j, "submissionId");
  s.case_id = Str(j, "caseId");
  s.destination_id = Str(j, "destinationId");
  s.service_type = j.value("serviceType", nlohmann::json::object());
  if (j.contains("attachments") && j["attachments"].is_array()) {
    for (const auto& a : j["attachments"]) {
      if (a.is_string()) s.attachments.push_back(a.get<std::string>());
    }
  }
  s.encrypted_metadata = Str(j, "encryptedMetadata");
  s.encrypted_data = Str(j, "encryptedData");
  if (s.submission_id.empty() || s.case_id.empty()) {
    return InvalidInput("get submission: response without ids");
  }
  s.raw = std::move(j);
  return s;
}

Status SubscriberClient::DownloadAttachment(std::string_view submission_id,
                                            std::string_view attachment_id,
                                            const std::filesystem::path& out) {
  Connection::Call call{.path = SubmissionPath(submission_id) +
                                "/attachments/" + net::UrlEncode(attachment_id),
                        .out_file = out,
                        .transfer = true};
  return conn_->Do(call, "download attachment").status();
}

Result<EventLog> SubscriberClient::GetEvents(std::string_view case_id) {
  return GetEventsVia(*conn_, case_id);
}

Status SubscriberClient::PostEvent(std::string_view case_id,
                                   std::string_view set) {
  Connection::Call call{.method = "POST",
                        .path = "/v1/cases/" + net::UrlEncode(case_id) +
                                "/events",
                        .content_type = "application/jose",
                        .body = std::string(set)};
  return conn_->Do(call, "post event").status();
}

Result<DestinationInfo> SubscriberClient::GetDestination(
    std::string_view destination_id) {
  return GetDestinationVia(*conn_, destination_id);
}

Result<nlohmann::json> SubscriberClient::GetKey(std::string_view destination_id,
                                                std::string_view kid) {
  return GetKeyVia(*conn_, destination_id, kid);
}

Result<nlohmann::json> SubscriberClient::GetServiceJwks() {
  return conn_->GetPublicJson("/.well-known/jwks.json", "get service keys");
}

}  // namespace ds::submission_api
