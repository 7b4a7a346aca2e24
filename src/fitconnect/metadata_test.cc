#include "fitconnect/metadata.h"

#include <fstream>
#include <sstream>

#include "core/testing/testing.h"
#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::SpecsDir;
using ::ds::testing::StatusIs;
using nlohmann::json;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Thavel() {
  return ReadFile(SpecsDir() / "fit-connect" / "test-vectors" / "derived" /
                  "thavel-test-metadata.decrypted.json");
}

const MetadataSchemas& Schemas() {
  static const MetadataSchemas* schemas = [] {
    auto loaded = MetadataSchemas::Load(SpecsDir());
    EXPECT_OK(loaded);
    return new MetadataSchemas(std::move(loaded).value());
  }();
  return *schemas;
}

void ExpectProblem(const Status& s, ProblemKind kind) {
  ASSERT_FALSE(s.ok());
  ASSERT_TRUE(s.problem().has_value()) << s.ToString();
  EXPECT_EQ(s.problem()->type, ProblemType(kind)) << s.ToString();
  EXPECT_EQ(s.problem()->instance, "metadata");
}

TEST(Metadata, RealGovOsMetadataValidatesAs100) {
  Result<Metadata> m = ParseMetadata(Thavel(), Schemas());

  ASSERT_OK(m);
  EXPECT_EQ(m->version, "1.0.0");
  ASSERT_TRUE(m->data.has_value());
  EXPECT_EQ(m->data->submission_schema.schema_uri, "urn:de:govos:data");
  EXPECT_EQ(m->data->submission_schema.mime_type, "application/json");
  EXPECT_EQ(m->data->hash.content.substr(0, 8), "dbd374a0");
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(m->attachments[0].attachment_id,
            "654bf3b3-787d-4606-8913-efd769f69db7");
  EXPECT_EQ(m->attachments[0].purpose, "form");
  EXPECT_EQ(m->attachments[0].mime_type, "application/pdf");
  EXPECT_FALSE(m->attachments[0].filename.has_value());
  ASSERT_TRUE(m->public_service.has_value());
  EXPECT_EQ(m->public_service->identifier, "urn:de:govos:parent:a3builder-7676-qs");
  EXPECT_EQ(m->reply_channel, "");
}

TEST(Metadata, RealGovOsMetadataFailsAgainst210) {
  json doc = json::parse(Thavel());

  EXPECT_THAT(Schemas().Find("2.1.0")->Validate(doc),
              StatusIs(Code::kCheckFailed, "schema violation"));

  doc["$schema"] = MetadataSchemaUri("2.1.0");
  Result<Metadata> m = ParseMetadata(doc.dump(), Schemas());
  ExpectProblem(m.status(), ProblemKind::kSchemaViolation);
  EXPECT_THAT(m, StatusIs(Code::kCheckFailed, "/additionalReferenceInfo"));
}

TEST(Metadata, VersionDetection) {
  EXPECT_EQ(*MetadataVersionOf(json::object()), "1.0.0");
  EXPECT_EQ(*MetadataVersionOf({{"$schema", MetadataSchemaUri("2.1.0")}}),
            "2.1.0");
  ExpectProblem(MetadataVersionOf({{"$schema", "https://example.org/m.json"}})
                    .status(),
                ProblemKind::kUnsupportedSchema);
  ExpectProblem(MetadataVersionOf({{"$schema", 7}}).status(),
                ProblemKind::kUnsupportedSchema);
}

TEST(Metadata, RejectsSyntaxErrors) {
  ExpectProblem(ParseMetadata("{\"contentStructure\":", Schemas()).status(),
                ProblemKind::kSyntaxViolation);
}

TEST(Metadata, RejectsVersionsNotLoadedOrNotAccepted) {
  json doc = json::parse(Thavel());
  doc["$schema"] = MetadataSchemaUri("1.1.0");
  ExpectProblem(ParseMetadata(doc.dump(), Schemas()).status(),
                ProblemKind::kUnsupportedSchema);

  ExpectProblem(ParseMetadata(Thavel(), Schemas(),
                              {.accepted_versions = {"2.1.0"}})
                    .status(),
                ProblemKind::kUnsupportedSchema);
}

TEST(Metadata, RejectsUpperCaseHashNamingPointerOnly) {
  json doc = json::parse(Thavel());
  std::string hash = doc["contentStructure"]["data"]["hash"]["content"];
  for (char& c : hash) c = static_cast<char>(std::toupper(c));
  doc["contentStructure"]["data"]["hash"]["content"] = hash;

  Result<Metadata> m = ParseMetadata(doc.dump(), Schemas());

  ExpectProblem(m.status(), ProblemKind::kSchemaViolation);
  EXPECT_THAT(m, StatusIs(Code::kCheckFailed,
                          "/contentStructure/data/hash/content"));
  EXPECT_EQ(m.status().message().find(hash), std::string::npos);
}

MetadataDraft SenderDraft(const std::string& version) {
  MetadataDraft d;
  d.version = version;
  d.data = DataDescription{HashOf("{\"a\":1}"),
                           {"https://schema.example/form.json",
                            "application/json"}};
  d.attachments.push_back({"3a6fb5c4-3d5b-4a2f-9a7e-2d4d2c9f0b11",
                           HashOf("%PDF-1.7"), "attachment",
                           "application/pdf", "nachweis.pdf", std::nullopt,
                           {}});
  return d;
}

TEST(Metadata, BuildsValid210ThatParsesBack) {
  MetadataDraft d = SenderDraft("2.1.0");
  d.reply_channel = {{"eMail", {{"address", "antrag@example.org"}}}};
  d.author = {{"name", "Portal"},
              {"product",
               {{"name", "drehscheibe"}, {"version", "0.1"},
                {"manufacturer", "x"}}}};

  Result<json> doc = BuildMetadata(d, &Schemas());
  ASSERT_OK(doc);
  Result<Metadata> m = ParseMetadata(doc->dump(), Schemas());

  ASSERT_OK(m);
  EXPECT_EQ(m->version, "2.1.0");
  EXPECT_EQ(m->reply_channel, "eMail");
  EXPECT_EQ(m->attachments[0].filename, "nachweis.pdf");
  EXPECT_EQ(m->data->hash.content, HashOf("{\"a\":1}").content);
}

TEST(Metadata, BuildsValid100WithPublicService) {
  MetadataDraft d = SenderDraft("1.0.0");
  d.public_service = PublicServiceType{"urn:de:fim:leika:leistung:99134005017000",
                                       "Test"};

  Result<json> doc = BuildMetadata(d, &Schemas());
  ASSERT_OK(doc);
  Result<Metadata> m = ParseMetadata(doc->dump(), Schemas());

  ASSERT_OK(m);
  EXPECT_EQ(m->version, "1.0.0");
  EXPECT_EQ(m->public_service->identifier,
            "urn:de:fim:leika:leistung:99134005017000");
}

TEST(Metadata, BuildRefusesWhatTheVersionCannotExpress) {
  MetadataDraft no_data = SenderDraft("2.1.0");
  no_data.data.reset();
  EXPECT_THAT(BuildMetadata(no_data, &Schemas()),
              StatusIs(Code::kInvalidInput, "requires data"));

  MetadataDraft service = SenderDraft("2.1.0");
  service.public_service = PublicServiceType{"urn:de:x:y", ""};
  EXPECT_THAT(BuildMetadata(service, &Schemas()),
              StatusIs(Code::kInvalidInput, "publicServiceType"));

  MetadataDraft bad = SenderDraft("1.0.0");
  bad.attachments[0].purpose = "selfie";
  EXPECT_THAT(BuildMetadata(bad, &Schemas()),
              StatusIs(Code::kInvalidInput, "/contentStructure/attachments/0"));
}

}  // namespace
}  // namespace ds::fitconnect
