// Handlers for Akten: list, create, read, change metadata.
#include "api/handlers.h"

namespace ds::api::internal {
namespace {

const std::vector<std::string_view> kAkteFields = {
    "betreff", "kennzeichen", "federfuehrung", "vertraulichkeit",
    "retention_years"};

// xdomea code list Vertraulichkeitsstufe: 001 Geheim, 002 NfD, 003 Offen,
// 004 Streng geheim, 005 Vertraulich.
Status CheckVertraulichkeit(const std::optional<std::string>& code) {
  if (!code) return Status::Ok();
  if (code->size() != 3 || code->substr(0, 2) != "00" || (*code)[2] < '1' ||
      (*code)[2] > '5') {
    return InvalidInput("vertraulichkeit must be an xdomea code 001..005");
  }
  return Status::Ok();
}

// retention_years: absent → nullopt; an integer 0..1000 otherwise.
Result<std::optional<int>> RetentionYears(const nlohmann::json& body) {
  if (!body.contains("retention_years")) return std::optional<int>();
  const auto& v = body["retention_years"];
  if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
      v.get<int64_t>() > 1000) {
    return InvalidInput("retention_years must be an integer 0..1000");
  }
  return std::optional<int>(v.get<int>());
}

}  // namespace

Reply ListAkten(const Call& c) {
  const net::Request& r = c.request;
  DS_RETURN_IF_ERROR(
      OnlyParams(r, {"kennzeichen", "closed", "limit", "cursor"}));
  records::AktenFilter f;
  f.tenant = c.who.tenant;
  f.kennzeichen = Param(r, "kennzeichen");
  if (auto closed = Param(r, "closed")) {
    if (*closed != "true" && *closed != "false") {
      return InvalidInput("closed must be true or false");
    }
    f.closed = *closed == "true";
  }
  DS_ASSIGN_OR_RETURN(f.limit, LimitParam(r, 50, 500));
  f.after = Param(r, "cursor").value_or("");
  DS_ASSIGN_OR_RETURN(records::AktenPage page, c.store.ListAkten(f));

  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : page.items) items.push_back(AkteJson(a));
  return net::Response::Json(
      200, {{"items", items},
            {"next_cursor", page.next_cursor.empty()
                                ? nlohmann::json()
                                : nlohmann::json(page.next_cursor)}});
}

Reply CreateAkte(const Call& c) {
  DS_ASSIGN_OR_RETURN(nlohmann::json body, ObjectBody(c.request, kAkteFields));
  records::AkteInput in;
  DS_ASSIGN_OR_RETURN(auto betreff, TextField(body, "betreff"));
  DS_ASSIGN_OR_RETURN(auto kennzeichen, StringField(body, "kennzeichen"));
  DS_ASSIGN_OR_RETURN(auto federfuehrung, StringField(body, "federfuehrung"));
  DS_ASSIGN_OR_RETURN(auto vertraulichkeit,
                      StringField(body, "vertraulichkeit"));
  DS_RETURN_IF_ERROR(CheckVertraulichkeit(vertraulichkeit));
  DS_ASSIGN_OR_RETURN(in.retention_years, RetentionYears(body));
  if (!betreff || betreff->empty()) return InvalidInput("betreff required");
  in.betreff = *betreff;
  in.kennzeichen = kennzeichen.value_or("");
  in.federfuehrung = federfuehrung.value_or("");
  if (vertraulichkeit) in.vertraulichkeit = *vertraulichkeit;

  DS_ASSIGN_OR_RETURN(std::string id,
                      c.store.CreateAkte(c.who.tenant, in, c.who.user));
  DS_ASSIGN_OR_RETURN(records::Akte a, c.store.GetAkte(c.who.tenant, id));
  net::Response r = net::Response::Json(201, AkteJson(a));
  r.headers["Location"] = "/api/v1/akten/" + id;
  return r;
}

Reply GetAkte(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(records::Akte a,
                      c.store.GetAkte(c.who.tenant, c.request.param("id")));
  return net::Response::Json(200, AkteJson(a));
}

Reply PatchAkte(const Call& c) {
  DS_ASSIGN_OR_RETURN(nlohmann::json body, ObjectBody(c.request, kAkteFields));
  records::AkteChange change;
  DS_ASSIGN_OR_RETURN(change.betreff, TextField(body, "betreff"));
  DS_ASSIGN_OR_RETURN(change.kennzeichen, StringField(body, "kennzeichen"));
  DS_ASSIGN_OR_RETURN(change.federfuehrung, StringField(body, "federfuehrung"));
  DS_ASSIGN_OR_RETURN(change.vertraulichkeit,
                      StringField(body, "vertraulichkeit"));
  DS_RETURN_IF_ERROR(CheckVertraulichkeit(change.vertraulichkeit));
  DS_ASSIGN_OR_RETURN(change.retention_years, RetentionYears(body));
  if (change.betreff && change.betreff->empty()) {
    return InvalidInput("betreff must not be empty");
  }
  if (body.empty()) return InvalidInput("nothing to change");

  std::string id = c.request.param("id");
  DS_RETURN_IF_ERROR(c.store.ChangeAkte(c.who.tenant, id, change, c.who.user));
  DS_ASSIGN_OR_RETURN(records::Akte a, c.store.GetAkte(c.who.tenant, id));
  return net::Response::Json(200, AkteJson(a));
}

}  // namespace ds::api::internal
