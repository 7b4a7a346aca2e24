// pdftotext in the gate's worker: text comes out, damage and limits are
// errors, never a crash of the caller.
#include "gate/pdf_text.h"

#include <fstream>

#include "core/testing/testing.h"
#include "gate/sample_formats.h"

namespace ds::gate {
namespace {
using ds::testing::StatusIs;

std::filesystem::path Write(const ds::testing::TempDir& dir,
                            const std::string& name, const std::string& bytes) {
  auto path = dir.path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(PdfText, ExtractsTheWordsOfAPdf) {
  ds::testing::TempDir dir;
  samples::PdfSpec spec;
  spec.text = "Grundbuchauszug   Zaunkoenig";
  auto path = Write(dir, "a.pdf", samples::BuildPdf(spec));

  auto text = ExtractPdfText(path, Limits{});

  ASSERT_OK(text);
  EXPECT_EQ(*text, "Grundbuchauszug Zaunkoenig");
}

TEST(PdfText, DamagedPdfIsACheckFailure) {
  ds::testing::TempDir dir;
  auto path = Write(dir, "b.pdf", "%PDF-1.7\nnot really a pdf\n");

  EXPECT_THAT(ExtractPdfText(path, Limits{}), StatusIs(Code::kCheckFailed));
}

TEST(PdfText, CutsAtTheByteLimit) {
  ds::testing::TempDir dir;
  samples::PdfSpec spec;
  spec.text = "Antrag auf Wohngeld";
  auto path = Write(dir, "c.pdf", samples::BuildPdf(spec));

  auto text = ExtractPdfText(path, Limits{}, 6);

  ASSERT_OK(text);
  EXPECT_EQ(*text, "Antrag");
}

TEST(PdfText, StopsAtTheWorkersWallClockLimit) {
  ds::testing::TempDir dir;
  // Many pages: more work than a zero wall-clock limit allows.
  samples::PdfSpec spec;
  spec.pages = 3000;
  auto path = Write(dir, "d.pdf", samples::BuildPdf(spec));
  ASSERT_OK(ExtractPdfText(path, Limits{}));  // fine without the limit
  Limits limits;
  limits.worker_wall_seconds = 0;

  EXPECT_THAT(ExtractPdfText(path, limits),
              StatusIs(Code::kCheckFailed, "wall-clock"));
}

}  // namespace
}  // namespace ds::gate
