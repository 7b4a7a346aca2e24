// The way back: a Fachverfahren's 0605 with a Bescheid is filed into the
// case and answered with a schema-valid 0630 (checked by xmllint too).
#include "xdomea/receive.h"

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "xdomea/dms_answer.h"
#include "xdomea/test_support.h"

namespace ds::xdomea {
namespace {

using ds::testing::StatusIs;

constexpr const char* kProcess = "2c4a6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f";

ReceiveOptions Options() {
  gate::Policy policy;
  policy.require_virus_scan = false;  // no clamd in unit tests
  return {.specs_dir = ds::testing::SpecsDir(),
          .inspect = GateInspector(policy),
          .self = {.institution = "Kreis A", .organisationseinheit = "E-Akte"}};
}

class ReceiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = records::Store::OpenSqlite(tmp_.path() / "data");
    ASSERT_OK(s);
    store_ = std::move(*s);
    vorgang_ = testing::FileCase(*store_, "kreis-a", "Wohngeld Antrag");
  }
  // The 0630 inside the answer: valid for xmllint, with the given code.
  std::string Answer(const ReceiveResult& r, const std::string& code) {
    auto pkg = ReadPackage(r.answer_zip);
    EXPECT_OK(pkg);
    if (!pkg.ok()) return "";
    EXPECT_EQ(pkg->message_name,
              r.answer_name.substr(0, r.answer_name.size() - 4) + ".xml");
    std::string version =
        pkg->xml.find("schema:3.0.0") != std::string::npos ? "3.0.0" : "3.1.0";
    EXPECT_EQ(testing::Xmllint(pkg->xml, version), "");
    EXPECT_NE(pkg->xml.find("<code>" + code + "</code>"), std::string::npos)
        << pkg->xml;
    return pkg->xml;
  }
  size_t Documents() {
    auto v = store_->GetVorgang("kreis-a", vorgang_);
    EXPECT_OK(v);
    return v.ok() ? v->dokumente.size() : 0;
  }
  ds::testing::TempDir tmp_;
  std::unique_ptr<records::Store> store_;
  std::string vorgang_;
};

TEST_F(ReceiveTest, FilesTheBescheidAndAnswersWithAPositive0630) {
  std::string zip = testing::Fachverfahren0605Package(
      kProcess, vorgang_, testing::MinimalPdf("bescheid"));

  auto r = Receive0605(*store_, "kreis-a", zip, Options());

  ASSERT_OK(r);
  EXPECT_TRUE(r->accepted) << r->reason;
  EXPECT_EQ(r->answer_name,
            std::string(kProcess) + "_FVDaten.ImportBestaetigen.0630.zip");
  std::string xml = Answer(*r, "0000000");
  ASSERT_EQ(r->dokument_ids.size(), 1u);
  EXPECT_NE(xml.find("<xdomea:IDSGO>" + r->dokument_ids[0]), std::string::npos);
  EXPECT_NE(xml.find("<xdomea:Ablageort>" + vorgang_), std::string::npos);
  auto v = store_->GetVorgang("kreis-a", vorgang_);
  ASSERT_OK(v);
  ASSERT_EQ(v->dokumente.size(), 3u);
  const records::Dokument& d = v->dokumente.back();
  EXPECT_EQ(d.id, r->dokument_ids[0]);
  EXPECT_EQ(d.purpose, "Bescheid");
  EXPECT_EQ(d.verdict, records::Verdict::kClean);
  EXPECT_EQ(d.formats.at(0).filename, "Bescheid.pdf");
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  EXPECT_EQ(audit->back().action, "receive");
}

TEST_F(ReceiveTest, ReceivingTheSamePackageAgainFilesNothingTwice) {
  std::string zip = testing::Fachverfahren0605Package(
      kProcess, vorgang_, testing::MinimalPdf("bescheid"));
  auto first = Receive0605(*store_, "kreis-a", zip, Options());
  ASSERT_OK(first);

  auto second = Receive0605(*store_, "kreis-a", zip, Options());

  ASSERT_OK(second);
  EXPECT_TRUE(second->accepted);
  EXPECT_EQ(second->dokument_ids, first->dokument_ids);
  EXPECT_EQ(Documents(), 3u);
}

TEST_F(ReceiveTest, FilesIntoAnAkteAsANewVorgang) {
  auto akte = store_->CreateAkte("kreis-a", {.betreff = "Wohngeld"}, "test");
  ASSERT_OK(akte);
  std::string zip = testing::Fachverfahren0605Package(
      kProcess, *akte, testing::MinimalPdf("bescheid"));

  auto r = Receive0605(*store_, "kreis-a", zip, Options());

  ASSERT_OK(r);
  EXPECT_TRUE(r->accepted) << r->reason;
  Answer(*r, "0000000");
  auto page = store_->ListInbox({.tenant = "kreis-a", .akte_id = *akte});
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].subject, "Wohngeldbescheid");
}

// The sending side reads these answers back (Read0630): codes and ids, and
// nothing that is not a 0630.
TEST_F(ReceiveTest, TheAnswersReadBackAsTheSenderSeesThem) {
  std::string zip = testing::Fachverfahren0605Package(
      kProcess, vorgang_, testing::MinimalPdf("bescheid"));
  auto positive = Receive0605(*store_, "kreis-a", zip, Options());
  ASSERT_OK(positive);
  Validator validator(ds::testing::SpecsDir());
  auto read = Read0630(validator, positive->answer_zip);
  ASSERT_OK(read);
  EXPECT_TRUE(read->accepted);
  EXPECT_EQ(read->process_id, kProcess);
  EXPECT_EQ(read->codes, std::vector<std::string>{"0000000"});
  ASSERT_EQ(read->filed.size(), 1u);
  EXPECT_EQ(read->filed[0].id, positive->dokument_ids[0]);
  EXPECT_TRUE(read->filed[0].ok);

  auto negative = Receive0605(*store_, "kreis-a",
                              testing::Fachverfahren0605Package(
                                  kProcess, NewUuid(), testing::MinimalPdf()),
                              Options());
  ASSERT_OK(negative);
  read = Read0630(validator, negative->answer_zip);
  ASSERT_OK(read);
  EXPECT_FALSE(read->accepted);
  // The code, and the reason as free text (counted, not copied).
  EXPECT_EQ(read->codes, (std::vector<std::string>{"0605001", "text"}));
  EXPECT_TRUE(read->filed.empty());

  // The 0605 itself, a broken zip, and a 0630 with a DOCTYPE are refused.
  EXPECT_THAT(Read0630(validator, zip), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(Read0630(validator, "not a zip"), StatusIs(Code::kInvalidInput));
  auto pkg = ReadPackage(positive->answer_zip);
  ASSERT_OK(pkg);
  std::string doctype = pkg->xml;
  doctype.insert(doctype.find("<xdomea:FVDaten"),
                 "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n");
  EXPECT_THAT(
      Read0630(validator, testing::RawZip({{pkg->message_name, doctype}})),
      StatusIs(Code::kInvalidInput));
}

TEST_F(ReceiveTest, AnswersUnknownOrForeignContainerWith0605001) {
  std::string unknown = testing::Fachverfahren0605Package(
      kProcess, NewUuid(), testing::MinimalPdf());
  std::string foreign = testing::Fachverfahren0605Package(
      kProcess, testing::FileCase(*store_, "kreis-b", "B"),
      testing::MinimalPdf());
  std::string none =
      testing::Fachverfahren0605Package(kProcess, "", testing::MinimalPdf());

  for (const std::string* zip : {&unknown, &foreign, &none}) {
    auto r = Receive0605(*store_, "kreis-a", *zip, Options());
    ASSERT_OK(r);
    EXPECT_FALSE(r->accepted);
    Answer(*r, "0605001");
  }
  EXPECT_EQ(Documents(), 2u);
}

TEST_F(ReceiveTest, AnswersMalformedPackagesWith0000008AndFilesNothing) {
  std::string pdf_name = "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01_Bescheid.pdf";
  std::string message = std::string(kProcess) + "_FVDaten.SGOAblegen.0605.xml";
  std::string good = testing::Fachverfahren0605(kProcess, vorgang_, pdf_name);
  std::string doctype = good;
  doctype.insert(doctype.find("<xdomea:FVDaten"),
                 "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n");
  std::string schema_error = good;
  schema_error.replace(schema_error.find("<xdomea:Stapel>0"), 17,
                       "<xdomea:Stapel>vielleicht");
  auto aussonderung = ReadPackageFile(
      ds::testing::SpecsDir() / "xdomea" / "examples" / "x-man-testdata-3.0.0" /
      "9a75050f-323a-4e84-94c9-a889aa2b4fe8_Aussonderung."
      "BewertungEmpfangBestaetigen.0505.zip");
  ASSERT_OK(aussonderung);
  std::vector<std::string> zips = {
      "not a zip",
      testing::RawZip({{message, good}, {"../" + pdf_name, "%PDF"}}),
      testing::RawZip({{message, doctype}, {pdf_name, "%PDF"}}),
      testing::RawZip({{message, schema_error}, {pdf_name, "%PDF"}}),
      testing::RawZip({{aussonderung->message_name, aussonderung->xml}}),
  };

  for (const std::string& zip : zips) {
    auto r = Receive0605(*store_, "kreis-a", zip, Options());
    ASSERT_OK(r);
    EXPECT_FALSE(r->accepted);
    EXPECT_FALSE(r->reason.empty());
    std::string xml = Answer(*r, "0000008");
    EXPECT_NE(xml.find("SonstigeFehlermeldung"), std::string::npos);
    EXPECT_EQ(xml.find("vielleicht"), std::string::npos);  // no content back
  }
  EXPECT_EQ(Documents(), 2u);
}

TEST_F(ReceiveTest, AnswersAMissingPrimaryFileWith0605004) {
  std::string message = std::string(kProcess) + "_FVDaten.SGOAblegen.0605.xml";
  std::string xml = testing::Fachverfahren0605(
      kProcess, vorgang_, "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01_Bescheid.pdf");

  auto r = Receive0605(*store_, "kreis-a", testing::RawZip({{message, xml}}),
                       Options());

  ASSERT_OK(r);
  EXPECT_FALSE(r->accepted);
  Answer(*r, "0605004");
  EXPECT_EQ(Documents(), 2u);
}

TEST_F(ReceiveTest, AnswersAFileTheGateRejectsWith0605005) {
  // Declared as PDF, but an executable by content.
  std::string zip = testing::Fachverfahren0605Package(
      kProcess, vorgang_, std::string("MZ\x90\x00", 4) + std::string(200, 'A'));

  auto r = Receive0605(*store_, "kreis-a", zip, Options());

  ASSERT_OK(r);
  EXPECT_FALSE(r->accepted);
  Answer(*r, "0605005");
  EXPECT_EQ(Documents(), 2u);
}

TEST_F(ReceiveTest, FailsWithoutXsds) {
  ReceiveOptions opt = Options();
  opt.specs_dir = tmp_.path() / "no-specs";
  std::string zip = testing::Fachverfahren0605Package(kProcess, vorgang_,
                                                      testing::MinimalPdf());

  EXPECT_THAT(Receive0605(*store_, "kreis-a", zip, opt),
              StatusIs(Code::kEnvironment));
}

}  // namespace
}  // namespace ds::xdomea
