// POST /api/v1/xdomea/messages: a Fachverfahren hands in a 0605 package and
// gets the 0630 back.
#include "xdomea/routes.h"

#include <chrono>

#include "api/auth.h"
#include "core/config.h"
#include "xdomea/receive.h"

namespace ds::xdomea {

const std::vector<api::RouteSpec>& XdomeaRoutes() {
  static const std::vector<api::RouteSpec> kRoutes = {
      {"POST", "/api/v1/xdomea/messages", api::Permission::kEdit},
  };
  return kRoutes;
}

namespace {

net::Response Problem(const Status& st, const net::Request& request) {
  net::Response r = net::Response::Problem(st, request.path);
  if (st.code() == Code::kUnauthenticated) {
    r.headers["WWW-Authenticate"] =
        request.header("Authorization").empty()
            ? "Bearer realm=\"drehscheibe\""
            : "Bearer realm=\"drehscheibe\", error=\"invalid_token\"";
  }
  return r;
}

net::Response Receive(records::Store& store, const ReceiveOptions& options,
                      const net::Request& request, std::string* token_id,
                      bool* accepted) {
  Result<api::Principal> who =
      api::Authorize(store, request, api::Permission::kEdit);
  if (!who.ok()) return Problem(who.status(), request);
  *token_id = who->token_id;

  if (request.body_size > options.limits.max_package_bytes) {
    return Problem(
        TooLarge("package larger than " +
                 std::to_string(options.limits.max_package_bytes) + " bytes"),
        request);
  }
  Result<std::string> body = request.ReadBody(options.limits.max_package_bytes);
  if (!body.ok()) return Problem(body.status(), request);

  ReceiveOptions opt = options;
  opt.actor = who->user;
  Result<ReceiveResult> r = Receive0605(store, who->tenant, *body, opt);
  if (!r.ok()) return Problem(r.status(), request);
  *accepted = r->accepted;

  net::Response out = net::Response::Text(
      r->accepted ? 200 : 422, std::move(r->answer_zip), "application/zip");
  out.headers["Content-Disposition"] =
      "attachment; filename=\"" + r->answer_name + "\"";
  return out;
}

}  // namespace

void AddXdomeaRoutes(net::Router& router, records::Store& store,
                     const RouteOptions& options, Logger& logger) {
  ReceiveOptions receive{.specs_dir = options.specs_dir.empty()
                                          ? ResolveSpecsDir("")
                                          : options.specs_dir,
                         .inspect = options.inspect,
                         .self = {.institution = options.institution},
                         .limits = options.limits};
  if (!receive.inspect) {
    // The gate without clamd: type, structure and active content are
    // checked; a file counts as not scanned (quarantined, fail closed).
    receive.inspect =
        GateInspector(gate::Policy{.allow_all_inspectable = true});
  }
  const api::RouteSpec& spec = XdomeaRoutes().front();
  router.Add(spec.method, spec.pattern,
             [&store, &logger, receive](const net::Request& request) {
               auto start = std::chrono::steady_clock::now();
               std::string token_id = "-";
               bool accepted = false;
               net::Response response =
                   Receive(store, receive, request, &token_id, &accepted);
               response.headers["Cache-Control"] = "no-store";
               auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
               logger.Info("xdomea.request",
                           {{"status", response.status},
                            {"accepted", accepted ? "yes" : "no"},
                            {"token_id", token_id},
                            {"bytes", static_cast<int64_t>(request.body_size)},
                            {"ms", static_cast<int64_t>(ms)}});
               return response;
             });
}

}  // namespace ds::xdomea
