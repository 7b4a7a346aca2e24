// ExportVorgang against a real SQLite store; every package is checked by
// our validator and independently by xmllint against the bundled XSDs.
#include "xdomea/export.h"

#include <nlohmann/json.hpp>

#include "core/testing/testing.h"
#include "xdomea/test_support.h"

namespace ds::xdomea {
namespace {

using ds::testing::StatusIs;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = records::Store::OpenSqlite(tmp_.path() / "data");
    ASSERT_OK(s);
    store_ = std::move(*s);
  }
  ExportOptions Options(const std::string& version = kDefaultVersion) {
    return {.version = version,
            .specs_dir = ds::testing::SpecsDir(),
            .out_dir = tmp_.path() / "out",
            .sender = {.institution = "Kreis A",
                       .organisationseinheit = "Sozialamt"},
            .receiver = {.institution = "DMS Kreis A"}};
  }
  ds::testing::TempDir tmp_;
  std::unique_ptr<records::Store> store_;
};

TEST_F(ExportTest, WritesASchemaValid0605WithTheOriginals) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Wohngeld Antrag");

  auto zip = ExportVorgang(*store_, "kreis-a", vid, Options());

  ASSERT_OK(zip);
  EXPECT_TRUE(
      zip->filename().string().ends_with("_FVDaten.SGOAblegen.0605.zip"));
  EXPECT_EQ(testing::XmllintPackage(*zip, "3.1.0"), "");
  auto pkg = ReadPackageFile(*zip);
  ASSERT_OK(pkg);
  EXPECT_EQ(pkg->files.size(), 2u);  // form data and the PDF
  EXPECT_NE(pkg->xml.find("<xdomea:FachverfahrenObjektID>" + vid),
            std::string::npos);
  bool pdf = false;
  for (const auto& [name, bytes] : pkg->files) {
    pdf = pdf || (name.ends_with("_Mietvertrag__Kopie_.pdf") &&
                  bytes.starts_with("%PDF"));
  }
  EXPECT_TRUE(pdf);
  Validator v(ds::testing::SpecsDir());
  auto report = v.Validate(pkg->xml);
  ASSERT_OK(report);
  EXPECT_TRUE(report->valid());
  EXPECT_EQ(report->message_type, "FVDaten.SGOAblegen.0605");
}

TEST_F(ExportTest, WritesVersion300OnRequest) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Antrag");

  auto zip = ExportVorgang(*store_, "kreis-a", vid, Options("3.0.0"));

  ASSERT_OK(zip);
  EXPECT_EQ(testing::XmllintPackage(*zip, "3.0.0"), "");
}

TEST_F(ExportTest, PutsTheVorgangIntoItsAkte) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Antrag");
  auto akte = store_->CreateAkte("kreis-a",
                                 {.betreff = "Wohngeld Muster",
                                  .kennzeichen = "50.20-123",
                                  .federfuehrung = "Sozialamt"},
                                 "test");
  ASSERT_OK(akte);
  ASSERT_OK(store_->AssignToAkte("kreis-a", vid, *akte, "test"));

  auto zip = ExportVorgang(*store_, "kreis-a", vid, Options());

  ASSERT_OK(zip);
  EXPECT_EQ(testing::XmllintPackage(*zip, "3.1.0"), "");
  auto pkg = ReadPackageFile(*zip);
  ASSERT_OK(pkg);
  EXPECT_NE(pkg->xml.find("<xdomea:Akteninhalt>"), std::string::npos);
  EXPECT_NE(pkg->xml.find("<xdomea:Kennzeichen>50.20-123"), std::string::npos);
}

TEST_F(ExportTest, WithholdsQuarantinedFilesButKeepsTheirMetadata) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Antrag",
                                      records::Verdict::kQuarantined);

  auto zip = ExportVorgang(*store_, "kreis-a", vid, Options());

  ASSERT_OK(zip);
  EXPECT_EQ(testing::XmllintPackage(*zip, "3.1.0"), "");
  auto pkg = ReadPackageFile(*zip);
  ASSERT_OK(pkg);
  EXPECT_EQ(pkg->files.size(), 1u);  // only the form data
  EXPECT_NE(pkg->xml.find("zurückgehalten"), std::string::npos);
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().action, "export");
  auto details = nlohmann::json::parse(audit->back().details);
  EXPECT_EQ(details["withheld"].size(), 1u);
}

TEST_F(ExportTest, RefusesUnknownVorgangAndTenant) {
  std::string vid = testing::FileCase(*store_, "kreis-a", "Antrag");

  EXPECT_THAT(ExportVorgang(*store_, "kreis-b", vid, Options()),
              StatusIs(Code::kNotFound));
  EXPECT_THAT(ExportVorgang(*store_, "kreis-a", "nope", Options()),
              StatusIs(Code::kNotFound));
  EXPECT_THAT(ExportVorgang(*store_, "kreis-a", vid, Options("4.0.0")),
              StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::xdomea
