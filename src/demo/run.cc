#include "demo/run.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/api.h"
#include "core/config.h"
#include "core/encoding.h"
#include "core/files.h"
#include "demo/fachverfahren.h"
#include "demo/samples.h"
#include "intake/hub.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "router/api.h"
#include "router/router.h"
#include "router/xdomea_transport.h"
#include "submission_api/send.h"
#include "web/destinations.h"
#include "web/web.h"
#include "xdomea/routes.h"
#include "zustelldienst/service.h"

namespace ds::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kTenant[] = "demo-musterstadt";
constexpr char kDmsDir[] = "dms-eingang";  // the demo DMS polls it

// A private key of the demo, generated on the first run with a self-signed
// test certificate in x5c.
Result<jose::Jwk> LoadOrCreateKey(const fs::path& file, const std::string& alg,
                                  const DemoOptions& o) {
  if (fs::exists(file)) {
    DS_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 1 << 20));
    return jose::Jwk::Parse(text);
  }
  if (o.progress) o.progress("erzeuge Demo-Schlüssel (" + alg + ", RSA-4096) ...");
  DS_ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::Generate(4096, NewUuid(), alg));
  DS_ASSIGN_OR_RETURN(std::string cert,
                      jose::SelfSignedCertificate(key, "drehscheibe demo " + alg, 3650));
  key = key.WithX5c({cert});
  DS_RETURN_IF_ERROR(WriteFileAtomic(file, key.PrivateJson().dump(2)));
  return key;
}

// Destination and clients of the demo, created once and kept in
// <data>/demo/setup.json (mode 0600: it holds client secrets).
struct Setup {
  std::string destination_id;
  std::string sender_id, sender_secret;
  std::string subscriber_id, subscriber_secret;
  std::string callback_secret;
};

Result<Setup> LoadOrCreateSetup(zustelldienst::Admin& admin, const fs::path& file,
                                const jose::Jwk& enc, const jose::Jwk& sig) {
  if (fs::exists(file)) {
    DS_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 1 << 20));
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return EnvironmentError("demo setup is not JSON: " + file.string());
    return Setup{j.value("destination_id", ""), j.value("sender_id", ""),
                 j.value("sender_secret", ""),  j.value("subscriber_id", ""),
                 j.value("subscriber_secret", ""), j.value("callback_secret", "")};
  }

  zustelldienst::DestinationSpec spec;
  zustelldienst::ServiceSpec service;
  service.identifier = kServiceIdentifier;
  service.name = kServiceName;
  service.submission_schemas.push_back({kDataSchemaUri, "application/json"});
  spec.services.push_back(service);
  spec.reply_channels = {"eMail"};
  spec.encryption_key = enc.PublicOnly();
  spec.signature_keys.push_back(sig.PublicOnly());
  DS_ASSIGN_OR_RETURN(std::string destination, admin.CreateDestination(spec));

  DS_ASSIGN_OR_RETURN(auto sender, admin.CreateClient(zustelldienst::Role::kSender, {}, "demo portal"));
  DS_ASSIGN_OR_RETURN(auto subscriber, admin.CreateClient(zustelldienst::Role::kSubscriber,
                                                          {destination}, "demo hub"));
  Setup s{destination, sender.client_id, sender.client_secret, subscriber.client_id,
          subscriber.client_secret, HexEncode(Sha256(NewUuid() + NewUuid()))};
  json j = {{"destination_id", s.destination_id}, {"sender_id", s.sender_id},
            {"sender_secret", s.sender_secret}, {"subscriber_id", s.subscriber_id},
            {"subscriber_secret", s.subscriber_secret}, {"callback_secret", s.callback_secret}};
  DS_RETURN_IF_ERROR(WriteFileAtomic(file, j.dump(2)));
  return s;
}

void Say(const DemoOptions& o, const std::string& line) {
  if (o.progress) o.progress(line);
}

}  // namespace

Result<DemoSummary> RunDemo(const DemoOptions& o) {
  Logger* logger = o.logger ? o.logger : &DefaultLogger();
  if (!fs::is_directory(o.specs_dir / "fit-connect" / "schemas")) {
    return EnvironmentError("no FIT-Connect schemas under " + o.specs_dir.string() +
                            " (set --specs or DREHSCHEIBE_SPECS)");
  }
  // The demo's SQLite databases serve one process at a time.
  DS_ASSIGN_OR_RETURN(DirLock data_lock, DirLock::Acquire(o.data_dir));
  fs::path demo_dir = o.data_dir / "demo";
  DS_RETURN_IF_ERROR(EnsureDir(demo_dir / "keys"));

  // Keys of the demo authority.
  DS_ASSIGN_OR_RETURN(jose::Jwk enc, LoadOrCreateKey(demo_dir / "keys" / "encryption.private.jwk",
                                                     "RSA-OAEP-256", o));
  DS_ASSIGN_OR_RETURN(jose::Jwk sig, LoadOrCreateKey(demo_dir / "keys" / "signing.private.jwk",
                                                     "PS512", o));

  // The local Zustelldienst.
  zustelldienst::Options zo;
  zo.listen = "127.0.0.1:0";
  zo.data_dir = o.data_dir / "zustelldienst";
  zo.logger = logger;
  // A fixed issuer: the port changes from run to run, but the event tokens
  // of submissions left unfinished by an earlier run must still verify.
  zo.issuer = "http://127.0.0.1/drehscheibe-demo-zustelldienst";
  DS_ASSIGN_OR_RETURN(auto zd, zustelldienst::Service::Start(zo));
  Say(o, "Zustelldienst läuft auf " + zd->base_url());
  DS_ASSIGN_OR_RETURN(Setup setup, LoadOrCreateSetup(zd->admin(), demo_dir / "setup.json", enc, sig));

  // The hub, with the demo destination.
  intake::HubSetup hs;
  hs.data_dir = o.data_dir;
  hs.specs_dir = o.specs_dir;
  hs.logger = logger;
  hs.poll_seconds = 5;
  hs.processor.key_policy.test_mode = true;
  hs.processor.gate_policy.clamd_socket = o.clamd_socket;
  hs.processor.gate_policy.require_virus_scan = !o.clamd_socket.empty();
  DS_RETURN_IF_ERROR(hs.data_schemas.AddJson(kDataSchemaUri, DataSchema()));
  intake::Destination d;
  d.id = setup.destination_id;
  d.tenant = kTenant;
  d.decryption_keys.Add(enc);
  d.signing_key = sig;
  d.callback_secret = setup.callback_secret;
  d.trusted_issuer = zd->issuer();
  d.api = std::make_shared<submission_api::SubscriberClient>(submission_api::Endpoint{
      .api_url = zd->base_url(), .token_url = zd->token_url(),
      .client_id = setup.subscriber_id, .client_secret = setup.subscriber_secret});
  hs.destinations.push_back(d);
  web::WebOptions wo;
  wo.destinations.push_back(web::Describe(d, zd->base_url()));
  wo.clamd_socket = o.clamd_socket;
  wo.data_schemas.push_back({kDataSchemaUri, DataSchema()});
  DS_ASSIGN_OR_RETURN(auto hub, intake::Hub::Create(std::move(hs)));

  // The router: every case of the demo tenant goes to the demo
  // Fachverfahren (signed webhook) and, as an xdomea 0605 package, into the
  // exchange directory of a demo DMS (<data>/dms-eingang).
  // Two random UUIDs: 244 random bits, enough for a key that lives one run.
  const std::string hook_secret = NewUuid() + NewUuid();
  DS_ASSIGN_OR_RETURN(auto fachverfahren, DemoFachverfahren::Start(hook_secret));
  const std::filesystem::path dms_dir = std::filesystem::absolute(o.data_dir) / kDmsDir;
  DS_RETURN_IF_ERROR(EnsureDir(dms_dir));
  router::RoutingConfig routing{
      .targets = {{.id = "demo-fachverfahren",
                   .tenant = kTenant,
                   .kind = "webhook",
                   .url = fachverfahren->url(),
                   .secret = hook_secret},
                  {.id = "demo-dms",
                   .tenant = kTenant,
                   .kind = "xdomea",
                   .exchange_dir = dms_dir,
                   .xdomea_receiver = "Demo-DMS"}},
      .rules = {{.name = "alle-antraege",
                 .tenant = kTenant,
                 .targets = {"demo-fachverfahren", "demo-dms"}}},
      .poll_ms = 200};
  if (!o.routing_file.empty()) {
    DS_ASSIGN_OR_RETURN(ConfigReader reader,
                        ConfigReader::FromFile(o.routing_file));
    router::RoutingConfig extra = router::LoadRoutingConfig(reader);
    reader.RejectUnknownKeys();
    DS_RETURN_IF_ERROR(reader.Finish());
    for (auto& t : extra.targets) routing.targets.push_back(std::move(t));
    routing.rules.insert(routing.rules.begin(), extra.rules.begin(),
                         extra.rules.end());
  }
  router::RouterOptions routing_options{.data_dir = o.data_dir,
                                        .config = std::move(routing),
                                        .logger = logger};
  router::RegisterXdomeaTransport(routing_options.transports, hub->store(), o.specs_dir);
  DS_ASSIGN_OR_RETURN(auto cases_router,
                      router::Router::Open(hub->store(), std::move(routing_options)));

  // The hub's HTTP face: callbacks, the API, the router's API and the
  // web UI (on loopback, so cookies without Secure).
  net::Router router;
  hub->AddRoutes(router);
  api::AddApiRoutes(router, hub->store(), *logger);
  router::AddRouterRoutes(router, *cases_router, *logger);
  gate::Policy xdomea_policy;
  xdomea_policy.allow_all_inspectable = true;
  xdomea_policy.clamd_socket = o.clamd_socket;
  xdomea_policy.require_virus_scan = !o.clamd_socket.empty();
  xdomea::AddXdomeaRoutes(router, hub->store(),
                          {.specs_dir = o.specs_dir,
                           .inspect = xdomea::GateInspector(xdomea_policy, logger)},
                          *logger);
  wo.store = &hub->store();
  wo.journal = &hub->journal();
  wo.logger = logger;
  wo.router = cases_router.get();
  wo.secure_cookies = !web::IsLoopbackListen(o.once ? "127.0.0.1:0" : o.hub_listen);
  DS_ASSIGN_OR_RETURN(auto web_db, web::OpenDb(o.data_dir, ""));
  DS_ASSIGN_OR_RETURN(auto ui, web::Ui::Create(std::move(wo), std::move(web_db)));
  ui->AddRoutes(router);
  Result<std::unique_ptr<net::HttpServer>> server =
      net::HttpServer::Start({.listen = o.once ? "127.0.0.1:0" : o.hub_listen}, std::move(router));
  if (!server.ok()) {
    return EnvironmentError("cannot listen on " + o.hub_listen + ": " + server.status().message() +
                            " (choose another address with --listen)");
  }
  DS_RETURN_IF_ERROR(zd->admin().SetCallback(
      setup.destination_id,
      (*server)->base_url() + "/callbacks/fit-connect/" + setup.destination_id,
      setup.callback_secret));

  DemoSummary summary;
  summary.hub_url = (*server)->base_url();
  summary.virus_scan = !o.clamd_socket.empty();

  // Send the sample applications as a portal would.
  submission_api::SenderClient sender(submission_api::Endpoint{
      .api_url = zd->base_url(), .token_url = zd->token_url(),
      .client_id = setup.sender_id, .client_secret = setup.sender_secret});
  submission_api::SendOptions send_options;
  send_options.key_policy.test_mode = true;
  std::vector<SampleApplication> samples = BuildSamples(o.count);
  for (size_t i = 0; i < samples.size(); ++i) {
    const SampleApplication& s = samples[i];
    submission_api::Application app;
    app.destination_id = setup.destination_id;
    app.service_identifier = kServiceIdentifier;
    app.service_name = kServiceName;
    app.data = s.form_json;
    app.data_schema_uri = kDataSchemaUri;
    for (const SampleAttachment& a : s.attachments) {
      app.attachments.push_back(
          {.filename = a.filename, .mime_type = a.mime_type, .content = a.bytes, .purpose = a.purpose});
    }
    DS_ASSIGN_OR_RETURN(auto sent, submission_api::SendApplication(sender, app, send_options));
    summary.cases.push_back({s.label, sent.ref.submission_id, sent.ref.case_id, "submitted", "", ""});
    Say(o, "gesendet " + std::to_string(i + 1) + "/" + std::to_string(samples.size()) + ": " +
               s.label + " (Einreichung " + sent.ref.submission_id + ")");
  }
  summary.sent = static_cast<int>(samples.size());

  if (!o.once) {
    // A web account for the demo; each run sets a new random password.
    DS_ASSIGN_OR_RETURN(std::string password, web::RandomToken());
    password = password.substr(0, 16);
    DS_RETURN_IF_ERROR(ui->accounts().AddUser(kTenant, "demo", api::Role::kTenantAdmin, password));
    Say(o, "Web-Oberfläche: " + summary.hub_url + "/  (Mandant " + kTenant +
               ", Benutzer demo, Passwort " + password + "; Strg+C beendet)");
    // A token for trying the REST API, with the demo account's role (so the
    // documented routing dry runs work); each run makes a new one and
    // revokes the ones of earlier runs, so that only the printed token
    // works.
    DS_ASSIGN_OR_RETURN(std::vector<records::ApiToken> earlier,
                        hub->store().ListApiTokens(kTenant, false));
    for (const records::ApiToken& t : earlier) {
      if (t.user != "demo") continue;
      DS_RETURN_IF_ERROR(hub->store().RevokeApiToken(kTenant, t.id, "demo"));
    }
    DS_ASSIGN_OR_RETURN(api::IssuedToken token,
                        api::CreateApiToken(hub->store(), kTenant, "demo",
                                            api::Role::kTenantAdmin, "demo"));
    Say(o, "REST-API: " + summary.hub_url + "/api/v1/vorgaenge  (Authorization: Bearer " +
               token.token + ")");
    static const std::atomic<bool> kNever{false};
    const std::atomic<bool>& stop = o.stop ? *o.stop : kNever;
    std::thread routing_loop([&] { cases_router->Run(stop); });
    hub->Run(stop);
    routing_loop.join();
  } else {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_seconds);
    for (;;) {
      (void)hub->PollOnce();
      hub->ProcessDue();
      bool open = false;
      for (const DemoCase& c : summary.cases) {
        auto e = hub->journal().Get(c.submission_id);
        if (!e.ok() || !*e || !intake::IsTerminal((*e)->state)) open = true;
      }
      if (!open || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // Route what was filed and deliver it to the demo Fachverfahren.
    for (;;) {
      DS_ASSIGN_OR_RETURN(int routed, cases_router->RouteNew());
      DS_ASSIGN_OR_RETURN(int attempted, cases_router->DeliverDue());
      if ((routed == 0 && attempted == 0) ||
          std::chrono::steady_clock::now() > deadline) {
        break;
      }
    }
  }
  summary.delivered = fachverfahren->received();
  summary.dms_dir = dms_dir;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dms_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".zip") ++summary.dms_packages;
  }

  // Summarise from the journal.
  for (DemoCase& c : summary.cases) {
    auto e = hub->journal().Get(c.submission_id);
    if (!e.ok() || !*e) continue;
    ++summary.received;
    c.state = std::string(intake::StateName((*e)->state));
    c.vorgang_id = (*e)->vorgang_id;
    c.problems = (*e)->problems_json;
    if ((*e)->state == intake::State::kAccepted) ++summary.accepted;
    else if ((*e)->state == intake::State::kRejected) ++summary.rejected;
    else ++summary.pending;
  }
  records::InboxFilter filter;
  filter.tenant = kTenant;
  filter.limit = 500;
  for (;;) {
    DS_ASSIGN_OR_RETURN(records::InboxPage page, hub->store().ListInbox(filter));
    summary.filed_total += static_cast<int>(page.items.size());
    if (page.next_cursor.empty()) break;
    filter.after = page.next_cursor;
  }

  (*server)->Stop();
  zd->Stop();
  return summary;
}

}  // namespace ds::demo
