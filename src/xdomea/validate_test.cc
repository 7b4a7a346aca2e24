// Validation of the real example messages in the specs directory and of
// hostile or broken XML; xmllint is the independent second opinion.
#include <fstream>

#include "core/files.h"
#include "core/testing/testing.h"
#include "xdomea/test_support.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {
namespace {

namespace fs = std::filesystem;
using ds::testing::StatusIs;

fs::path Examples() { return ds::testing::SpecsDir() / "xdomea" / "examples"; }

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Validate, SpecsDirHoldsBothVersions) {
  auto versions = AvailableVersions(ds::testing::SpecsDir());

  EXPECT_THAT(versions, ::testing::ElementsAre("3.0.0", "3.1.0"));
}

TEST(Validate, EveryBundledExamplePackageAndMessageIsValid) {
  Validator validator(ds::testing::SpecsDir());
  std::vector<fs::path> inputs =
      Files(Examples() / "x-man-testdata-3.0.0", ".zip");
  for (const char* dir : {"lavnrw-v3.0.0", "lath-toolkit-patterns-3.0.0"}) {
    for (const fs::path& p : Files(Examples() / dir, ".xml"))
      inputs.push_back(p);
  }
  ASSERT_EQ(inputs.size(), 8u);

  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    auto pkg = ReadPackageFile(input);
    ASSERT_OK(pkg);
    auto report = validator.ValidatePackage(*pkg);
    ASSERT_OK(report);
    EXPECT_TRUE(report->valid())
        << report->errors.size() << " errors, first: "
        << (report->errors.empty() ? "" : report->errors[0].message);
    EXPECT_EQ(report->version, "3.0.0");
    EXPECT_TRUE(report->message_type.starts_with("Aussonderung."));
    EXPECT_EQ(testing::Xmllint(pkg->xml, "3.0.0"), "");
  }
}

TEST(Validate, Xdomea400ExampleNeedsTheMissingXsd) {
  Validator validator(ds::testing::SpecsDir());
  auto pkg = ReadPackageFile(Examples() / "lavnrw-v4.0.0" /
                             "518c7c31-d1a0-11ef-accb-005056871b7c_0503_1.xml");
  ASSERT_OK(pkg);

  EXPECT_THAT(validator.Validate(pkg->xml),
              StatusIs(Code::kEnvironment, "no XSD for xdomea 4.0.0"));
}

TEST(Validate, PopulatorTemplateIsInvalidWithLineNumbers) {
  Validator validator(ds::testing::SpecsDir());
  auto xml = ReadFile(Examples() / "fvdaten-0605-xdomeapopulator" / "base.xml");
  ASSERT_OK(xml);

  auto report = validator.Validate(*xml);

  ASSERT_OK(report);
  EXPECT_FALSE(report->valid());
  EXPECT_EQ(report->message_type, "FVDaten.SGOAblegen.0605");
  for (const SchemaError& e : report->errors) EXPECT_GT(e.line, 0);
  EXPECT_NE(testing::Xmllint(*xml, report->version), "");
}

TEST(Validate, ReportsSchemaErrorsWithoutTheDocumentsValues) {
  Validator validator(ds::testing::SpecsDir());
  std::string xml =
      testing::Fachverfahren0605("not-a-uuid-Erika-Mustermann", "",
                                 "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf");

  auto report = validator.Validate(xml);

  ASSERT_OK(report);
  ASSERT_FALSE(report->valid());
  EXPECT_EQ(report->errors[0].line, 4);
  EXPECT_EQ(report->errors[0].column, 5);  // <xdomea:ProzessID> after 4 blanks
  EXPECT_THAT(report->errors[0].message, ::testing::HasSubstr("ProzessID"));
  for (const SchemaError& e : report->errors) {
    EXPECT_THAT(e.message, ::testing::Not(::testing::HasSubstr("Mustermann")));
  }
}

TEST(Validate, AcceptsTheFachverfahren0605InBothVersions) {
  Validator validator(ds::testing::SpecsDir());
  for (const char* version : {"3.0.0", "3.1.0"}) {
    std::string xml = testing::Fachverfahren0605(
        "2c4a6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f", "",
        "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf", version);
    auto report = validator.Validate(xml, version);
    ASSERT_OK(report);
    EXPECT_TRUE(report->valid()) << version;
  }
}

TEST(Validate, RefusesDoctypeAndEntities) {
  Validator validator(ds::testing::SpecsDir());
  std::string laughs =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
      "<xdomea:X "
      "xmlns:xdomea=\"urn:xoev-de:xdomea:schema:3.1.0\">&b;</xdomea:X>";
  std::string external =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n"
      "<x/>";

  EXPECT_THAT(validator.Validate(laughs),
              StatusIs(Code::kInvalidInput, "DOCTYPE"));
  EXPECT_THAT(validator.Validate(external),
              StatusIs(Code::kInvalidInput, "DOCTYPE"));
}

TEST(Validate, RefusesBrokenForeignAndMismatchedMessages) {
  Validator validator(ds::testing::SpecsDir());
  std::string v310 =
      testing::Fachverfahren0605("2c4a6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f", "",
                                 "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf");

  EXPECT_THAT(validator.Validate("<a><b></a>"),
              StatusIs(Code::kInvalidInput, "line 1, column"));
  EXPECT_THAT(validator.Validate("<a xmlns=\"urn:other\"/>"),
              StatusIs(Code::kInvalidInput, "not an xdomea message"));
  EXPECT_THAT(validator.Validate(v310, "3.0.0"),
              StatusIs(Code::kInvalidInput, "not the requested 3.0.0"));
}

TEST(Validate, RefusesDeepNesting) {
  Validator validator(ds::testing::SpecsDir());
  std::string xml =
      "<xdomea:X xmlns:xdomea=\"urn:xoev-de:xdomea:schema:3.1.0\">";
  for (int i = 0; i < 5000; ++i) xml += "<a>";
  for (int i = 0; i < 5000; ++i) xml += "</a>";
  xml += "</xdomea:X>";

  EXPECT_THAT(validator.Validate(xml),
              StatusIs(Code::kInvalidInput, "not well-formed"));
}

TEST(Validate, RefusesOversizedMessages) {
  Validator validator(ds::testing::SpecsDir(), {.max_xml_bytes = 100});

  EXPECT_THAT(validator.Validate(std::string(200, ' ')),
              StatusIs(Code::kTooLarge));
}

}  // namespace
}  // namespace ds::xdomea

namespace ds::xdomea {
namespace {

TEST(Validate, PackageMustHoldEveryNamedPrimaryFile) {
  Validator validator(ds::testing::SpecsDir());
  auto pkg = ReadPackageFile(ds::testing::SpecsDir() / "xdomea" / "examples" /
                             "x-man-testdata-3.0.0" /
                             "9a75050f-323a-4e84-94c9-a889aa2b4fe8_"
                             "Aussonderung.Aussonderung.0503.zip");
  ASSERT_OK(pkg);
  pkg->files.erase(pkg->files.begin());

  auto report = validator.ValidatePackage(*pkg);

  ASSERT_OK(report);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_GT(report->errors[0].line, 0);
  EXPECT_THAT(report->errors[0].message,
              ::testing::HasSubstr("not in the package"));
}

}  // namespace
}  // namespace ds::xdomea
