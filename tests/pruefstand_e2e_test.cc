// The Prüfstand against real components on loopback: a real clamd (started
// here, test signature database), the in-process Zustelldienst stand-in and
// this hub (built as the intake tests build it, gate with clamd and
// neutralisation, every inspectable type allowed), plus a careless upload
// endpoint that accepts everything. The whole catalogue goes to the gate,
// to the hub over FIT-Connect and to the careless endpoint; the command
// line compares the protocols and refuses a target outside loopback.
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "gate/samples.h"
#include "gate/testing/clamd_daemon.h"
#include "intake/hub.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "pruefstand/compare.h"
#include "pruefstand/protocol.h"
#include "pruefstand/run.h"
#include "pruefstand/target.h"
#include "zustelldienst/service.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kTenant[] = "pruefstand-e2e";

// RSA-4096 keygen is slow: generated once per build tree, kept beside the
// binary.
jose::Jwk CachedKey(const std::string& name, const std::string& alg) {
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path() /
                 "pruefstand_e2e_keys";
  if (ec) dir = fs::temp_directory_path() / "pruefstand_e2e_keys";
  fs::path file = dir / (name + ".private.jwk");
  if (Result<std::string> text = ReadFile(file, 1 << 20); text.ok()) {
    if (Result<jose::Jwk> key = jose::Jwk::Parse(*text); key.ok()) return *key;
  }
  Result<jose::Jwk> key = jose::Jwk::Generate(4096, NewUuid(), alg);
  if (!key.ok()) throw std::runtime_error(key.status().message());
  Result<std::string> cert =
      jose::SelfSignedCertificate(*key, "pruefstand e2e " + name, 3650);
  if (!cert.ok()) throw std::runtime_error(cert.status().message());
  jose::Jwk out = key->WithX5c({*cert});
  (void)EnsureDir(dir);
  (void)WriteFileAtomic(file, out.PrivateJson().dump());
  return out;
}

struct World {
  testing::TempDir dir;
  std::unique_ptr<gate::testsupport::ClamdDaemon> clamd;  // uses dir/clamd
  std::unique_ptr<zustelldienst::Service> zd;
  std::string destination;
  zustelldienst::ClientCredentials sender;
  std::unique_ptr<intake::Hub> hub;
  std::atomic<bool> stop{false};
  std::thread hub_thread;
  std::unique_ptr<net::HttpServer> careless;
  std::vector<gate::Sample> samples;
  json hub_protocol, careless_protocol;
};
World* world = nullptr;

Status BuildWorld(World& w) {
  DS_RETURN_IF_ERROR(EnsureDir(w.dir.path() / "clamd"));
  DS_ASSIGN_OR_RETURN(w.clamd, gate::testsupport::ClamdDaemon::Start(w.dir.path() / "clamd"));
  jose::Jwk enc = CachedKey("encryption", "RSA-OAEP-256");
  jose::Jwk sig = CachedKey("signing", "PS512");

  zustelldienst::Options zo;
  zo.listen = "127.0.0.1:0";
  zo.data_dir = w.dir.path() / "zustelldienst";
  DS_ASSIGN_OR_RETURN(w.zd, zustelldienst::Service::Start(zo));
  zustelldienst::DestinationSpec spec;
  spec.services.push_back({.identifier = demo::kServiceIdentifier,
                           .name = demo::kServiceName,
                           .submission_schemas = {{demo::kDataSchemaUri}}});
  spec.encryption_key = enc.PublicOnly();
  spec.signature_keys.push_back(sig.PublicOnly());
  DS_ASSIGN_OR_RETURN(w.destination, w.zd->admin().CreateDestination(spec));
  DS_ASSIGN_OR_RETURN(
      w.sender, w.zd->admin().CreateClient(zustelldienst::Role::kSender, {},
                                           "pruefstand"));
  DS_ASSIGN_OR_RETURN(
      auto sub, w.zd->admin().CreateClient(zustelldienst::Role::kSubscriber,
                                           {w.destination}, "hub"));

  intake::HubSetup hs;
  hs.data_dir = w.dir.path() / "hub";
  hs.specs_dir = testing::SpecsDir();
  hs.poll_seconds = 1;
  hs.processor.key_policy.test_mode = true;
  hs.processor.gate_policy.allow_all_inspectable = true;
  hs.processor.gate_policy.clamd_socket = w.clamd->socket();
  hs.processor.gate_policy.neutralise = true;
  DS_RETURN_IF_ERROR(
      hs.data_schemas.AddJson(demo::kDataSchemaUri, demo::DataSchema()));
  intake::Destination d;
  d.id = w.destination;
  d.tenant = kTenant;
  d.decryption_keys.Add(enc);
  d.signing_key = sig;
  d.trusted_issuer = w.zd->base_url();
  d.api = std::make_shared<submission_api::SubscriberClient>(
      submission_api::Endpoint{.api_url = w.zd->base_url(),
                               .token_url = w.zd->token_url(),
                               .client_id = sub.client_id,
                               .client_secret = sub.client_secret});
  hs.destinations.push_back(d);
  DS_ASSIGN_OR_RETURN(w.hub, intake::Hub::Create(std::move(hs)));
  w.hub_thread = std::thread([&w] { w.hub->Run(w.stop); });

  net::Router router;
  router.Add("POST", "/upload", [](const net::Request&) {
    return net::Response::Text(200, "Hochgeladen.",
                               "text/plain; charset=utf-8");
  });
  DS_ASSIGN_OR_RETURN(
      w.careless,
      net::HttpServer::Start(
          {.listen = "127.0.0.1:0", .threads = 4, .max_body = 128ull << 20},
          std::move(router)));
  w.samples = gate::GenerateSamples();
  return Status::Ok();
}

class PruefstandEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    world = new World();
    Status s = BuildWorld(*world);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void TearDown() override {
    if (!world) return;
    world->stop = true;
    if (world->hub_thread.joinable()) world->hub_thread.join();
    world->hub.reset();
    if (world->careless) world->careless->Stop();
    if (world->zd) world->zd->Stop();
    delete world;
    world = nullptr;
  }
};
const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PruefstandEnvironment);

pruefstand::FitConnectTargetOptions HubOverFitConnect() {
  pruefstand::FitConnectTargetOptions o;
  o.endpoint = {.api_url = world->zd->base_url(),
                .token_url = world->zd->token_url(),
                .client_id = world->sender.client_id,
                .client_secret = world->sender.client_secret};
  o.destination_id = world->destination;
  o.service_identifier = demo::kServiceIdentifier;
  o.service_name = demo::kServiceName;
  o.data = demo::BuildSamples(1)[0].form_json;
  o.data_schema_uri = demo::kDataSchemaUri;
  o.key_policy.test_mode = true;
  o.timeout_seconds = 120;
  o.hub_data = world->dir.path() / "hub";
  o.hub_tenant = kTenant;
  return o;
}

// ctest runs every test in its own process: each protocol is made on first
// use.
const json& HubProtocol() {
  if (world->hub_protocol.is_null()) {
    auto target = pruefstand::MakeFitConnectTarget(HubOverFitConnect());
    if (!target.ok()) throw std::runtime_error(target.status().message());
    pruefstand::RunOptions o;
    o.parallel = 4;
    auto p = pruefstand::Run(**target, world->samples, o);
    if (!p.ok()) throw std::runtime_error(p.status().message());
    world->hub_protocol = std::move(*p);
  }
  return world->hub_protocol;
}

const json& CarelessProtocol() {
  if (world->careless_protocol.is_null()) {
    auto target = pruefstand::MakeUploadTarget(
        {.url = world->careless->base_url() + "/upload"});
    if (!target.ok()) throw std::runtime_error(target.status().message());
    pruefstand::RunOptions o;
    o.parallel = 4;
    auto p = pruefstand::Run(**target, world->samples, o);
    if (!p.ok()) throw std::runtime_error(p.status().message());
    world->careless_protocol = std::move(*p);
  }
  return world->careless_protocol;
}

std::string Failures(const json& p) {
  std::string out;
  for (const json& r : p["results"]) {
    if (r["passed"] == false) {
      out += r["sample_id"].get<std::string>() + ": " +
             r["outcome"].get<std::string>() + " " +
             r["reason"].get<std::string>() + "\n";
    }
  }
  return out;
}

using CliRun = ds::testing::CommandRun;

// Runs the binary; stderr goes with stdout unless `stdout_only`.
CliRun Cli(const std::string& args, bool stdout_only = false) {
  return ds::testing::RunShell(std::string(DS_BINARY) + " " + args +
                               (stdout_only ? " 2>/dev/null" : " 2>&1"));
}

// ---------------------------------------------------------------------------

TEST(PruefstandEndToEnd, GateWithClamdPassesTheWholeCatalogue) {
  auto target =
      pruefstand::MakeGateTarget({.clamd_socket = world->clamd->socket()});
  ASSERT_OK(target);

  auto p = pruefstand::Run(**target, world->samples, {});

  ASSERT_OK(p);
  EXPECT_OK(pruefstand::ValidateProtocol(*p));
  EXPECT_EQ((*p)["summary"]["total"], 111);
  EXPECT_EQ((*p)["summary"]["failed"], 0) << Failures(*p);
  EXPECT_EQ((*p)["summary"]["not_rated"], 0);
  int neutralised = 0;
  for (const json& r : (*p)["results"]) {
    ASSERT_TRUE(r["verdict"].is_object()) << r["sample_id"];
    if (r["outcome"] != "neutralised") continue;
    ++neutralised;
    EXPECT_EQ(r["neutralisation"]["marker_present"], false) << r["sample_id"];
  }
  EXPECT_GE(neutralised, 10);
}

// The whole catalogue over FIT-Connect, four submissions in flight; the
// hub's E-Akte gives the verdict of every filed attachment.
TEST(PruefstandEndToEnd,
     HubOverFitConnectRejectsQuarantinesOrNeutralisesEveryAttack) {
  const json& p = HubProtocol();

  EXPECT_OK(pruefstand::ValidateProtocol(p));
  EXPECT_EQ(p["target"]["hub_observed"], true);
  EXPECT_EQ(p["parallel"], 4);
  EXPECT_EQ(p["summary"]["total"], 111);
  EXPECT_EQ(p["summary"]["failed"], 0) << Failures(p);
  // Only the name that is not UTF-8 cannot travel in JSON metadata.
  EXPECT_EQ(p["summary"]["not_rated"], 1);
  int neutralised = 0;
  for (const json& r : p["results"]) {
    if (r["outcome"] == "not_applicable") {
      EXPECT_EQ(r["sample_id"], "T75-invalid-utf8");
      continue;
    }
    EXPECT_FALSE(r["transport"].value("submission_id", "").empty());
    if (r["transport"].value("state", "") == "accepted") {
      EXPECT_TRUE(r["verdict"].is_object()) << r["sample_id"];
    }
    if (r["expected"] == "clean") {
      EXPECT_EQ(r["transport"]["stored_as_sent"], true) << r["sample_id"];
    }
    if (r["outcome"] == "neutralised") {
      ++neutralised;
      EXPECT_EQ(r["neutralisation"]["marker_present"], false);
    }
  }
  EXPECT_GE(neutralised, 10);
}

TEST(PruefstandEndToEnd,
     CarelessUploadEndpointIsListedWithEverySampleItLetThrough) {
  const json& p = CarelessProtocol();

  EXPECT_OK(pruefstand::ValidateProtocol(p));
  EXPECT_EQ(p["summary"]["failed"], 100);
  int let_through = 0;
  for (const json& r : p["results"]) {
    if (r["expected"] == "not_clean" && r["outcome"] == "accepted_unchanged" &&
        r["passed"] == false) {
      ++let_through;
    }
  }
  EXPECT_EQ(let_through, 100);
}

TEST(PruefstandEndToEnd, CompareFindsWhereTheHubAndTheCarelessPortalDiffer) {
  fs::path a = world->dir.path() / "protocol-hub" / "protocol.json";
  fs::path b = world->dir.path() / "protocol-careless" / "protocol.json";
  ASSERT_OK(pruefstand::WriteProtocol(HubProtocol(), a.parent_path()));
  ASSERT_OK(pruefstand::WriteProtocol(CarelessProtocol(), b.parent_path()));

  CliRun same = Cli("pruefstand compare " + a.string() + " " + a.string());
  CliRun differ =
      Cli("pruefstand compare --json " + a.string() + " " + b.string(),
          /*stdout_only=*/true);

  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_NE(same.out.find("Keine Unterschiede"), std::string::npos) << same.out;
  ASSERT_EQ(differ.exit_code, 1) << differ.out;
  json d = json::parse(differ.out);
  // Every attack the hub stopped (99: one name cannot travel over
  // FIT-Connect) plus that one, which is rated on one side only.
  EXPECT_EQ(d["differences"].size(), 100u);
  EXPECT_EQ(d["identical"], false);
  EXPECT_EQ(d["same_catalogue"], true);
  for (const json& x : d["differences"]) {
    EXPECT_EQ(x["b"]["outcome"], "accepted_unchanged") << x["sample_id"];
  }
}

TEST(PruefstandEndToEnd, CompareRefusesAFileThatIsNotAProtocol) {
  fs::path bad = world->dir.path() / "bad.json";
  ASSERT_OK(WriteFileAtomic(bad, R"({"protocol_version": "1.0.0"})"));

  CliRun r = Cli("pruefstand compare " + bad.string() + " " + bad.string());

  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("schema violation"), std::string::npos) << r.out;
}

TEST(PruefstandEndToEnd, CommandLineRunsAgainstTheHubOverFitConnect) {
  fs::path out = world->dir.path() / "cli-hub";
  std::string args =
      "pruefstand run --target fitconnect --api " + world->zd->base_url() +
      " --client-id " + world->sender.client_id + " --destination " +
      world->destination + " --test-keys --hub-data " +
      (world->dir.path() / "hub").string() + " --hub-tenant " + kTenant +
      " --only control-pdf,T10-js-names,T01-eicar-txt --json --out " +
      out.string();
  setenv("DREHSCHEIBE_PRUEFSTAND_CLIENT_SECRET",
         world->sender.client_secret.c_str(), 1);

  CliRun r = Cli(args);

  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("[3/3]"), std::string::npos) << r.out;
  auto text = ReadFile(out / "protocol.json", 64u << 20);
  ASSERT_OK(text);
  json p = json::parse(*text);
  EXPECT_OK(pruefstand::ValidateProtocol(p));
  EXPECT_EQ(p["summary"]["passed"], 3) << Failures(p);
  EXPECT_TRUE(fs::exists(out / "report.html"));
}

TEST(PruefstandEndToEnd, CommandLineRefusesATargetOutsideLoopback) {
  fs::path out = world->dir.path() / "refused";

  CliRun r =
      Cli("pruefstand run --target upload --url http://192.0.2.1/upload "
          "--out " +
          out.string());

  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--authorised"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace ds
