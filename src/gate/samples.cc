// The sample catalogue. Each block is one threat class of
// notes/manipulated-files.md; ids start with the class.
#include "gate/samples.h"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QUtil.hh>
#include <qpdf/RandomDataProvider.hh>

#include <algorithm>
#include <memory>

#include "core/encoding.h"
#include "gate/sample_formats.h"

namespace ds::gate {
namespace {

using samples::BuildCfb;
using samples::BuildJpeg;
using samples::BuildPdf;
using samples::BuildPng;
using samples::BuildTar;
using samples::BuildTiff;
using samples::BuildZip;
using samples::CfbNode;
using samples::PdfSpec;
using samples::PdfStream;
using samples::ZipEntry;

class Catalogue {
 public:
  Sample& Add(std::string id, std::string description, std::string bytes,
              std::string code, std::string filename, std::string mime) {
    Sample s;
    s.threat = id.substr(0, id.find('-'));
    s.id = std::move(id);
    s.description = std::move(description);
    s.expect = s.threat == "control" ? Expect::kClean : Expect::kNotClean;
    s.expected_code = std::move(code);
    s.filename = std::move(filename);
    s.mime_type = std::move(mime);
    s.bytes = std::move(bytes);
    all.push_back(std::move(s));
    return all.back();
  }
  std::vector<Sample> all;
};

const char* kPdf = "application/pdf";
const char* kZip = "application/zip";
const char* kJson = "application/json";
const char* kXml = "application/xml";
const char* kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

std::string JsAction(const std::string& id) {
  return "<< /Type /Action /S /JavaScript /JS (app.alert\\('" + Marker(id) +
         "'\\)) >>";
}

// Deterministic "random" bytes so that encrypted samples are reproducible.
class FixedRandom : public RandomDataProvider {
 public:
  void provideRandomData(unsigned char* data, size_t len) override {
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(n_++ * 131 + 7);
  }

 private:
  unsigned n_ = 0;
};

// qpdf rewrites (object streams, encryption) of a generated PDF.
std::string Rewrite(const std::string& pdf, bool object_streams,
                    const char* user_password) {
  FixedRandom random;
  QUtil::setRandomDataProvider(&random);
  struct Restore {
    ~Restore() { QUtil::setRandomDataProvider(nullptr); }
  } restore;
  QPDF q;
  q.processMemoryFile("sample", pdf.data(), pdf.size());
  QPDFWriter w(q);
  w.setOutputMemory();
  w.setStaticID(true);
  w.setStaticAesIV(true);
  if (object_streams) w.setObjectStreamMode(qpdf_o_generate);
  if (user_password != nullptr) {
    w.setR6EncryptionParameters(user_password, "zdt-owner", true, true, true,
                                true, true, true, qpdf_r3p_full, true);
  }
  w.write();
  auto buf = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buf->getBuffer()),
                     buf->getSize());
}

std::string OoxmlContentTypes(const std::string& main_type,
                              const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://"
         "schemas.openxmlformats.org/package/2006/content-types\"><Default "
         "Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-"
         "package.relationships+xml\"/><Default Extension=\"xml\" "
         "ContentType=\"application/xml\"/><Override PartName=\"/word/"
         "document.xml\" ContentType=\"" + main_type + "\"/>" + extra +
         "</Types>";
}

const char* kRootRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\""
    "http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships/officeDocument\" Target=\"word/"
    "document.xml\"/></Relationships>";

std::string Rels(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns="
         "\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
         body + "</Relationships>";
}

std::string DocumentXml(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:document xmlns:w=\""
         "http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
         "<w:body>" + body + "</w:body></w:document>";
}

std::string Para(const std::string& text) {
  return "<w:p><w:r><w:t>" + text + "</w:t></w:r></w:p>";
}

const char* kDocMain =
    "application/vnd.openxmlformats-officedocument.wordprocessingml."
    "document.main+xml";

std::vector<ZipEntry> Docx(const std::string& body,
                           const std::string& doc_rels = "",
                           const std::string& main = kDocMain,
                           const std::string& types_extra = "") {
  std::vector<ZipEntry> e = {
      {"[Content_Types].xml", OoxmlContentTypes(main, types_extra)},
      {"_rels/.rels", kRootRels},
      {"word/document.xml", DocumentXml(body)}};
  if (!doc_rels.empty()) {
    e.push_back({"word/_rels/document.xml.rels", Rels(doc_rels)});
  }
  return e;
}

std::string VbaProject(const std::string& marker) {
  std::string module = "Attribute VB_Name = \"ThisDocument\"\r\nSub "
                       "AutoOpen()\r\n  MsgBox \"" + marker +
                       "\"\r\nEnd Sub\r\n";
  return BuildCfb({{u"VBA", true, "",
                    {{u"dir", false, "\x01" + module},
                     {u"ThisDocument", false, module},
                     {u"_VBA_PROJECT", false, std::string("\xCC\x61", 2)}}},
                   {u"PROJECT", false, "ID=\"{00000000-0000-0000-0000-"
                                       "000000000000}\"\r\nDocument="
                                       "ThisDocument/&H00000000\r\n"}});
}

std::string OleObject(const std::string& marker) {
  return BuildCfb({{u"\x01Ole10Native", false, "zdt.txt\0" + marker},
                   {u"\x01" u"CompObj", false, "Package"}});
}

std::string Odf(const std::string& mimetype,
                const std::vector<ZipEntry>& more) {
  std::vector<ZipEntry> e = {
      {"mimetype", mimetype, false},
      {"META-INF/manifest.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest "
       "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
       "\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-"
       "type=\"" + mimetype + "\"/></manifest:manifest>"},
      {"content.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content "
       "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
       "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
       "<office:body><office:text><text:p>Antrag</text:p></office:text>"
       "</office:body></office:document-content>"}};
  e.insert(e.end(), more.begin(), more.end());
  return BuildZip(e);
}

std::string XoevXml(const std::string& extra_root_attrs = "",
                    const std::string& body = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<antrag xmlns=\"urn:"
         "xoev-de:zdt:antrag\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-"
         "instance\"" + extra_root_attrs + "><name>Erika Mustermann</name>"
         "<betrag>120.50</betrag>" + body + "</antrag>\n";
}

const char* kFormJson =
    R"({"antrag":{"name":"Erika Mustermann","iban":"DE02120300000000202051",)"
    R"("betrag":"120.50","geburtsdatum":"1964-08-12","kinder":2}})";

void Controls(Catalogue& c) {
  c.Add("control-pdf", "a plain one-page PDF", BuildPdf({}), "",
        "antrag.pdf", kPdf);
  PdfSpec go;
  go.catalog_extra = "/OpenAction [3 0 R /Fit]";
  c.Add("control-pdf-goto", "a PDF that opens at page 1 (GoTo, harmless)",
        BuildPdf(go), "", "Antrag Müller.pdf", kPdf);
  c.Add("control-jpeg", "an 8x8 grey JPEG", BuildJpeg(), "", "foto.jpg",
        "image/jpeg");
  c.Add("control-png", "a 4x4 grey PNG", BuildPng(4, 4), "", "scan.png",
        "image/png");
  c.Add("control-tiff", "a 1x1 grey TIFF", BuildTiff(), "", "scan.tif",
        "image/tiff");
  c.Add("control-xml", "an XÖV-like form instance with a schemaLocation",
        XoevXml(" xsi:schemaLocation=\"urn:xoev-de:zdt:antrag antrag.xsd\""),
        "", "antrag.xml", kXml);
  c.Add("control-json", "FIT-Connect-like form data", kFormJson, "",
        "data.json", kJson);
  c.Add("control-docx", "a docx with a hyperlink",
        BuildZip(Docx(Para("Antrag") + "<w:hyperlink r:id=\"rId9\"/>",
                      "<Relationship Id=\"rId9\" Type=\"http://schemas."
                      "openxmlformats.org/officeDocument/2006/relationships/"
                      "hyperlink\" Target=\"https://www.zdt.invalid/\" "
                      "TargetMode=\"External\"/>")),
        "", "antrag.docx", kDocx);
  c.Add("control-odt", "a minimal OpenDocument text",
        Odf("application/vnd.oasis.opendocument.text", {}), "", "antrag.odt",
        "application/vnd.oasis.opendocument.text");
  c.Add("control-zip", "a zip with a PDF and a text",
        BuildZip({{"antrag.pdf", BuildPdf({})}, {"notiz.txt", "Hallo\n"}}),
        "", "unterlagen.zip", kZip);
  c.Add("control-csv", "a CSV with negative numbers",
        "datum;betrag\n2026-01-01;-12.50\n2026-02-01;+3\n", "",
        "tabelle.csv", "text/csv");
}

void Malware(Catalogue& c) {
  std::string eicar = EicarString();
  c.Add("T01-eicar-txt", "the EICAR test string", eicar, "scan.virus",
        "test.txt", "text/plain").needs_clamd = true;
  c.Add("T01-eicar-zip", "EICAR inside a zip",
        BuildZip({{"eicar.com.txt", eicar}}), "scan.virus", "test.zip", kZip)
      .needs_clamd = true;
  ZipEntry enc{"eicar.com", "\x5A\x01\x7F\x33\x9C\x10\x55\xAA\x42\x18\x07"
                            "\xE1" + eicar, false, 1};
  c.Add("T01-eicar-zip-encrypted", "EICAR in a ZipCrypto-flagged entry",
        BuildZip({enc}), "archive.encrypted", "test.zip", kZip);
}

void Pdf(Catalogue& c) {
  auto add = [&](const std::string& id, const std::string& d, PdfSpec s,
                 const std::string& code) {
    s.text = Marker(id);
    return c.Add(id, d, BuildPdf(s), code, "antrag.pdf", kPdf);
  };
  PdfSpec s;
  s.catalog_extra = "/Names << /JavaScript << /Names [(zdt) 6 0 R] >> >>";
  s.objects = {JsAction("T10-js-names")};
  add("T10-js-names", "JavaScript in the Names tree", s, "pdf.javascript");

  s = {};
  s.page_extra = "/Annots [6 0 R]";
  s.objects = {"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A 7 0 R "
               ">>", JsAction("T10-js-link")};
  add("T10-js-link", "JavaScript in a link annotation", s, "pdf.javascript");

  s = {};
  s.catalog_extra = "/OpenAction 6 0 R";
  s.objects = {JsAction("T11-openaction-js")};
  std::string openaction = BuildPdf(s);
  add("T11-openaction-js", "OpenAction runs JavaScript", s,
      "pdf.open_action");

  s = {};
  s.page_extra = "/AA << /O << /S /URI /URI (https://zdt.invalid/" +
                 Marker("T11-page-aa-uri") + ") >> >>";
  add("T11-page-aa-uri", "page-open trigger to a URI", s,
      "pdf.additional_actions");

  s = {};
  s.catalog_extra = "/OpenAction << /S /Launch /F (zdt-nonexistent.exe) >>";
  add("T12-launch", "OpenAction launches a program", s, "pdf.launch");

  s = {};
  s.catalog_extra = "/Names << /EmbeddedFiles << /Names [(zdt.txt) 6 0 R] >>"
                    " >>";
  s.objects = {"<< /Type /Filespec /F (zdt.txt) /EF << /F 7 0 R >> >>",
               PdfStream(Marker("T13-embedded"), " /Type /EmbeddedFile")};
  add("T13-embedded", "an embedded file", s, "pdf.embedded_file");

  s = {};
  s.catalog_extra = "/AcroForm << /Fields [] /XFA 6 0 R >>";
  s.objects = {PdfStream("<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\">"
                         "<field>" + Marker("T14-xfa") + "</field></xdp:xdp>")};
  add("T14-xfa", "an XFA form", s, "pdf.xfa");

  s = {};
  s.page_extra = "/Annots [6 0 R]";
  s.objects = {"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S "
               "/URI /URI (https://login.zdt.invalid/) >> >>"};
  add("T15-uri", "a link to a phishing host", s, "pdf.uri");

  s = {};
  s.page_extra = "/Annots [6 0 R]";
  s.objects = {"<< /Type /Annot /Subtype /Widget /Rect [0 0 100 100] /A << "
               "/S /SubmitForm /F << /FS /URL /F (http://127.0.0.1:9/) >> >>"
               " >>"};
  add("T15-submitform", "form data sent to loopback port 9", s,
      "pdf.submit_form");

  s = {};
  s.catalog_extra = "/Names << /J#61vaScript << /Names [(zdt) 6 0 R] >> >>";
  s.objects = {JsAction("T16-hex-name")};
  add("T16-hex-name", "JavaScript behind a hex-escaped name", s,
      "pdf.javascript");
  c.Add("T16-objstm", "OpenAction JavaScript inside an object stream",
        Rewrite(openaction, true, nullptr), "pdf.open_action", "antrag.pdf",
        kPdf);

  // T17: an appended revision adds an OpenAction.
  std::string base = BuildPdf({});
  size_t prev = std::stoul(base.substr(base.rfind("startxref") + 10));
  std::string upd = "1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0"
                    " R >>\nendobj\n";
  size_t o1 = base.size();
  std::string js = "6 0 obj\n" + JsAction("T17-incremental") + "\nendobj\n";
  size_t o6 = o1 + upd.size();
  char xref[200];
  std::snprintf(xref, sizeof xref,
                "xref\n1 1\n%010zu 00000 n \n6 1\n%010zu 00000 n \ntrailer\n"
                "<< /Size 7 /Root 1 0 R /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n",
                o1, o6, prev, o6 + js.size());
  c.Add("T17-incremental", "an incremental update adds an OpenAction",
        base + upd + js + xref, "pdf.incremental_update", "antrag.pdf", kPdf);

  std::string good = BuildPdf({});
  c.Add("T18-truncated", "a PDF cut at 60 %",
        good.substr(0, good.size() * 6 / 10), "pdf.damaged", "antrag.pdf",
        kPdf);
  std::string shifted = good;
  shifted.insert(shifted.find("1 0 obj"), "% zdt shifted offsets\n");
  c.Add("T18-bad-xref", "wrong xref offsets (loads only with repair)",
        shifted, "pdf.damaged", "antrag.pdf", kPdf);
  s = {};
  s.page_extra = "/ZdtDeep " + std::string(100000, '[') +
                 std::string(100000, ']');
  c.Add("T18-deep-nesting", "100 000 nested arrays", BuildPdf(s), "",
        "antrag.pdf", kPdf);
  std::string loop = good;
  size_t sx = loop.rfind("startxref");
  std::string xref_off = loop.substr(sx + 10, loop.find('\n', sx + 10) -
                                                  sx - 10);
  loop.replace(loop.find("/Root 1 0 R"), 11, "/Root 1 0 R /Prev " + xref_off);
  c.Add("T18-xref-loop", "an xref /Prev that points to itself", loop, "",
        "antrag.pdf", kPdf);

  c.Add("T19-encrypted-user", "AES-256 with a user password",
        Rewrite(good, false, "zdt-user"), "pdf.encrypted", "antrag.pdf",
        kPdf);
  c.Add("T19-encrypted-owner", "AES-256 with an owner password only",
        Rewrite(good, false, ""), "pdf.encrypted", "antrag.pdf", kPdf);

  s = {};
  s.objects = {PdfStream(samples::ZlibCompress(std::string(300u << 20, '\0')),
                         " /Filter /FlateDecode")};
  s.page_extra = "/ZdtBomb 6 0 R";
  add("T20-stream-bomb", "a stream that inflates to 300 MiB", s,
      "pdf.stream_bomb");
  s = {};
  s.media_box = "[0 0 200000 200000]";
  add("T20-page-size", "a page of 2 777 x 2 777 inches", s,
      "pdf.page_too_large");
  s = {};
  s.pages = 6000;
  add("T20-many-pages", "6 000 pages sharing one content stream", s,
      "pdf.too_many_pages");
}

void Office(Catalogue& c) {
  std::string word = std::string(4096, '\0');
  c.Add("T30-ole-vba", "a .doc compound file with a VBA project",
        BuildCfb({{u"WordDocument", false, word},
                  {u"Macros", true, "",
                   {{u"VBA", true, "", {{u"dir", false, Marker("T30")}}},
                    {u"PROJECT", false, "Document=ThisDocument"}}}}),
        "office.macro", "antrag.doc", "application/msword");

  const char* macro_main =
      "application/vnd.ms-word.document.macroEnabled.main+xml";
  auto docm = Docx(Para("Antrag"),
                   "<Relationship Id=\"rId5\" Type=\"http://schemas."
                   "microsoft.com/office/2006/relationships/vbaProject\" "
                   "Target=\"vbaProject.bin\"/>",
                   macro_main,
                   "<Default Extension=\"bin\" ContentType=\"application/"
                   "vnd.ms-office.vbaProject\"/>");
  docm.push_back({"word/vbaProject.bin", VbaProject(Marker("T32-docm"))});
  c.Add("T32-docm", "a macro-enabled Word document", BuildZip(docm),
        "office.macro", "antrag.docm",
        "application/vnd.ms-word.document.macroEnabled.12");
  c.Add("T32-docm-as-docx", "the same document named .docx", BuildZip(docm),
        "office.macro", "antrag.docx", kDocx);

  auto tmpl = Docx(Para("Antrag"));
  tmpl.push_back({"word/settings.xml",
                  "<?xml version=\"1.0\"?><w:settings xmlns:w=\"http://"
                  "schemas.openxmlformats.org/wordprocessingml/2006/main\"/>"});
  tmpl.push_back({"word/_rels/settings.xml.rels",
                  Rels("<Relationship Id=\"rId1\" Type=\"http://schemas."
                       "openxmlformats.org/officeDocument/2006/relationships/"
                       "attachedTemplate\" Target=\"http://templates.zdt."
                       "invalid/" + Marker("T33") + ".dotm\" TargetMode=\""
                       "External\"/>")});
  c.Add("T33-remote-template", "a remote template relationship",
        BuildZip(tmpl), "office.external_relationship", "antrag.docx", kDocx);

  c.Add("T34-dde", "a DDEAUTO field",
        BuildZip(Docx("<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
                      "<w:r><w:instrText> DDEAUTO zdt-nonexistent \"" +
                      Marker("T34-dde") + "\" </w:instrText></w:r><w:r>"
                      "<w:fldChar w:fldCharType=\"end\"/></w:r></w:p>")),
        "office.dde", "antrag.docx", kDocx);

  auto ole = Docx(Para("Antrag"));
  ole.push_back({"word/embeddings/oleObject1.bin",
                 OleObject(Marker("T35-embedded-ole"))});
  c.Add("T35-embedded-ole", "an embedded OLE package", BuildZip(ole),
        "office.embedded_object", "antrag.docx", kDocx);

  std::string hex;
  for (unsigned char ch : OleObject(Marker("T36")).substr(0, 600)) {
    static const char* digits = "0123456789abcdef";
    hex += digits[ch >> 4];
    hex += digits[ch & 15];
  }
  c.Add("T36-rtf-object", "RTF with an embedded object",
        "{\\rtf1\\ansi{\\object\\objemb\\objupdate{\\*\\objclass Package}"
        "{\\*\\objdata " + hex + "}}}", "office.rtf_object", "antrag.rtf",
        "application/rtf");
  c.Add("T36-rtf-deep", "RTF with a {\\rt header and 10 000 nested groups",
        "{\\rt" + std::string(10000, '{') + Marker("T36-rtf-deep") +
            std::string(10001, '}'),
        "office.rtf_too_deep", "antrag.rtf", "application/rtf");

  c.Add("T37-odt-basic", "OpenDocument with a Basic macro",
        Odf("application/vnd.oasis.opendocument.text",
            {{"Basic/Standard/Module1.xml",
              "<?xml version=\"1.0\"?><script:module xmlns:script=\"http://"
              "openoffice.org/2000/script\" script:name=\"Module1\">Sub Main"
              " : MsgBox \"" + Marker("T37") + "\" : End Sub</script:module>"}}),
        "office.macro", "antrag.odt",
        "application/vnd.oasis.opendocument.text");

  c.Add("T38-encrypted-office", "an ECMA-376 encrypted package",
        BuildCfb({{u"EncryptionInfo", false, std::string("\x04\x00\x04\x00",
                                                         4)},
                  {u"EncryptedPackage", false, Marker("T38")}}),
        "office.encrypted", "antrag.docx", kDocx);

  auto xlsx = std::vector<ZipEntry>{
      {"[Content_Types].xml",
       OoxmlContentTypes("application/vnd.openxmlformats-officedocument."
                         "spreadsheetml.sheet.main+xml")},
      {"_rels/.rels", kRootRels},
      {"xl/workbook.xml", "<?xml version=\"1.0\"?><workbook/>"},
      {"xl/sharedStrings.xml",
       "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/"
       "hostname\">]><sst><si><t>&e;" + Marker("T39") + "</t></si></sst>"}};
  c.Add("T39-xxe-in-xlsx", "XXE inside an xlsx part", BuildZip(xlsx),
        "xml.doctype", "tabelle.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

void Archives(Catalogue& c) {
  std::string inner = BuildZip({{"zdt.txt", Marker("T40")}});
  for (int i = 0; i < 5; ++i) {
    std::vector<ZipEntry> copies;
    for (int k = 0; k < 4; ++k) {
      copies.push_back({"layer" + std::to_string(i) + "-" +
                            std::to_string(k) + ".zip", inner});
    }
    inner = BuildZip(copies);
  }
  c.Add("T40-nested", "zips nested 6 deep (42.zip style)", inner,
        "archive.too_deep", "unterlagen.zip", kZip);
  c.Add("T41-overlap-3", "3 central entries sharing one local entry",
        samples::BuildOverlapZip(3), "archive.overlap", "u.zip", kZip);
  c.Add("T41-overlap-100", "100 central entries sharing one local entry",
        samples::BuildOverlapZip(100), "archive.overlap", "u.zip", kZip);
  c.Add("T42-ratio", "one entry of 64 MiB zeros",
        BuildZip({{"zero.bin", std::string(64u << 20, '\0')}}),
        "archive.bomb", "u.zip", kZip);
  ZipEntry lie{"zero.txt", std::string(64u << 20, '\0')};
  lie.declared_size = 1024;
  c.Add("T42-lying-header", "declares 1 KiB, inflates to 64 MiB",
        BuildZip({lie}), "archive.bomb", "u.zip", kZip);
  std::vector<ZipEntry> many;
  for (int i = 0; i < 6000; ++i) {
    many.push_back({"e" + std::to_string(i), "", false});
  }
  c.Add("T43-many-entries", "6 000 empty entries", BuildZip(many),
        "archive.too_many_entries", "u.zip", kZip);
  c.Add("T43-long-name", "an entry name of 65 535 bytes",
        BuildZip({{std::string(65535, 'a'), Marker("T43")}}),
        "archive.name_too_long", "u.zip", kZip);
  c.Add("T44-zip-slip", "an entry ../../zdt-evil.txt",
        BuildZip({{"../../zdt-evil.txt", Marker("T44")}}),
        "archive.path_traversal", "u.zip", kZip);
  c.Add("T44-absolute", "an entry /tmp/zdt-evil.txt",
        BuildZip({{"/tmp/zdt-evil.txt", Marker("T44a")}}),
        "archive.path_traversal", "u.zip", kZip);
  c.Add("T44-backslash", "an entry ..\\..\\zdt-evil.txt",
        BuildZip({{"..\\..\\zdt-evil.txt", Marker("T44b")}}),
        "archive.path_traversal", "u.zip", kZip);
  ZipEntry link{"d", "/tmp", false};
  link.unix_mode = 0120777;
  c.Add("T45-zip-symlink", "a symlink entry followed by a file through it",
        BuildZip({link, {"d/zdt-evil.txt", Marker("T45")}}), "archive.link",
        "u.zip", kZip);
  c.Add("T45-tar-symlink", "a tar symlink to /tmp and a file through it",
        BuildTar({{"d", "", '2', "/tmp"},
                  {"d/zdt-evil.txt", Marker("T45t")}}),
        "archive.link", "u.tar", "application/x-tar");
  c.Add("T46-duplicate", "two entries with the same name",
        BuildZip({{"antrag.txt", "A"}, {"antrag.txt", Marker("T46")}}),
        "archive.duplicate_name", "u.zip", kZip);
  ZipEntry mismatch{"harmlos.txt", Marker("T46m")};
  mismatch.central_name = "antrag.vbs";
  c.Add("T46-name-mismatch", "local and central names differ",
        BuildZip({mismatch}), "archive.name_mismatch", "u.zip", kZip);
  ZipEntry crypt{"zdt.txt", "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xAA\xBB"
                            "\xCC" + Marker("T47"), false, 1};
  c.Add("T47-zipcrypto", "a ZipCrypto-flagged entry", BuildZip({crypt}),
        "archive.encrypted", "u.zip", kZip);
}

void FormData(Catalogue& c) {
  auto xml = [&](const std::string& id, const std::string& d,
                 const std::string& bytes, const std::string& code) {
    c.Add(id, d, bytes, code, "antrag.xml", kXml);
  };
  xml("T50-xxe-file", "an external entity reading /etc/hostname",
      "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc"
      "/hostname\">]>\n<a>&e;" + Marker("T50") + "</a>", "xml.doctype");
  xml("T50-xxe-ssrf", "an external entity to loopback port 9",
      "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM \"http://127.0."
      "0.1:9/" + Marker("T50s") + "\">]>\n<a>&e;</a>", "xml.doctype");
  xml("T50-parameter-entity", "a parameter entity with an external DTD",
      "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://"
      "127.0.0.1:9/zdt.dtd\"> %p;]>\n<a/>", "xml.doctype");
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY l0 \"" +
                       Marker("T51") + "\">";
  for (int i = 1; i <= 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "\">";
  }
  xml("T51-billion-laughs", "10 x 10 nested entities",
      laughs + "]>\n<l>&l10;</l>", "xml.doctype");
  std::string quad = "<?xml version=\"1.0\"?>\n<!DOCTYPE q [<!ENTITY a \"" +
                     std::string(100000, 'a') + "\">]>\n<q>";
  for (int i = 0; i < 10000; ++i) quad += "&a;";
  xml("T52-quadratic", "one 100 kB entity referenced 10 000 times",
      quad + "</q>", "xml.doctype");
  std::string deep = "<?xml version=\"1.0\"?>\n";
  for (int i = 0; i < 100000; ++i) deep += "<d>";
  for (int i = 0; i < 100000; ++i) deep += "</d>";
  xml("T53-deep-nesting", "100 000 nested elements", deep, "xml.malformed");
  xml("T53-nested-300", "300 nested elements (above the gate's 128)",
      "<?xml version=\"1.0\"?>\n" + [] {
        std::string s;
        for (int i = 0; i < 300; ++i) s += "<d>";
        for (int i = 0; i < 300; ++i) s += "</d>";
        return s;
      }(), "");
  xml("T54-xinclude", "XInclude of /etc/hostname",
      XoevXml(" xmlns:xi=\"http://www.w3.org/2001/XInclude\"",
              "<xi:include href=\"file:///etc/hostname\" parse=\"text\"/>"),
      "xml.xinclude");

  auto json = [&](const std::string& id, const std::string& d,
                  const std::string& bytes, const std::string& code) {
    c.Add(id, d, bytes, code, "data.json", kJson);
  };
  json("T55-json-deep", "100 000 nested arrays",
       std::string(100000, '[') + std::string(100000, ']'), "json.too_deep");
  json("T56-duplicate-key", "two IBANs",
       R"({"iban":"DE02120300000000202051","iban":"DE89370400440532013000"})",
       "json.duplicate_key");
  json("T56-escaped-duplicate", "\"iban\" and \"\\u0069ban\"",
       R"({"antrag":{"iban":"DE02120300000000202051","\u0069ban":"X"}})",
       "json.duplicate_key");
  json("T57-1e400", "an amount of 1E400", R"({"betrag":1E400})",
       "json.number_out_of_range");
  json("T57-long-integer", "a 400-digit id",
       "{\"id\":" + std::string(400, '9') + "}", "json.number_too_long");
  json("T58-invalid-utf8", "an overlong UTF-8 sequence",
       "{\"name\":\"Erika \xC0\xAF\"}", "json.malformed");
  json("T58-lone-surrogate", "an escaped lone surrogate",
       R"({"name":"\ud800"})", "json.malformed");
  json("T58-nul", "an escaped NUL in a name",
       R"({"name":"antrag.pdf\u0000.exe"})", "json.nul_character");
  json("T58-trailing-garbage", "bytes after the document",
       std::string(kFormJson) + "}garbage", "json.malformed");
  c.Add("T59-xml-as-json", "XML declared as JSON", XoevXml(),
        "type.mime_mismatch", "data.json", kJson);
}

void Media(Catalogue& c) {
  c.Add("T60-png-flood", "a PNG header of 20 000 x 20 000",
        BuildPng(20000, 20000), "image.too_large", "scan.png", "image/png");
  c.Add("T60-jpeg-flood", "a JPEG frame of 65 500 x 65 500",
        BuildJpeg(65500, 65500), "image.too_large", "foto.jpg", "image/jpeg");
  c.Add("T60-tiff-flood", "a TIFF of 100 000 x 100 000",
        BuildTiff(100000, 100000), "image.too_large", "scan.tif",
        "image/tiff");
  std::string gif = "GIF89a";
  gif += std::string("\xFF\xFF\xFF\xFF\x00\x00\x00", 7);
  gif += std::string("\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44"
                     "\x01\x00\x3B", 16);
  c.Add("T60-gif-flood", "a GIF screen of 65 535 x 65 535", gif,
        "image.too_large", "bild.gif", "image/gif");
  std::string png = BuildPng(4, 4);
  c.Add("T61-png-truncated", "a PNG cut before IEND",
        png.substr(0, png.size() - 12), "image.truncated", "scan.png",
        "image/png");
  std::string crc = png;
  crc[20] ^= 0x01;
  c.Add("T61-png-bad-crc", "a PNG with a flipped bit", crc, "image.damaged",
        "scan.png", "image/png");
  std::string jpg = BuildJpeg();
  c.Add("T61-jpeg-truncated", "a JPEG without EOI",
        jpg.substr(0, jpg.size() - 2), "image.truncated", "foto.jpg",
        "image/jpeg");
  c.Add("T62-png-itxt", "a PNG with a 16 MiB iTXt chunk",
        BuildPng(4, 4, {samples::PngChunk(
                           "iTXt", "zdt\0\0\0\0\0" + Marker("T62") +
                                       std::string(16u << 20, 'x'))}),
        "image.chunk_too_large", "scan.png", "image/png");
  c.Add("T62-apng-frames", "an APNG announcing 10 000 frames",
        BuildPng(4, 4, {samples::PngChunk("acTL", std::string(
                                                      "\x00\x00\x27\x10\x00"
                                                      "\x00\x00\x00", 8))}),
        "image.too_many_frames", "scan.png", "image/png");
  c.Add("T62-tiff-ifd-loop", "a TIFF whose IFD points back to itself",
        BuildTiff(1, 1, true), "image.damaged", "scan.tif", "image/tiff");

  c.Add("T63-svg-script", "an SVG with a script",
        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
        "onload=\"alert('" + Marker("T63") + "')\"><script>alert('" +
            Marker("T63") + "')</script></svg>",
        "text.active_content", "bild.svg", "image/svg+xml");
  c.Add("T64-html-smuggling", "HTML that assembles a download, named .pdf",
        "<!DOCTYPE html><html><body><script>var b=new Blob([atob('" +
            Base64Encode(Marker("T64")) + "')]);var a=document."
            "createElement('a');a.href=URL.createObjectURL(b);a.download="
            "'antrag.pdf';a.click();</script></body></html>",
        "text.active_content", "antrag.pdf", kPdf);
  c.Add("T65-pdf-zip", "a PDF with a zip appended",
        BuildPdf({}) + BuildZip({{"zdt.txt", Marker("T65")}}),
        "type.polyglot", "antrag.pdf", kPdf);
  c.Add("T65-jpeg-html", "a JPEG with HTML after EOI",
        BuildJpeg() + "<html><script>alert('" + Marker("T65j") +
            "')</script></html>",
        "type.polyglot", "foto.jpg", "image/jpeg");
  c.Add("T66-csv-formula", "CSV cells with formulas",
        "name;link\nErika;=HYPERLINK(\"http://zdt.invalid/\",\"" +
            Marker("T66") + "\")\n",
        "text.formula", "tabelle.csv", "text/csv");
}

void Names(Catalogue& c) {
  std::string pdf = BuildPdf({});
  std::string exe = "MZ" + std::string(58, '\0') + "\x80" +
                    std::string(3, '\0') + std::string(64, '\0') +
                    "This program cannot be run in DOS mode.\r\r\n$" +
                    std::string(8, '\0') + "PE" + std::string(2, '\0') +
                    std::string(20, '\0');
  c.Add("T70-exe-as-pdf", "a Windows executable named .pdf", exe,
        "type.executable", "antrag.pdf", kPdf);
  c.Add("T70-pdf-declared-png", "a PDF declared as image/png", pdf,
        "type.mime_mismatch", "antrag.png", "image/png");
  auto name = [&](const std::string& id, const std::string& d,
                  const std::string& filename, const std::string& code) {
    c.Add(id, d, pdf, code, filename, kPdf);
  };
  name("T71-double-extension", "antrag.pdf.exe", "antrag.pdf.exe",
       "filename.executable_extension");
  name("T71-trailing-dot", "antrag.pdf.", "antrag.pdf.",
       "filename.trailing_dot");
  name("T71-ads", "x.asp:.pdf", "x.asp:.pdf", "filename.stream");
  name("T72-rlo", "rechnung<RLO>fdp.exe", "rechnung\u202Efdp.exe",
       "filename.bidi");
  name("T72-zero-width", "antrag<ZWSP>.pdf", "antrag\u200B.pdf",
       "filename.invisible");
  name("T73-traversal", "../../antrag.pdf", "../../antrag.pdf",
       "filename.path");
  name("T73-fullwidth", "..<U+FF0F>antrag.pdf", "..\uFF0Fantrag.pdf",
       "filename.path");
  name("T73-urlencoded", "%2e%2e%2fantrag.pdf", "%2e%2e%2fantrag.pdf",
       "filename.path");
  name("T74-nul", "antrag.pdf<NUL>.exe", std::string("antrag.pdf\0.exe", 15),
       "filename.control_char");
  name("T74-crlf", "a name with CR LF and a fake header",
       "antrag.pdf\r\nX-Zdt: 1", "filename.control_char");
  name("T74-ansi", "a name with an ANSI escape", "antrag\x1B[31m.pdf",
       "filename.control_char");
  name("T75-long", "a 300-byte name", std::string(296, 'a') + ".pdf",
       "filename.too_long");
  name("T75-reserved", "CON.pdf", "CON.pdf", "filename.reserved");
  name("T75-invalid-utf8", "a name with an overlong slash",
       "antrag\xC0\xAF.pdf", "filename.invalid_utf8");

  PdfSpec big;
  big.objects = {PdfStream(std::string(51u << 20, ' '))};
  c.Add("T77-oversize", "a 51 MiB PDF (limit 50 MiB)", BuildPdf(big),
        "type.too_large", "antrag.pdf", kPdf);
}

}  // namespace

std::string Marker(std::string_view id) {
  return "ZDT-" + std::string(id) + "-" + HexEncode(Sha256(id)).substr(0, 8);
}

std::string EicarString() {
  // Reversed so that no scanner flags this source file.
  std::string s =
      "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  std::reverse(s.begin(), s.end());
  return s;
}

std::vector<Sample> GenerateSamples() {
  Catalogue c;
  Controls(c);
  Malware(c);
  Pdf(c);
  Office(c);
  Archives(c);
  FormData(c);
  Media(c);
  Names(c);
  return std::move(c.all);
}

}  // namespace ds::gate
