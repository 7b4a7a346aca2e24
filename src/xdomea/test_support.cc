#include "xdomea/test_support.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"

namespace ds::xdomea::testing {

std::string MinimalPdf(const std::string& marker) {
  return "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
         "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
         "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
         "trailer<</Root 1 0 R>>\n%" +
         marker + "\n%%EOF\n";
}

std::string FileCase(records::Store& store, const std::string& tenant,
                     const std::string& subject,
                     records::Verdict attachment_verdict) {
  auto put = [&](const std::string& bytes, const std::string& name,
                 const std::string& mime) {
    auto blob = store.files().PutBytes(bytes);
    EXPECT_OK(blob);
    records::IncomingDocument d;
    d.filename = name;
    d.mime_type = mime;
    d.content_address = blob.ok() ? blob->address : "";
    d.size = static_cast<int64_t>(bytes.size());
    return d;
  };
  records::IncomingSubmission in;
  in.tenant = tenant;
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = "urn:de:fim:leika:leistung:99108008000000";
  in.service_name = "Wohngeld";
  in.subject = subject;
  in.form_data = put(R"({"antrag":{"ort":"Jena"}})", "fachdaten.json",
                     "application/json");
  records::IncomingDocument a =
      put(MinimalPdf(in.submission_id), "Mietvertrag (Kopie).pdf",
          "application/pdf");
  a.attachment_id = NewUuid();
  a.verdict = attachment_verdict;
  in.attachments.push_back(a);
  auto receipt = store.FileSubmission(in);
  EXPECT_OK(receipt);
  return receipt.ok() ? receipt->vorgang_id : "";
}

std::string Xmllint(const std::string& xml, const std::string& version) {
  ds::testing::TempDir tmp;
  std::filesystem::path file = tmp.path() / "message.xml";
  std::ofstream(file, std::ios::binary) << xml;
  std::filesystem::path xsd =
      ds::testing::SpecsDir() / "xdomea" / "xsd" / version / "xdomea.xsd";
  std::string cmd = "xmllint --nonet --noout --schema '" + xsd.string() +
                    "' '" + file.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "xmllint: cannot run";
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int rc = pclose(p);
  return rc == 0 ? "" : (out.empty() ? "xmllint failed" : out);
}

std::string XmllintPackage(const std::filesystem::path& zip,
                           const std::string& version) {
  auto pkg = ReadPackageFile(zip);
  if (!pkg.ok()) return pkg.status().ToString();
  return Xmllint(pkg->xml, version);
}

}  // namespace ds::xdomea::testing
