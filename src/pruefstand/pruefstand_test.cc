// The Prüfstand's own rules (rating, names, loopback rule, schema, report,
// compare) and its upload target against endpoints started here on
// loopback: a careless one that accepts everything and a picky one.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "core/files.h"
#include "core/log.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "pruefstand/compare.h"
#include "pruefstand/protocol.h"
#include "pruefstand/report.h"
#include "pruefstand/run.h"
#include "pruefstand/target.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

const std::vector<gate::Sample>& Catalogue() {
  static const std::vector<gate::Sample> samples = gate::GenerateSamples();
  return samples;
}

const json* FindRow(const json& protocol, const std::string& id) {
  for (const json& r : protocol["results"]) {
    if (r["sample_id"] == id) return &r;
  }
  return nullptr;
}

// An upload endpoint on loopback; `answer` decides per request.
class Endpoint {
 public:
  using Answer = std::function<net::Response(const std::string& body,
                                             const net::Request& req)>;
  explicit Endpoint(Answer answer) : answer_(std::move(answer)) {
    net::Router router;
    router.Add("POST", "/upload", [this](const net::Request& req) {
      Result<std::string> body = req.ReadBody(128u << 20);
      if (!body.ok())
        return net::Response::Text(400, "unreadable", "text/plain");
      ++requests;
      {
        std::lock_guard<std::mutex> lock(mu);
        bodies_seen.push_back(body->substr(0, 512));
      }
      return answer_(*body, req);
    });
    auto server = net::HttpServer::Start(
        {.listen = "127.0.0.1:0", .threads = 4, .max_body = 128ull << 20},
        std::move(router));
    if (!server.ok()) throw std::runtime_error(server.status().message());
    server_ = std::move(*server);
  }
  ~Endpoint() { server_->Stop(); }
  std::string url() const { return server_->base_url() + "/upload"; }

  std::atomic<int> requests{0};
  std::mutex mu;
  std::vector<std::string> bodies_seen;  // guarded by mu

 private:
  Answer answer_;
  std::unique_ptr<net::HttpServer> server_;
};

Result<json> RunUpload(const UploadTargetOptions& o, RunOptions ro = {}) {
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Target> target, MakeUploadTarget(o));
  ro.parallel = 4;
  return pruefstand::Run(*target, Catalogue(), ro);
}

// The careless endpoint's protocol, made once (the whole catalogue).
struct Careless {
  std::unique_ptr<Endpoint> endpoint;
  json protocol;
};
Careless& CarelessRun() {
  static Careless* c = [] {
    auto* out = new Careless();
    out->endpoint =
        std::make_unique<Endpoint>([](const std::string&, const net::Request&) {
          return net::Response::Text(200, "Vielen Dank für Ihren Upload.",
                                     "text/plain; charset=utf-8");
        });
    auto p = RunUpload({.url = out->endpoint->url()});
    if (!p.ok()) throw std::runtime_error(p.status().message());
    out->protocol = std::move(*p);
    return out;
  }();
  return *c;
}

// ---------------------------------------------------------------------------
// Rules.

TEST(Pruefstand, RatesMaliciousAndBenignOutcomes) {
  EXPECT_EQ(Passes(Outcome::kRejected, true), true);
  EXPECT_EQ(Passes(Outcome::kQuarantined, true), true);
  EXPECT_EQ(Passes(Outcome::kNeutralised, true), true);
  EXPECT_EQ(Passes(Outcome::kAcceptedUnchanged, true), false);
  EXPECT_EQ(Passes(Outcome::kError, true), false);
  EXPECT_EQ(Passes(Outcome::kAcceptedUnchanged, false), true);
  EXPECT_EQ(Passes(Outcome::kRejected, false), false);
  EXPECT_EQ(Passes(Outcome::kNeutralised, false), false);
  EXPECT_EQ(Passes(Outcome::kError, false), false);
  EXPECT_EQ(Passes(Outcome::kNotApplicable, true), std::nullopt);
}

TEST(Pruefstand, OutcomeNamesRoundTrip) {
  for (Outcome o : {Outcome::kRejected, Outcome::kQuarantined,
                    Outcome::kNeutralised, Outcome::kAcceptedUnchanged,
                    Outcome::kError, Outcome::kNotApplicable}) {
    EXPECT_EQ(ParseOutcome(OutcomeName(o)), o);
  }
  EXPECT_EQ(ParseOutcome("maybe"), std::nullopt);
}

TEST(Pruefstand, EscapesHostileNamesVisibly) {
  EXPECT_EQ(EscapeName("antrag.pdf"), "antrag.pdf");
  EXPECT_EQ(EscapeName("antrag\u202Efdp.exe"), "antrag\\xe2\\x80\\xaefdp.exe");
  EXPECT_EQ(EscapeName(std::string("a\0b\r\n", 5)), "a\\x00b\\x0d\\x0a");
  EXPECT_EQ(EscapeName("a\\b"), "a\\x5cb");
}

TEST(Pruefstand, CatalogueVersionIsStable) {
  CatalogueInfo a = DescribeCatalogue(Catalogue());
  CatalogueInfo b = DescribeCatalogue(gate::GenerateSamples());

  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.samples, 111);
  EXPECT_EQ(a.controls, 11);
  std::vector<gate::Sample> changed = Catalogue();
  changed[0].bytes += " ";
  EXPECT_NE(DescribeCatalogue(changed).version, a.version);
}

TEST(Pruefstand, KnowsLoopbackUrls) {
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1:8080/upload"));
  EXPECT_TRUE(IsLoopbackUrl("https://127.1.2.3/"));
  EXPECT_TRUE(IsLoopbackUrl("http://localhost/x"));
  EXPECT_TRUE(IsLoopbackUrl("http://LOCALHOST:1"));
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]:8480/v1"));
  EXPECT_TRUE(IsLoopbackUrl("http://user@127.0.0.1/"));
  EXPECT_FALSE(IsLoopbackUrl("http://192.0.2.1/upload"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.0.0.1.portal.invalid/"));
  EXPECT_FALSE(IsLoopbackUrl("http://localhost.invalid/"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.0.0.1@portal.invalid/"));
  EXPECT_FALSE(IsLoopbackUrl("http://[::2]/"));
  EXPECT_FALSE(IsLoopbackUrl("not a url"));
}

TEST(Pruefstand, RefusesTargetOutsideLoopbackWithoutAuthorisation) {
  auto target = MakeUploadTarget({.url = "http://192.0.2.1/upload"});
  ASSERT_OK(target);

  auto refused = pruefstand::Run(**target, Catalogue(), {});

  EXPECT_THAT(refused.status(),
              testing::StatusIs(Code::kUsage, "--authorised"));
  EXPECT_THAT(CheckTargetAllowed({"http://192.0.2.1/"}, "  "),
              testing::StatusIs(Code::kUsage));
  EXPECT_OK(CheckTargetAllowed({"http://192.0.2.1/"},
                               "Landratsamt Beispiel, IT-Sicherheit"));
  EXPECT_OK(CheckTargetAllowed({"http://127.0.0.1:1/"}, ""));
}

TEST(Pruefstand, RefusesASelectionWithoutSamples) {
  auto target = MakeUploadTarget({.url = "http://127.0.0.1:9/upload"});
  ASSERT_OK(target);
  RunOptions o;
  o.only = {"T99"};

  EXPECT_THAT(pruefstand::Run(**target, Catalogue(), o).status(),
              testing::StatusIs(Code::kUsage));
}

// ---------------------------------------------------------------------------
// The careless endpoint.

TEST(PruefstandUpload, CarelessEndpointLetsEveryAttackThrough) {
  Careless& c = CarelessRun();
  const json& p = c.protocol;

  EXPECT_EQ(c.endpoint->requests.load(), 111);
  EXPECT_EQ(p["summary"]["total"], 111);
  EXPECT_EQ(p["summary"]["failed"], 100);
  EXPECT_EQ(p["summary"]["passed"], 11);
  for (const json& r : p["results"]) {
    EXPECT_EQ(r["outcome"], "accepted_unchanged") << r["sample_id"];
    bool control = r["expected"] == "clean";
    EXPECT_EQ(r["passed"], control) << r["sample_id"];
  }
  EXPECT_TRUE(p["loopback_only"]);
  EXPECT_TRUE(p["authorisation"]["by"].is_null());
}

TEST(PruefstandUpload, SendsTheHostileNameAsABrowserWould) {
  Careless& c = CarelessRun();
  std::lock_guard<std::mutex> lock(c.endpoint->mu);
  bool bidi = false, crlf = false;
  for (const std::string& b : c.endpoint->bodies_seen) {
    bidi |= b.find("filename=\"rechnung\u202Efdp.exe\"") != std::string::npos;
    crlf |=
        b.find("filename=\"antrag.pdf%0D%0AX-Zdt: 1\"") != std::string::npos;
  }
  EXPECT_TRUE(bidi);
  EXPECT_TRUE(crlf);
}

TEST(PruefstandUpload, ProtocolValidatesAgainstItsSchema) {
  const json& p = CarelessRun().protocol;

  EXPECT_OK(ValidateProtocol(p));
  EXPECT_EQ(p["protocol_version"], std::string(kProtocolVersion));
  EXPECT_EQ(p["catalogue"]["version"], DescribeCatalogue(Catalogue()).version);
}

TEST(PruefstandUpload, SchemaRejectsBrokenProtocols) {
  json bad_outcome = CarelessRun().protocol;
  bad_outcome["results"][0]["outcome"] = "maybe";
  json unauthorised = CarelessRun().protocol;
  unauthorised["authorisation"] = {{"required", true}, {"by", nullptr}};
  json unrated = CarelessRun().protocol;
  unrated["results"][3]["passed"] = nullptr;
  json future = CarelessRun().protocol;
  future["protocol_version"] = "2.0.0";

  EXPECT_THAT(ValidateProtocol(bad_outcome),
              testing::StatusIs(Code::kCheckFailed, "/results/0"));
  EXPECT_THAT(ValidateProtocol(unauthorised),
              testing::StatusIs(Code::kCheckFailed, "/authorisation"));
  EXPECT_THAT(ValidateProtocol(unrated),
              testing::StatusIs(Code::kCheckFailed, "/results/3"));
  EXPECT_THAT(ValidateProtocol(future), testing::StatusIs(Code::kInvalidInput));
}

TEST(PruefstandUpload, WritesJsonAndASelfContainedGermanReport) {
  testing::TempDir dir;
  const json& p = CarelessRun().protocol;

  ASSERT_OK(WriteProtocol(p, dir.path() / "out"));

  auto text = ReadFile(dir.path() / "out" / "protocol.json", 64u << 20);
  ASSERT_OK(text);
  EXPECT_EQ(json::parse(*text), p);
  auto html = ReadFile(dir.path() / "out" / "report.html", 64u << 20);
  ASSERT_OK(html);
  EXPECT_NE(html->find("<html lang=\"de\">"), std::string::npos);
  EXPECT_NE(html->find("<th scope=\"col\">"), std::string::npos);
  EXPECT_NE(html->find("NICHT bestanden"), std::string::npos);
  EXPECT_NE(html->find("Zusammenfassung nach Bedrohungsklasse"),
            std::string::npos);
  EXPECT_NE(html->find("rechnung\\xe2\\x80\\xaefdp.exe"), std::string::npos);
  EXPECT_EQ(html->find("\u202E"), std::string::npos);
  EXPECT_EQ(html->find("<script"), std::string::npos);
  EXPECT_EQ(html->find("src="), std::string::npos);
  EXPECT_EQ(html->find("href="), std::string::npos);
  EXPECT_EQ(html->find("style=\""), std::string::npos);
}

// ---------------------------------------------------------------------------
// A picky endpoint: every outcome the upload target can observe.

net::Response Picky(const std::string& body, const net::Request& req) {
  if (req.header("Authorization") != "Bearer pruefstand-test") {
    return net::Response::Text(401, "login required", "text/plain");
  }
  if (body.find("Content-Type: text/csv") != std::string::npos) {
    return net::Response::Text(500, "Interner Fehler", "text/plain");
  }
  if (body.find("ZDT-") != std::string::npos) {
    return net::Response::Text(422, "Datei abgelehnt: aktiver Inhalt",
                               "text/plain; charset=utf-8");
  }
  if (body.find("Content-Type: application/pdf") != std::string::npos) {
    return net::Response::Json(200, {{"status", "quarantaene"}});
  }
  return net::Response::Json(200, {{"status", "ok"}});
}

TEST(PruefstandUpload, ObservesRejectionQuarantineAndServerErrors) {
  Endpoint picky(Picky);
  UploadTargetOptions o{.url = picky.url()};
  o.headers["Authorization"] = "Bearer pruefstand-test";
  o.success_status = {200};
  o.success_regex = "\"status\"";
  o.quarantine_regex = "quarantaene";
  o.form = {{"antragsart", "wohngeld"}};
  RunOptions ro;
  ro.only = {"control-png", "control-pdf", "control-csv", "T63-svg-script",
             "T19-encrypted-user"};

  auto p = RunUpload(o, ro);

  ASSERT_OK(p);
  EXPECT_OK(ValidateProtocol(*p));
  EXPECT_EQ((*p)["summary"]["total"], 5);
  EXPECT_EQ((*FindRow(*p, "control-png"))["outcome"], "accepted_unchanged");
  EXPECT_EQ((*FindRow(*p, "control-png"))["passed"], true);
  EXPECT_EQ((*FindRow(*p, "control-pdf"))["outcome"], "quarantined");
  EXPECT_EQ((*FindRow(*p, "control-pdf"))["passed"], false);
  EXPECT_EQ((*FindRow(*p, "control-csv"))["outcome"], "error");
  EXPECT_EQ((*FindRow(*p, "T63-svg-script"))["outcome"], "rejected");
  EXPECT_NE((*FindRow(*p, "T63-svg-script"))["reason"].get<std::string>().find(
                "HTTP 422: Datei abgelehnt"),
            std::string::npos);
  EXPECT_EQ((*FindRow(*p, "T19-encrypted-user"))["outcome"], "quarantined");
  EXPECT_EQ((*FindRow(*p, "T19-encrypted-user"))["passed"], true);
  EXPECT_FALSE((*p)["target"].dump().find("pruefstand-test") !=
               std::string::npos)
      << "the token must not be recorded";
}

TEST(PruefstandUpload, WithoutTheTokenEverySampleIsRefused) {
  Endpoint picky(Picky);
  RunOptions ro;
  ro.only = {"control-png"};

  auto p = RunUpload({.url = picky.url()}, ro);

  ASSERT_OK(p);
  EXPECT_EQ((*FindRow(*p, "control-png"))["outcome"], "rejected");
  EXPECT_EQ((*FindRow(*p, "control-png"))["passed"], false);
}

TEST(PruefstandUpload, UnreachableEndpointIsAnError) {
  RunOptions ro;
  ro.only = {"T10"};
  ro.authorised_by = "test";  // loopback anyway

  auto p =
      RunUpload({.url = "http://127.0.0.1:9/upload", .timeout_seconds = 5}, ro);

  ASSERT_OK(p);
  for (const json& r : (*p)["results"]) {
    EXPECT_EQ(r["outcome"], "error");
    EXPECT_EQ(r["passed"], false);
  }
  EXPECT_EQ((*p)["authorisation"]["by"], "test");
}

// ---------------------------------------------------------------------------
// Compare.

TEST(PruefstandCompare, SameProtocolIsIdentical) {
  const json& p = CarelessRun().protocol;

  json d = Compare(p, p);

  EXPECT_TRUE(d["identical"]);
  EXPECT_EQ(d["compared"], 111);
  EXPECT_TRUE(d["differences"].empty());
}

TEST(PruefstandCompare, FindsDifferingOutcomesAndMissingSamples) {
  json a = CarelessRun().protocol;
  json b = a;
  b["results"][5]["outcome"] = "rejected";
  b["results"][5]["passed"] = !b["results"][5]["passed"].get<bool>();
  std::string gone = b["results"][7]["sample_id"];
  b["results"].erase(7);

  json d = Compare(a, b);

  EXPECT_FALSE(d["identical"]);
  ASSERT_EQ(d["differences"].size(), 1u);
  EXPECT_EQ(d["differences"][0]["sample_id"], a["results"][5]["sample_id"]);
  EXPECT_EQ(d["differences"][0]["b"]["outcome"], "rejected");
  EXPECT_EQ(d["only_in_a"], json::array({gone}));
  EXPECT_NE(CompareText(d).find("1 unterschiedlich"), std::string::npos);
}

}  // namespace
}  // namespace ds::pruefstand
