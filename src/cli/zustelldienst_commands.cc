// `drehscheibe zustelldienst` (the local FIT-Connect delivery service and its
// setup) and `drehscheibe send` (one application, as a portal sends it).
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/config.h"
#include "core/files.h"
#include "jose/jwk.h"
#include "submission_api/send.h"
#include "zustelldienst/service.h"

namespace ds::cli {
namespace {

namespace zd = ds::zustelldienst;
namespace sa = ds::submission_api;

// The stand-in keeps its state in a folder of the data directory, so that
// it can share one with the hub (demo) without clashing.
std::filesystem::path ZdDataDir(const Context& ctx) {
  return ResolveDataDir(ctx.data_flag) / "zustelldienst";
}

void PrintCredentials(const zd::ClientCredentials& c, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"clientId", c.client_id},
                                {"clientSecret", c.client_secret},
                                {"role", c.role == zd::Role::kSender ? "sender"
                                                                     : "subscriber"},
                                {"destinations", c.destinations}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << "client_id=" << c.client_id << "\n"
            << "client_secret=" << c.client_secret << "\n"
            << "role=" << (c.role == zd::Role::kSender ? "sender" : "subscriber")
            << "\n";
}

Result<jose::Jwk> LoadPublicKey(const std::string& file) {
  DS_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 1 << 20));
  DS_ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::Parse(text));
  return key.PublicOnly();
}

// Serves until SIGINT or SIGTERM.
Status Serve(const Context& ctx, const std::string& listen,
             const std::string& setup, const std::string& public_url,
             int64_t pickup_timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // threads inherit the mask

  zd::Options o;
  o.listen = listen;
  o.data_dir = ZdDataDir(ctx);
  o.public_url = public_url;
  if (pickup_timeout > 0) o.pickup_timeout_seconds = pickup_timeout;
  DS_ASSIGN_OR_RETURN(auto service, zd::Service::Start(o));
  if (!setup.empty()) {
    DS_ASSIGN_OR_RETURN(auto created, zd::ApplySetupFile(service->admin(), setup));
    for (const auto& c : created) PrintCredentials(c, false);
  }
  std::cout << "zustelldienst listening on " << service->base_url()
            << " (token endpoint " << service->token_url() << ", data "
            << o.data_dir.string() << ")" << std::endl;

  int sig = 0;
  sigwait(&set, &sig);
  service->Stop();
  return Status::Ok();
}

void RegisterSetup(CLI::App* zdc, Context& ctx) {
  // zustelldienst client create
  auto* client = zdc->add_subcommand("client", "OAuth clients")->require_subcommand(1);
  auto* create = client->add_subcommand("create", "create a client, print its credentials");
  auto role = std::make_shared<std::string>("sender");
  auto dests = std::make_shared<std::vector<std::string>>();
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  create->add_option("--role", *role, "sender or subscriber")
      ->check(CLI::IsMember({"sender", "subscriber"}));
  create->add_option("--destination", *dests, "destination id (subscribers)");
  create->add_option("--name", *name, "a label");
  create->add_flag("--json", *json, "print JSON");
  create->callback([&ctx, role, dests, name, json] {
    auto admin = zd::Admin::Open(ZdDataDir(ctx));
    if (!admin.ok()) { ctx.status = admin.status(); return; }
    auto c = (*admin)->CreateClient(
        *role == "sender" ? zd::Role::kSender : zd::Role::kSubscriber, *dests, *name);
    if (!c.ok()) { ctx.status = c.status(); return; }
    PrintCredentials(*c, *json);
  });

  // zustelldienst destination create / add-key
  auto* dest = zdc->add_subcommand("destination", "destinations")->require_subcommand(1);
  auto* dcreate = dest->add_subcommand("create", "create a destination, print its id");
  struct DestArgs {
    std::string id, enc, service, service_name, callback_url, callback_secret;
    std::vector<std::string> sigs, schemas, replies;
  };
  auto d = std::make_shared<DestArgs>();
  dcreate->add_option("--id", d->id, "destination id (default: new UUID)");
  dcreate->add_option("--encryption-key", d->enc, "public JWK file (RSA-OAEP-256)")
      ->required();
  dcreate->add_option("--signature-key", d->sigs, "public JWK file (PS512)");
  dcreate->add_option("--service", d->service, "service identifier (LeiKa URN)")
      ->required();
  dcreate->add_option("--service-name", d->service_name, "service name");
  dcreate->add_option("--schema", d->schemas, "accepted submission schema URI (JSON)");
  dcreate->add_option("--reply-channel", d->replies, "offered reply channel");
  dcreate->add_option("--callback-url", d->callback_url, "callback URL");
  dcreate->add_option("--callback-secret", d->callback_secret, "callback secret");
  dcreate->callback([&ctx, d] {
    ctx.status = [&]() -> Status {
      zd::DestinationSpec spec;
      spec.id = d->id;
      DS_ASSIGN_OR_RETURN(jose::Jwk enc, LoadPublicKey(d->enc));
      spec.encryption_key = enc;
      for (const auto& f : d->sigs) {
        DS_ASSIGN_OR_RETURN(jose::Jwk k, LoadPublicKey(f));
        spec.signature_keys.push_back(k);
      }
      zd::ServiceSpec svc{d->service, d->service_name, {}, {}};
      for (const auto& s : d->schemas) svc.submission_schemas.push_back({s, "application/json"});
      spec.services.push_back(svc);
      if (!d->replies.empty()) spec.reply_channels = d->replies;
      spec.callback_url = d->callback_url;
      spec.callback_secret = d->callback_secret;
      DS_ASSIGN_OR_RETURN(auto admin, zd::Admin::Open(ZdDataDir(ctx)));
      DS_ASSIGN_OR_RETURN(std::string id, admin->CreateDestination(spec));
      std::cout << "destination_id=" << id << "\n";
      return Status::Ok();
    }();
  });
  auto* addkey = dest->add_subcommand("add-key", "register a further public key");
  auto kd = std::make_shared<std::pair<std::string, std::string>>();
  addkey->add_option("--destination", kd->first, "destination id")->required();
  addkey->add_option("--key", kd->second, "public JWK file")->required();
  addkey->callback([&ctx, kd] {
    ctx.status = [&]() -> Status {
      DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadPublicKey(kd->second));
      DS_ASSIGN_OR_RETURN(auto admin, zd::Admin::Open(ZdDataDir(ctx)));
      return admin->RegisterKey(kd->first, key, true);
    }();
  });

  // zustelldienst setup FILE
  auto* setup = zdc->add_subcommand("setup", "apply a TOML setup file");
  auto file = std::make_shared<std::string>();
  setup->add_option("file", *file, "setup TOML")->required();
  setup->callback([&ctx, file] {
    ctx.status = [&]() -> Status {
      DS_ASSIGN_OR_RETURN(auto admin, zd::Admin::Open(ZdDataDir(ctx)));
      DS_ASSIGN_OR_RETURN(auto created, zd::ApplySetupFile(*admin, *file));
      for (const auto& c : created) PrintCredentials(c, false);
      return Status::Ok();
    }();
  });
}

std::string GuessMimeType(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".xml") return "application/xml";
  if (ext == ".json") return "application/json";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".txt") return "text/plain";
  return "application/octet-stream";
}

struct SendArgs {
  std::string api, token_url, client_id, client_secret, destination, service,
      service_name, data, schema, data_type = "application/json";
  std::vector<std::string> attachments;
  bool follow = false, test_keys = false, json = false;
  int timeout = 120;
};

Status RunSend(const SendArgs& a) {
  // Credentials: flags, else environment (keeps the secret off `ps`).
  sa::Endpoint ep{.api_url = a.api, .token_url = a.token_url,
                  .client_id = a.client_id, .client_secret = a.client_secret};
  if (ep.token_url.empty()) ep.token_url = ep.api_url + "/token";
  if (ep.client_secret.empty()) {
    const char* env = std::getenv("DREHSCHEIBE_SEND_CLIENT_SECRET");
    if (env) ep.client_secret = env;
  }
  if (ep.client_secret.empty()) {
    return Status(Code::kUsage, "send: --client-secret or "
                                "DREHSCHEIBE_SEND_CLIENT_SECRET is required");
  }

  sa::Application app{.destination_id = a.destination,
                      .service_identifier = a.service,
                      .service_name = a.service_name,
                      .data_schema_uri = a.schema,
                      .data_mime_type = a.data_type};
  DS_ASSIGN_OR_RETURN(app.data, ReadFile(a.data));
  for (const auto& f : a.attachments) {
    std::filesystem::path p = f;
    DS_ASSIGN_OR_RETURN(std::string content, ReadFile(p, 500u << 20));
    app.attachments.push_back({.filename = p.filename().string(),
                               .mime_type = GuessMimeType(p),
                               .content = std::move(content)});
  }
  sa::SendOptions opts;
  opts.key_policy.test_mode = a.test_keys;
  opts.follow = a.follow;
  opts.follow_timeout_seconds = a.timeout;

  sa::SenderClient api(ep);
  DS_ASSIGN_OR_RETURN(sa::SendResult r, sa::SendApplication(api, app, opts));
  if (a.json) {
    std::cout << nlohmann::json{{"submissionId", r.ref.submission_id},
                                {"caseId", r.ref.case_id},
                                {"destinationId", r.ref.destination_id},
                                {"attachmentIds", r.attachment_ids},
                                {"state", r.state},
                                {"problems", r.problems}}
                     .dump()
              << "\n";
  } else {
    std::cout << "submission_id=" << r.ref.submission_id << "\n"
              << "case_id=" << r.ref.case_id << "\n"
              << "state=" << r.state << "\n";
  }
  if (r.state == "rejected") {
    return CheckFailed("send: the destination rejected the submission");
  }
  return Status::Ok();
}

}  // namespace

void RegisterZustelldienstCommands(CLI::App& app, Context& ctx) {
  // drehscheibe zustelldienst
  auto* zdc = app.add_subcommand(
      "zustelldienst", "local FIT-Connect delivery service (Submission API v1)");
  zdc->require_subcommand(0, 1);
  auto listen = std::make_shared<std::string>("127.0.0.1:8480");
  auto setup = std::make_shared<std::string>();
  auto public_url = std::make_shared<std::string>();
  auto timeout = std::make_shared<int64_t>(0);
  zdc->add_option("--listen", *listen, "host:port (default 127.0.0.1:8480)");
  zdc->add_option("--data", ctx.data_flag, "data directory");
  zdc->add_option("--setup", *setup, "apply a TOML setup file at start");
  zdc->add_option("--public-url", *public_url, "URL clients reach it at");
  zdc->add_option("--pickup-timeout", *timeout,
                  "seconds until unpicked submissions are rejected (default 14 days)");
  RegisterSetup(zdc, ctx);
  zdc->callback([&ctx, zdc, listen, setup, public_url, timeout] {
    if (!zdc->get_subcommands().empty()) return;
    ctx.status = Serve(ctx, *listen, *setup, *public_url, *timeout);
  });

  // drehscheibe send
  auto* send = app.add_subcommand("send", "send one application over FIT-Connect");
  auto a = std::make_shared<SendArgs>();
  send->add_option("--api", a->api, "Submission API root URL")->required();
  send->add_option("--token-url", a->token_url, "OAuth token URL (default API/token)");
  send->add_option("--client-id", a->client_id, "sender client id")->required();
  send->add_option("--client-secret", a->client_secret,
                   "sender client secret (or DREHSCHEIBE_SEND_CLIENT_SECRET)");
  send->add_option("--destination", a->destination, "destination id")->required();
  send->add_option("--service", a->service, "service identifier (LeiKa URN)")->required();
  send->add_option("--service-name", a->service_name, "service name");
  send->add_option("--data", a->data, "Fachdaten file")->required();
  send->add_option("--schema", a->schema, "schema URI of the data")->required();
  send->add_option("--data-type", a->data_type, "application/json or application/xml");
  send->add_option("--attachment", a->attachments, "attachment file (repeatable)");
  send->add_flag("--follow", a->follow, "wait for accept or reject");
  send->add_option("--timeout", a->timeout, "seconds to wait with --follow");
  send->add_flag("--test-keys", a->test_keys,
                 "accept self-signed destination keys (test systems only)");
  send->add_flag("--json", a->json, "print JSON");
  send->callback([&ctx, a] { ctx.status = RunSend(*a); });
}

}  // namespace ds::cli
