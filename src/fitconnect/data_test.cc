#include "fitconnect/data.h"

#include <fstream>

#include "core/testing/testing.h"
#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::TempDir;

void ExpectProblem(const Status& s, ProblemKind kind) {
  ASSERT_FALSE(s.ok());
  ASSERT_TRUE(s.problem().has_value()) << s.ToString();
  EXPECT_EQ(s.problem()->type, ProblemType(kind)) << s.ToString();
  EXPECT_EQ(s.problem()->instance, "data");
}

JsonSchema FormSchema() {
  return *JsonSchema::Parse(
      R"({"type":"object","required":["antragsteller"],
          "properties":{"antragsteller":{"type":"string"}}})");
}

TEST(Data, JsonFormDataPasses) {
  JsonSchema schema = FormSchema();
  EXPECT_OK(CheckData(R"({"antragsteller":"Erika"})", "application/json",
                      &schema, nullptr));
}

TEST(Data, JsonProblems) {
  JsonSchema schema = FormSchema();
  ExpectProblem(CheckData("{", "application/json", &schema, nullptr),
                ProblemKind::kSyntaxViolation);
  ExpectProblem(CheckData(R"({"antragsteller":1})", "application/json",
                          &schema, nullptr),
                ProblemKind::kSchemaViolation);
  ExpectProblem(CheckData("{}", "application/json", nullptr, nullptr),
                ProblemKind::kUnsupportedSchema);
  ExpectProblem(CheckData("{}", "text/plain", &schema, nullptr),
                ProblemKind::kUnsupportedSchema);
}

TEST(Data, XmlFormDataAndProblems) {
  TempDir dir;
  std::ofstream(dir.path() / "f.xsd") << R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="antrag" type="xs:string"/>
</xs:schema>)";
  XmlSchema schema = *XmlSchema::Load(dir.path() / "f.xsd");

  EXPECT_OK(CheckData("<antrag>x</antrag>", "application/xml", nullptr, &schema));
  ExpectProblem(CheckData("<other/>", "application/xml", nullptr, &schema),
                ProblemKind::kSchemaViolation);
  ExpectProblem(CheckData("<antrag>", "application/xml", nullptr, &schema),
                ProblemKind::kSyntaxViolation);
  ExpectProblem(CheckData("<!DOCTYPE antrag><antrag/>", "application/xml",
                          nullptr, &schema),
                ProblemKind::kSyntaxViolation);
  ExpectProblem(CheckData("<antrag/>", "application/xml", nullptr, nullptr),
                ProblemKind::kUnsupportedSchema);
}

}  // namespace
}  // namespace ds::fitconnect
