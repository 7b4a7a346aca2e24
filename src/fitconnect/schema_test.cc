#include "fitconnect/schema.h"

#include <fstream>

#include "core/testing/testing.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::SpecsDir;
using ::ds::testing::StatusIs;
using ::ds::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

std::filesystem::path MetadataSchemaFile(const std::string& version) {
  return SpecsDir() / "fit-connect" / "schemas" /
         ("metadata-" + version + ".schema.json");
}

TEST(SchemaCompat, AcceptsBothFitConnectMetadataSchemas) {
  EXPECT_OK(JsonSchema::Load(MetadataSchemaFile("1.0.0")));
  EXPECT_OK(JsonSchema::Load(MetadataSchemaFile("2.1.0")));
}

TEST(SchemaCompat, RefusesPrefixItemsNamingKeywordAndPointer) {
  json schema = json::parse(R"({"properties":{"a":{"prefixItems":[{}]}}})");

  EXPECT_THAT(CheckSchemaCompat(schema),
              StatusIs(Code::kInvalidInput,
                       "'prefixItems' at /properties/a/prefixItems"));
}

TEST(SchemaCompat, RefusesOtherKeywordsValijsonWouldIgnore) {
  for (const char* text : {
           R"({"unevaluatedProperties":false})",
           R"({"$defs":{"x":{"dependentRequired":{"a":["b"]}}}})",
           R"({"items":{"$dynamicRef":"#meta"}})",
           R"({"contains":{"type":"string"},"minContains":2})",
           R"({"contains":{},"maxContains":1})",
           R"({"minContains":1})",
           R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
               "items":[{"type":"string"}]})",
           R"({"$schema":"http://json-schema.org/draft-04/schema#"})",
           R"({"exclusiveMaximum":true,"maximum":3})",
           R"({"properties":{"a":{"$id":"https://x.example/a"}}})",
       }) {
    EXPECT_THAT(CheckSchemaCompat(json::parse(text)),
                StatusIs(Code::kInvalidInput, "schema uses"))
        << text;
  }
}

TEST(SchemaCompat, RefusesRefSiblingsAndRemoteRefs) {
  EXPECT_THAT(CheckSchemaCompat(json::parse(
                  R"({"properties":{"a":{"$ref":"#/$defs/x","type":"string"}},
                      "$defs":{"x":{}}})")),
              StatusIs(Code::kInvalidInput, "'type' beside '$ref'"));
  EXPECT_THAT(CheckSchemaCompat(json::parse(
                  R"({"$ref":"https://example.org/other.json"})")),
              StatusIs(Code::kInvalidInput, "non-local '$ref'"));
}

TEST(SchemaCompat, PropertyNamesAndEnumValuesAreNotKeywords) {
  json schema = json::parse(R"({
      "properties":{"prefixItems":{"enum":[{"unevaluatedProperties":1}]}},
      "examples":[{"$dynamicRef":1}],
      "contains":{"type":"string"},"minContains":1,
      "deprecated":true,"format":"uuid","$comment":"x"})");

  EXPECT_OK(CheckSchemaCompat(schema));
}

TEST(JsonSchema, ValidInstancePasses) {
  auto schema = JsonSchema::Parse(
      R"({"type":"object","required":["name"],
          "properties":{"name":{"type":"string","maxLength":5}}})");
  ASSERT_OK(schema);

  EXPECT_OK(schema->Validate(json{{"name", "Anna"}}));
}

TEST(JsonSchema, ErrorsNamePointerButNeverTheValue) {
  auto schema = JsonSchema::Parse(
      R"({"type":"object","additionalProperties":false,
          "properties":{"people":{"type":"array","items":{
            "type":"object","properties":{
              "name":{"type":"string","pattern":"^[A-Z]+$"}}}}}})");
  ASSERT_OK(schema);
  json instance = {{"people", {{{"name", "Erika Mustermann"}}}},
                   {"Geheimnis-Feld", 1}};

  Status s = schema->Validate(instance, 10);

  EXPECT_THAT(s, StatusIs(Code::kCheckFailed, "at /people/0/name"));
  EXPECT_THAT(s.message(), Not(HasSubstr("Mustermann")));
  EXPECT_THAT(s.message(), Not(HasSubstr("Geheimnis")));
}

TEST(JsonSchema, MissingRequiredMemberIsReported) {
  auto schema = JsonSchema::Load(MetadataSchemaFile("1.0.0"));
  ASSERT_OK(schema);

  EXPECT_THAT(schema->Validate(json::object()),
              StatusIs(Code::kCheckFailed, "schema violation at /"));
  EXPECT_EQ(schema->id(),
            "https://schema.fitko.de/fit-connect/metadata/1.0.0/"
            "metadata.schema.json");
}

TEST(JsonSchema, RefusesSchemaThatIsNotJson) {
  EXPECT_THAT(JsonSchema::Parse("{"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(JsonSchema::Load("/nonexistent/x.json"),
              StatusIs(Code::kEnvironment));
}

class XmlSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "form.xsd") << R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="antrag">
    <xs:complexType><xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="alter" type="xs:positiveInteger"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>)";
    auto schema = XmlSchema::Load(dir_.path() / "form.xsd");
    ASSERT_OK(schema);
    schema_ = std::make_unique<XmlSchema>(*schema);
  }

  TempDir dir_;
  std::unique_ptr<XmlSchema> schema_;
};

TEST_F(XmlSchemaTest, ValidDocumentPasses) {
  EXPECT_OK(schema_->Validate(
      "<antrag><name>Erika</name><alter>42</alter></antrag>"));
}

TEST_F(XmlSchemaTest, InvalidDocumentNamesPathNotValue) {
  Status s = schema_->Validate(
      "<antrag><name>Erika</name><alter>minus-zwoelf</alter></antrag>");

  EXPECT_THAT(s, StatusIs(Code::kCheckFailed, "at /antrag/alter"));
  EXPECT_THAT(s.message(), Not(HasSubstr("zwoelf")));
}

TEST_F(XmlSchemaTest, RefusesDoctypeWithEntityExpansion) {
  std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE antrag [
  <!ENTITY a "aaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<antrag><name>&c;</name><alter>1</alter></antrag>)";

  EXPECT_THAT(schema_->Validate(laughs),
              StatusIs(Code::kInvalidInput, "DOCTYPE is not allowed"));
}

TEST_F(XmlSchemaTest, RefusesExternalEntityDoctype) {
  std::string xxe = R"(<?xml version="1.0"?>
<!DOCTYPE antrag SYSTEM "file:///etc/passwd">
<antrag><name>x</name><alter>1</alter></antrag>)";

  EXPECT_THAT(schema_->Validate(xxe),
              StatusIs(Code::kInvalidInput, "DOCTYPE is not allowed"));
}

TEST_F(XmlSchemaTest, RefusesMalformedAndOversizedXml) {
  EXPECT_THAT(schema_->Validate("<antrag><name>"),
              StatusIs(Code::kInvalidInput, "not well-formed"));
  EXPECT_THAT(schema_->Validate("<antrag/>", XmlLimits{.max_bytes = 4}),
              StatusIs(Code::kTooLarge));
  EXPECT_OK(CheckXmlWellFormed("<a><b/></a>"));
  EXPECT_THAT(CheckXmlWellFormed("<a>"), StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::fitconnect
