// Routing rules and the webhook signature, without I/O.
#include "router/rules.h"

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "router/config.h"
#include "router/transport.h"

namespace ds::router {
namespace {

constexpr const char* kWohngeld = "urn:de:fim:leika:leistung:99108008000000";

CaseFacts Facts(const std::string& service, const char* form) {
  return {.service_identifier = service,
          .destination_id = "dest-1",
          .form = nlohmann::json::parse(form)};
}

TEST(Rules, MatchesTheLeikaKeyAtTheEndOfTheServiceIdentifier) {
  Rule r{.name = "wg", .leika = {"99108008000000"}, .targets = {"fv"}};

  EXPECT_TRUE(Evaluate({r}, Facts(kWohngeld, "{}")).matched);
  EXPECT_TRUE(Evaluate({r}, Facts("99108008000000", "{}")).matched);
  EXPECT_FALSE(Evaluate({r}, Facts("urn:x:199108008000000", "{}")).matched);
}

TEST(Rules, FirstMatchingRuleDecidesAndKeepsTheTargetOrder) {
  Rule a{.name = "a", .destinations = {"other"}, .targets = {"x"}};
  Rule b{.name = "b", .services = {kWohngeld}, .targets = {"y", "z"}};
  Rule c{.name = "c", .targets = {"w"}};

  RouteDecision d = Evaluate({a, b, c}, Facts(kWohngeld, "{}"));

  EXPECT_EQ(d.rule, "b");
  EXPECT_EQ(d.targets, (std::vector<std::string>{"y", "z"}));
}

TEST(Rules, FieldConditionsFollowJsonPointers) {
  Rule r{.name = "f",
         .fields = {{.pointer = "/antrag/kinder/0/alter", .equals = "7"},
                    {.pointer = "/a~1b", .equals = "ja"}},
         .targets = {"fv"}};

  EXPECT_TRUE(
      Evaluate({r}, Facts(kWohngeld,
                          R"({"antrag":{"kinder":[{"alter":7}]},"a/b":"ja"})"))
          .matched);
  EXPECT_FALSE(
      Evaluate({r}, Facts(kWohngeld,
                          R"({"antrag":{"kinder":[{"alter":8}]},"a/b":"ja"})"))
          .matched);
  EXPECT_FALSE(Evaluate({r}, Facts(kWohngeld, R"({"a/b":"ja"})")).matched);
  EXPECT_FALSE(Evaluate({r}, {.service_identifier = kWohngeld}).matched);
}

TEST(Rules, RegionsArePrefixesOfTheRegionField) {
  Rule r{.name = "m",
         .regions = {"09162"},
         .region_field = "/ort/ars",
         .targets = {"fv"}};

  EXPECT_TRUE(
      Evaluate({r}, Facts(kWohngeld, R"({"ort":{"ars":"091620000000"}})"))
          .matched);
  EXPECT_FALSE(
      Evaluate({r}, Facts(kWohngeld, R"({"ort":{"ars":"091630000000"}})"))
          .matched);
}

TEST(Rules, DataSchemaComparesTheSchemaMemberOfTheForm) {
  Rule r{.name = "s", .data_schemas = {"urn:fim:S1"}, .targets = {"fv"}};

  EXPECT_TRUE(
      Evaluate({r}, Facts(kWohngeld, R"({"$schema":"urn:fim:S1"})")).matched);
  EXPECT_FALSE(
      Evaluate({r}, Facts(kWohngeld, R"({"$schema":"urn:fim:S2"})")).matched);
}

TEST(Rules, DataSchemaComparesTheMetadataSchemaFirst) {
  Rule r{.name = "s", .data_schemas = {"urn:fim:S1"}, .targets = {"fv"}};

  // Known from the metadata: no form data needed (XML data, no $schema).
  EXPECT_TRUE(Evaluate({r}, {.service_identifier = kWohngeld,
                             .data_schema = "urn:fim:S1"})
                  .matched);
  // The metadata wins over a $schema member that says otherwise.
  CaseFacts f = Facts(kWohngeld, R"({"$schema":"urn:fim:S1"})");
  f.data_schema = "urn:fim:S2";
  EXPECT_FALSE(Evaluate({r}, f).matched);
  EXPECT_FALSE(Evaluate({r}, {.service_identifier = kWohngeld}).matched);

  EXPECT_FALSE(NeedsForm({r}, /*schema_known=*/true));
  EXPECT_TRUE(NeedsForm({r}, /*schema_known=*/false));
  Rule fields{.name = "f",
              .fields = {{.pointer = "/a", .equals = "b"}},
              .targets = {"fv"}};
  EXPECT_TRUE(NeedsForm({fields}, /*schema_known=*/true));
}

TEST(Rules, JsonRoundTripAndRefusals) {
  Rule r{.name = "x",
         .leika = {"1"},
         .fields = {{.pointer = "/a", .equals = "b"}},
         .targets = {"fv"}};

  auto back = RuleFromJson(RuleToJson(r));

  ASSERT_OK(back);
  EXPECT_EQ(RuleToJson(*back), RuleToJson(r));
  EXPECT_THAT(RuleFromJson({{"name", "x"}, {"targets", {"fv"}}, {"extra", 1}}),
              ds::testing::StatusIs(Code::kInvalidInput, "extra"));
  EXPECT_THAT(
      RuleFromJson({{"name", "x"}, {"targets", nlohmann::json::array()}}),
      ds::testing::StatusIs(Code::kInvalidInput));
  EXPECT_THAT(
      RuleFromJson({{"name", "x"},
                    {"targets", {"fv"}},
                    {"fields", {{{"pointer", "no-slash"}, {"equals", ""}}}}}),
      ds::testing::StatusIs(Code::kInvalidInput, "pointer"));
  // A name that would read as another ("evil" shown as "live").
  for (const char* name : {"\u202elive", "bell\a", "a\u200bb"}) {
    EXPECT_THAT(RuleFromJson({{"name", name}, {"targets", {"fv"}}}),
                ds::testing::StatusIs(Code::kInvalidInput, "plain text"))
        << name;
  }
  EXPECT_OK(RuleFromJson({{"name", "Wohngeld Süd"}, {"targets", {"fv"}}}));
  EXPECT_THAT(RuleFromJson({{"name", "x"}, {"targets", {"fv", "fw", "fv"}}}),
              ds::testing::StatusIs(Code::kInvalidInput, "named twice"));
  // Conditions too: "09\0162" reads as "09162" and never matches it.
  EXPECT_THAT(RuleFromJson({{"name", "x"},
                            {"targets", {"fv"}},
                            {"regions",
                             {std::string("09\0"
                                          "162",
                                          6)}}}),
              ds::testing::StatusIs(Code::kInvalidInput, "invisible"));
  EXPECT_THAT(
      RuleFromJson({{"name", "x"},
                    {"targets", {"fv"}},
                    {"fields", {{{"pointer", "/a"}, {"equals", "j\u200ba"}}}}}),
      ds::testing::StatusIs(Code::kInvalidInput, "field condition"));
}

TEST(Webhook, SignatureIsHmacSha256OverTimestampDotBody) {
  // Computed independently with
  // `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
  EXPECT_EQ(
      WebhookSignature("key", "1700000000", "{}"),
      "v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
}

TEST(Webhook, VerifyRefusesOldTimestampsAndWrongSignatures) {
  std::string sig = WebhookSignature("k", "1000", "body");

  EXPECT_OK(VerifyWebhook("k", "1000", sig, "body", 1000 + 299));
  EXPECT_THAT(VerifyWebhook("k", "1000", sig, "body", 1000 + 301),
              ds::testing::StatusIs(Code::kUnauthenticated, "window"));
  EXPECT_THAT(VerifyWebhook("k", "1000", sig, "body!", 1000),
              ds::testing::StatusIs(Code::kUnauthenticated, "signature"));
  EXPECT_THAT(VerifyWebhook("other", "1000", sig, "body", 1000),
              ds::testing::StatusIs(Code::kUnauthenticated, "signature"));
}

TEST(RoutingConfig, ReadsTargetsAndRulesAndNamesMistakes) {
  ds::testing::TempDir tmp;
  auto secret = tmp.path() / "hook.key";
  std::FILE* f = std::fopen(secret.c_str(), "w");
  std::fputs("0123456789abcdef0123\n", f);
  std::fclose(f);
  std::string toml =
      "[routing]\npublic_base_url = \"https://hub.example\"\n"
      "[[routing.targets]]\nid = \"fv-wg\"\ntenant = \"kreis-a\"\n"
      "url = \"https://fv.example/hook\"\nsecret_file = \"" +
      secret.string() +
      "\"\n"
      "[[routing.targets]]\nid = \"fv-pull\"\ntenant = \"kreis-a\"\nkind = "
      "\"feed\"\n"
      "[[routing.rules]]\nname = \"wg\"\ntenant = \"kreis-a\"\n"
      "leika = [\"99108008000000\"]\ntargets = [\"fv-wg\", \"fv-pull\"]\n"
      "fields = [{pointer = \"/antrag/art\", equals = \"erst\"}]\n";
  auto reader = ConfigReader::FromString(toml);
  ASSERT_OK(reader);

  RoutingConfig c = LoadRoutingConfig(*reader);

  ASSERT_OK(reader->Finish());
  ASSERT_EQ(c.targets.size(), 2u);
  EXPECT_EQ(c.targets[0].secret, "0123456789abcdef0123");
  EXPECT_EQ(c.targets[1].kind, "feed");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].fields[0].pointer, "/antrag/art");
  EXPECT_EQ(c.rules[0].targets, (std::vector<std::string>{"fv-wg", "fv-pull"}));

  auto bad = ConfigReader::FromString(
      "[[routing.targets]]\nid = \"x\"\ntenant = \"t\"\nkind = \"fax\"\n"
      "[[routing.rules]]\nname = \"r\"\ntenant = \"t\"\ntargets = "
      "[\"nope\"]\n"
      "[[routing.rules]]\nname = \"r\"\ntenant = \"t\"\ntargets = "
      "[\"x\"]\n");
  ASSERT_OK(bad);
  LoadRoutingConfig(*bad);
  EXPECT_THAT(bad->Finish(), ds::testing::StatusIs(Code::kEnvironment, "fax"));
  EXPECT_THAT(bad->Finish(),
              ds::testing::StatusIs(Code::kEnvironment, "unknown target nope"));
  EXPECT_THAT(bad->Finish(),
              ds::testing::StatusIs(Code::kEnvironment, "used by two rules"));
}

}  // namespace
}  // namespace ds::router

namespace ds::router {
namespace {

// The code block of `lang` in docs/router.md (the vendors' example).
std::string DocBlock(const std::string& lang) {
  auto doc = ReadFile(ds::testing::SourceDir() / "docs" / "router.md");
  if (!doc.ok()) return "";
  size_t start = doc->find("```" + lang + "\n");
  if (start == std::string::npos) return "";
  start += 4 + lang.size();
  return doc->substr(start, doc->find("```", start) - start);
}

// Runs `program` with `script` on stdin; returns its stdout.
std::string RunScript(const std::string& program, const std::string& script,
                      const ds::testing::TempDir& tmp) {
  auto file = tmp.path() / "script";
  EXPECT_OK(WriteFileAtomic(file, script));
  return ds::testing::RunShell(program + " " + file.string() + " 2>&1").out;
}

// The verification examples that docs/router.md gives vendors accept a
// signature made by the router and refuse a changed body.
TEST(Webhook, TheDocumentedVerifiersAcceptOurSignature) {
  ds::testing::TempDir tmp;
  std::string ts = std::to_string(UnixNow());
  std::string body = R"({"vorgang":{"id":"v-1","subject":"Prüfung"}})";
  std::string sig = WebhookSignature("geheim-0123456789", ts, body);
  std::string py = DocBlock("python");
  std::string js = DocBlock("js");
  ASSERT_FALSE(py.empty());
  ASSERT_FALSE(js.empty());

  std::string py_out =
      RunScript("python3",
                py + "\nh = {'X-Drehscheibe-Timestamp': '" + ts +
                    "', 'X-Drehscheibe-Signature': '" + sig + "'}\n" +
                    "body = " + "'" + body + "'.encode()\n" +
                    "print(verify(b'geheim-0123456789', h, body), "
                    "verify(b'geheim-0123456789', h, body + b' '))\n",
                tmp);
  std::string js_out =
      RunScript("node",
                js + "\nconst h = {'x-drehscheibe-timestamp': '" + ts +
                    "', 'x-drehscheibe-signature': '" + sig + "'};\n" +
                    "const body = Buffer.from('" + body + "');\n" +
                    "console.log(verify('geheim-0123456789', h, body), "
                    "verify('geheim-0123456789', h, Buffer.concat([body, "
                    "Buffer.from(' ')])));\n",
                tmp);

  EXPECT_EQ(py_out, "True False\n");
  EXPECT_EQ(js_out, "true false\n");
}

}  // namespace
}  // namespace ds::router
