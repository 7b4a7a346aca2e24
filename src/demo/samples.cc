#include "demo/samples.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ds::demo {

const std::string& DataSchema() {
  static const std::string kSchema = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://schema.drehscheibe.invalid/demo/wohngeld-antrag/1.0.0/schema.json",
  "title": "Wohngeld Antrag (Demo)",
  "type": "object",
  "required": ["antragsteller", "wohnung", "haushalt"],
  "additionalProperties": false,
  "properties": {
    "antragsteller": {
      "title": "Antragstellende Person",
      "type": "object",
      "required": ["vorname", "familienname", "geburtsdatum", "anschrift"],
      "properties": {
        "vorname": {"title": "Vorname", "type": "string", "minLength": 1, "maxLength": 100},
        "familienname": {"title": "Familienname", "type": "string", "minLength": 1, "maxLength": 100},
        "geburtsdatum": {"title": "Geburtsdatum", "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "anschrift": {
          "title": "Anschrift",
          "type": "object",
          "required": ["strasse", "plz", "ort"],
          "properties": {
            "strasse": {"title": "Straße und Hausnummer", "type": "string"},
            "plz": {"title": "Postleitzahl", "type": "string", "pattern": "^[0-9]{5}$"},
            "ort": {"title": "Ort", "type": "string"}
          }
        }
      }
    },
    "wohnung": {
      "title": "Wohnung",
      "type": "object",
      "required": ["wohnflaeche_qm", "miete_euro"],
      "properties": {
        "wohnflaeche_qm": {"title": "Wohnfläche in m²", "type": "number", "minimum": 1},
        "miete_euro": {"title": "Monatliche Miete in Euro", "type": "number", "minimum": 0}
      }
    },
    "haushalt": {
      "title": "Haushalt",
      "type": "object",
      "required": ["personen"],
      "properties": {
        "personen": {"title": "Anzahl der Personen im Haushalt", "type": "integer", "minimum": 1, "maximum": 20},
        "einkommen_euro": {"title": "Monatliches Gesamteinkommen in Euro", "type": "number", "minimum": 0}
      }
    }
  }
})json";
  return kSchema;
}

namespace {

const char* const kFirstNames[] = {"Erika", "Max", "Aylin", "Jonas", "Maria", "Lukas"};
const char* const kLastNames[] = {"Mustermann", "Beispiel", "Probe", "Muster"};
const char* const kPlaces[] = {"Musterstadt", "Beispielhausen", "Probedorf"};

}  // namespace

std::vector<SampleApplication> BuildSamples(int count) {
  std::vector<SampleApplication> out;
  for (int i = 0; i < count; ++i) {
    nlohmann::json form = {
        {"antragsteller",
         {{"vorname", kFirstNames[i % 6]},
          {"familienname", kLastNames[i % 4]},
          {"geburtsdatum", "19" + std::to_string(60 + i % 40) + "-0" +
                               std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10)},
          {"anschrift",
           {{"strasse", "Musterweg " + std::to_string(1 + i)},
            {"plz", "0" + std::to_string(7743 + i % 100)},
            {"ort", kPlaces[i % 3]}}}}},
        {"wohnung", {{"wohnflaeche_qm", 40 + (i * 7) % 60}, {"miete_euro", 380 + (i * 53) % 500}}},
        {"haushalt", {{"personen", 1 + i % 5}, {"einkommen_euro", 1100 + (i * 97) % 1500}}}};

    SampleApplication app;
    app.label = "Antrag " + std::to_string(i + 1);
    app.form_json = form.dump();
    app.attachments.push_back(
        {"Mietvertrag.pdf", "application/pdf", "attachment",
         MinimalPdf("Mietvertrag (Demo) zu " + app.label)});
    if (i % 2 == 1) {
      app.attachments.push_back(
          {"Einkommensnachweis.pdf", "application/pdf", "attachment",
           MinimalPdf("Einkommensnachweis (Demo) zu " + app.label)});
    }
    out.push_back(std::move(app));
  }
  return out;
}

std::string MinimalPdf(const std::string& text) {
  // Escape the PDF string delimiters in the page text.
  std::string escaped;
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') escaped += '\\';
    escaped += c;
  }
  std::string stream = "BT /F1 18 Tf 72 720 Td (" + escaped + ") Tj ET";

  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
      "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
      "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream +
          "\nendstream",
  };

  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace ds::demo
