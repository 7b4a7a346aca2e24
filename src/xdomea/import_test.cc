// Import of the real Aussonderung examples into a real store: metadata,
// files, audit, idempotence and read-only records.
#include "xdomea/import.h"

#include <fstream>

#include "core/testing/testing.h"
#include "records/store_import.h"
#include "xdomea/test_support.h"

namespace ds::xdomea {
namespace {

namespace fs = std::filesystem;
using ds::testing::StatusIs;

fs::path Examples() { return ds::testing::SpecsDir() / "xdomea" / "examples"; }
fs::path Xman(const std::string& message) {
  return Examples() / "x-man-testdata-3.0.0" /
         ("9a75050f-323a-4e84-94c9-a889aa2b4fe8_Aussonderung." + message +
          ".zip");
}

ImportOptions Options() {
  gate::Policy policy;
  policy.allow_all_inspectable = true;
  policy.require_virus_scan = false;  // no clamd in unit tests
  return {.specs_dir = ds::testing::SpecsDir(),
          .inspect = GateInspector(policy)};
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = records::Store::OpenSqlite(tmp_.path() / "data");
    ASSERT_OK(s);
    store_ = std::move(*s);
  }
  ds::testing::TempDir tmp_;
  std::unique_ptr<records::Store> store_;
};

TEST_F(ImportTest, Imports0503WithAktenVorgaengeAndFiles) {
  auto r = ImportFile(*store_, "archiv", Xman("Aussonderung.0503"), Options());

  ASSERT_OK(r);
  EXPECT_EQ(r->message_type, "Aussonderung.Aussonderung.0503");
  EXPECT_EQ(r->receipt.akten_new, 2);
  EXPECT_EQ(r->receipt.vorgaenge_new, 3);
  EXPECT_EQ(r->receipt.dokumente_new, 3);
  auto akte = store_->GetAkte("archiv", r->receipt.akte_ids[0]);
  ASSERT_OK(akte);
  EXPECT_FALSE(akte->meta.betreff.empty());
  auto v = store_->GetVorgang("archiv", r->receipt.vorgang_ids[0]);
  ASSERT_OK(v);
  EXPECT_EQ(v->akte_id, r->receipt.akte_ids[0]);
  ASSERT_EQ(v->dokumente.size(), 1u);
  const records::Format& f = v->dokumente[0].formats.at(0);
  EXPECT_EQ(f.mime_type, "application/pdf");
  auto bytes = store_->ReadContent("archiv", f.id, "test");
  ASSERT_OK(bytes);
  EXPECT_TRUE(bytes->starts_with("%PDF"));
  EXPECT_EQ(v->dokumente[0].verdict, records::Verdict::kClean);
  auto audit = store_->ReadAudit("archiv");
  ASSERT_OK(audit);
  bool imported = false;
  for (const auto& e : *audit) {
    imported = imported || e.details.find("Aussonderung.Aussonderung.0503") !=
                               std::string::npos;
  }
  EXPECT_TRUE(imported);
}

TEST_F(ImportTest, ImportingTwiceFilesNothingTwice) {
  ASSERT_OK(
      ImportFile(*store_, "archiv", Xman("Aussonderung.0503"), Options()));
  auto before = store_->ReadAudit("archiv");
  ASSERT_OK(before);

  auto again =
      ImportFile(*store_, "archiv", Xman("Aussonderung.0503"), Options());

  ASSERT_OK(again);
  EXPECT_EQ(again->receipt.akten_new, 0);
  EXPECT_EQ(again->receipt.vorgaenge_new, 0);
  EXPECT_EQ(again->receipt.dokumente_new, 0);
  EXPECT_EQ(again->receipt.already_present, 8);
  auto after = store_->ReadAudit("archiv");
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), before->size());
}

TEST_F(ImportTest, Imports0501MetadataThen0503Files) {
  auto offer =
      ImportFile(*store_, "archiv", Xman("Anbieteverzeichnis.0501"), Options());
  ASSERT_OK(offer);
  EXPECT_GT(offer->receipt.akten_new, 0);
  EXPECT_EQ(offer->receipt.dokumente_new, 0);

  auto transfer =
      ImportFile(*store_, "archiv", Xman("Aussonderung.0503"), Options());

  ASSERT_OK(transfer);
  EXPECT_EQ(transfer->receipt.dokumente_new, 3);
}

TEST_F(ImportTest, ImportsABareMessageWithItsFileBesideIt) {
  fs::path xml =
      Examples() / "lavnrw-v3.0.0" /
      "9fde4e7a-b41b-11ec-9225-005056871b7c_Aussonderung.Aussonderung.0503.xml";

  auto r = ImportFile(*store_, "archiv", xml, Options());

  ASSERT_OK(r);
  EXPECT_EQ(r->receipt.vorgaenge_new, 1);
  ASSERT_EQ(r->receipt.dokumente_new, 1);
  auto v = store_->GetVorgang("archiv", r->receipt.vorgang_ids[0]);
  ASSERT_OK(v);
  EXPECT_EQ(v->subject, "[Vorgangsbetreff]");
  EXPECT_EQ(v->dokumente[0].formats.at(0).mime_type, "text/plain");
}

TEST_F(ImportTest, ImportedRecordsAreReadOnly) {
  auto r = ImportFile(*store_, "archiv", Xman("Aussonderung.0503"), Options());
  ASSERT_OK(r);
  std::string vid = r->receipt.vorgang_ids[0];
  auto v = store_->GetVorgang("archiv", vid);
  ASSERT_OK(v);
  auto blob = store_->files().PutBytes("%PDF-1.4 x");
  ASSERT_OK(blob);
  records::IncomingDocument doc{.filename = "x.pdf",
                                .mime_type = "application/pdf",
                                .content_address = blob->address,
                                .size = 10};

  EXPECT_THAT(store_->AddDokument("archiv", vid, doc, "test"),
              StatusIs(Code::kConflict, "read-only"));
  EXPECT_THAT(store_->AddVersion("archiv", v->dokumente[0].id, doc, "test"),
              StatusIs(Code::kConflict));
  EXPECT_THAT(store_->ChangeVorgang("archiv", vid, {.subject = "neu"}, "test"),
              StatusIs(Code::kConflict));
  EXPECT_THAT(store_->ChangeAkte("archiv", r->receipt.akte_ids[0],
                                 {.betreff = "neu"}, "test"),
              StatusIs(Code::kConflict));
  auto ro = store_->IsReadOnly("archiv", vid);
  ASSERT_OK(ro);
  EXPECT_TRUE(*ro);
}

TEST_F(ImportTest, RefusesOtherMessagesAndInvalidOnesFilingNothing) {
  EXPECT_THAT(ImportFile(*store_, "archiv",
                         Xman("BewertungEmpfangBestaetigen.0505"), Options()),
              StatusIs(Code::kInvalidInput, "cannot be imported"));
  fs::path bad = tmp_.path() / "bad.xml";
  std::string xml = testing::Fachverfahren0605("kein-uuid", "", "x.pdf");
  std::ofstream(bad) << xml;
  EXPECT_THAT(ImportFile(*store_, "archiv", bad, Options()),
              StatusIs(Code::kCheckFailed, "violates the XSD"));
  auto audit = store_->ReadAudit("archiv");
  EXPECT_TRUE(!audit.ok() || audit->empty());
}

// The Thüringen 0503 pattern names a PDF that the specs do not hold: the
// import fails closed instead of filing the Dokument without its file.
TEST_F(ImportTest, RefusesThePatternWhosePrimaryFileIsNotBesideIt) {
  fs::path xml = Examples() / "lath-toolkit-patterns-3.0.0" /
                 "xx_Aussonderung.Aussonderung.0503.xml";

  EXPECT_THAT(ImportFile(*store_, "archiv", xml, Options()),
              StatusIs(Code::kInvalidInput, "not beside it"));
  auto audit = store_->ReadAudit("archiv");
  EXPECT_TRUE(!audit.ok() || audit->empty());
}

TEST_F(ImportTest, RefusesAPackageWhoseNamedFileIsMissing) {
  auto pkg = ReadPackageFile(Xman("Aussonderung.0503"));
  ASSERT_OK(pkg);
  pkg->files.erase(pkg->files.begin());

  EXPECT_THAT(ImportPackage(*store_, "archiv", *pkg, "", Options()),
              StatusIs(Code::kInvalidInput, "not in the package"));
}

}  // namespace
}  // namespace ds::xdomea
