#include "xdomea/test_support.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"

namespace ds::xdomea::testing {

std::string MinimalPdf(const std::string& marker) {
  // A well-formed PDF with a correct cross-reference table (the gate
  // rejects damaged ones).
  std::vector<std::string> objects = {
      "<</Type/Catalog/Pages 2 0 R>>",
      "<</Type/Pages/Kids[3 0 R]/Count 1>>",
      "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
  };
  std::string pdf = "%PDF-1.4\n%" + marker + "\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) +
         "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof(line), "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<</Size " + std::to_string(objects.size() + 1) +
         "/Root 1 0 R>>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
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
  in.form_data =
      put(R"({"antrag":{"ort":"Jena"}})", "fachdaten.json", "application/json");
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
  ds::testing::CommandRun run = ds::testing::RunShell(cmd);
  if (run.exit_code == 0) return "";
  return run.out.empty() ? "xmllint failed" : run.out;
}

std::string XmllintPackage(const std::filesystem::path& zip,
                           const std::string& version) {
  auto pkg = ReadPackageFile(zip);
  if (!pkg.ok()) return pkg.status().ToString();
  return Xmllint(pkg->xml, version);
}

}  // namespace ds::xdomea::testing

namespace ds::xdomea::testing {

std::string Fachverfahren0605(const std::string& process_id,
                              const std::string& id_container,
                              const std::string& dateiname,
                              const std::string& version) {
  std::string container =
      id_container.empty()
          ? ""
          : "<xdomea:IDContainer>" + id_container + "</xdomea:IDContainer>";
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<xdomea:FVDaten.SGOAblegen.0605 xmlns:xdomea="urn:xoev-de:xdomea:schema:)" +
         version + R"(">
  <xdomea:Kopf>
    <xdomea:ProzessID>)" +
         process_id + R"(</xdomea:ProzessID>
    <xdomea:Nachrichtentyp listURI="urn:xoev-de:xdomea:codeliste:nachrichtentyp" listVersionID="2.0"><code>0605</code></xdomea:Nachrichtentyp>
    <xdomea:Erstellungszeitpunkt>2026-12-03T10:00:00Z</xdomea:Erstellungszeitpunkt>
    <xdomea:Absender><xdomea:Institution><xdomea:Name>Fachverfahren Wohngeld</xdomea:Name></xdomea:Institution></xdomea:Absender>
    <xdomea:Empfaenger><xdomea:Institution><xdomea:Name>Kreis A</xdomea:Name></xdomea:Institution></xdomea:Empfaenger>
    <xdomea:Empfangsbestaetigung>0</xdomea:Empfangsbestaetigung>
    <xdomea:Importbestaetigung>1</xdomea:Importbestaetigung>
    <xdomea:Erstellerkennung>fv-wohngeld</xdomea:Erstellerkennung>
    <xdomea:Stapel>0</xdomea:Stapel>
  </xdomea:Kopf>
  <xdomea:SchriftgutobjektZumAblegen>
    <xdomea:FachverfahrenObjektID>WG-2026-0042</xdomea:FachverfahrenObjektID>
    )" + container +
         R"(
    <xdomea:Schriftgutobjekt>
      <xdomea:Dokument>
        <xdomea:Identifikation><xdomea:ID>6f1c2a9e-3b7d-4c1e-9a55-0d2b8e7f4a10</xdomea:ID></xdomea:Identifikation>
        <xdomea:AllgemeineMetadaten><xdomea:Betreff>Wohngeldbescheid</xdomea:Betreff></xdomea:AllgemeineMetadaten>
        <xdomea:Typ>Bescheid</xdomea:Typ>
        <xdomea:Version>
          <xdomea:Nummer>1</xdomea:Nummer>
          <xdomea:Format>
            <xdomea:Name listURI="urn:xoev-de:xdomea:codeliste:dateiformat" listVersionID="1.0"><code>018</code></xdomea:Name>
            <xdomea:Version>1.7</xdomea:Version>
            <xdomea:Primaerdokument>
              <xdomea:Dateiname>)" +
         dateiname + R"(</xdomea:Dateiname>
              <xdomea:DateinameOriginal>Bescheid.pdf</xdomea:DateinameOriginal>
            </xdomea:Primaerdokument>
          </xdomea:Format>
        </xdomea:Version>
      </xdomea:Dokument>
    </xdomea:Schriftgutobjekt>
  </xdomea:SchriftgutobjektZumAblegen>
</xdomea:FVDaten.SGOAblegen.0605>
)";
}

std::string Fachverfahren0605Package(const std::string& process_id,
                                     const std::string& id_container,
                                     const std::string& pdf) {
  std::string name = "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01_Bescheid.pdf";
  Package p;
  p.message_name = process_id + "_FVDaten.SGOAblegen.0605.xml";
  p.xml = Fachverfahren0605(process_id, id_container, name);
  p.files.emplace(name, pdf);
  auto zip = WritePackage(p);
  EXPECT_OK(zip);
  return zip.ok() ? *zip : "";
}

std::string RawZip(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  // WritePackage does not check names; the first entry is the "message".
  Package p;
  p.message_name = entries.at(0).first;
  p.xml = entries.at(0).second;
  for (size_t i = 1; i < entries.size(); ++i) {
    p.files.emplace(entries[i].first, entries[i].second);
  }
  auto zip = WritePackage(p);
  EXPECT_OK(zip);
  return zip.ok() ? *zip : "";
}

}  // namespace ds::xdomea::testing
