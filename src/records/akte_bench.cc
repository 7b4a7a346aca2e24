// The E-Akte at 1,000,000 documents, on SQLite and on PostgreSQL.
//
// Per backend: (1) files submissions through Store::FileSubmission (form
// data and three attachments each, blobs put into the FileStore first, as
// the intake does) and prints the ingest rate; (2) fills the store with
// synthetic Vorgänge (four Dokumente each, three tenants) by bulk SQL,
// including the search index rows exactly as Store::IndexVorgang writes
// them, and checks that Store::Search finds them; (3) prints p50/p95 of
// inbox listing, case read (GetVorgang) and full-text search against the
// targets for a store of 1,000,000 documents: p95 under 50 ms for inbox
// and case read, under 200 ms for search.
//
//   build/ci/src/records/records_akte_bench                # 1M, both
//   build/ci/src/records/records_akte_bench --docs 200000 --backend sqlite
//
// PostgreSQL is started by the binary (sql/testing/postgres_server.h) with
// fsync off, so its ingest rate excludes the commit flush.
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "records/store.h"
#include "sql/db.h"
#include "sql/testing/postgres_server.h"

namespace ds::records {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kStart = 1'700'000'000;
constexpr int kDocsPerVorgang = 4;
constexpr int kBatchVorgaenge = 12'500;  // 50,000 Dokumente per transaction

struct Options {
  int64_t docs = 1'000'000;
  int ingest = 2'000;
  int samples = 200;
  double budget_s = 60;  // per measured row, at most
  std::string backend = "both";
  std::string sqlite_dir;  // keep the SQLite store there ("" = temporary)
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "akte_bench: %s: %s\n", what.c_str(),
               st.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what, r.status());
  return std::move(*r);
}

void Must(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

// ---- vocabulary -----------------------------------------------------------

const std::vector<std::string> kTenants = {"kreis-a", "stadt-b", "amt-c"};

const std::vector<std::string> kServices = {
    "Antrag auf Wohngeld", "Antrag auf Elterngeld",
    "Antrag auf Baugenehmigung", "Gewerbeanmeldung",
    "Anmeldung zur Hundesteuer", "Antrag auf Meldebescheinigung",
    "Antrag auf Führungszeugnis", "Bewohnerparkausweis",
    "Antrag auf Sondernutzungserlaubnis", "Antrag auf Fischereischein",
    "Antrag auf Waffenbesitzkarte", "Verlängerung des Aufenthaltstitels",
    "Antrag auf Einbürgerung", "Antrag auf Ausbildungsförderung",
    "Antrag auf Wohnberechtigungsschein", "Anmeldung Kindertagesstätte",
    "Antrag auf Schwerbehindertenausweis", "Antrag auf Gaststättenerlaubnis",
    "Befreiung von Abfallgebühren", "Antrag auf Kfz-Zulassung"};

const std::vector<std::string> kGiven = {
    "Anna", "Lukas", "Marie", "Paul", "Sophie", "Jonas", "Emma", "Felix",
    "Mia", "Leon", "Hannah", "Elias", "Lea", "Noah", "Lena", "Finn", "Clara",
    "Ben", "Ida", "Moritz", "Frieda", "Karl", "Greta", "Theo", "Mathilda",
    "Anton", "Luise", "Jakob", "Ella", "Oskar", "Helene", "Emil", "Nora",
    "Henri", "Paula", "Vincent", "Lotta", "Jan", "Johanna", "David"};

const std::vector<std::string> kFamily = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
    "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
    "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
    "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz",
    "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
    "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert",
    "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler",
    "Roth", "Beck", "Lorenz"};

const std::vector<std::string> kPlaces = {
    "Aachen", "Bielefeld", "Bochum", "Bonn", "Bottrop", "Detmold", "Dorsten",
    "Düren", "Emden", "Erfurt", "Essen", "Gießen", "Görlitz", "Gotha",
    "Hagen", "Hamm", "Herne", "Husum", "Jena", "Kassel", "Kiel", "Krefeld",
    "Landshut", "Lingen", "Lübeck", "Marburg", "Minden", "Moers", "Neuss",
    "Oldenburg", "Paderborn", "Passau", "Peine", "Rheine", "Siegen", "Soest",
    "Trier", "Ulm", "Wesel", "Zwickau"};

const std::vector<std::string> kStreets = {
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße",
    "Dorfstraße", "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße",
    "Waldstraße", "Ringstraße", "Schillerstraße", "Goethestraße",
    "Jahnstraße", "Am Markt", "Mühlenweg", "Rosenweg", "Feldweg",
    "Wiesenweg", "Poststraße"};

// Compound words (50 x 40 = 2000): the rare terms of the free text.
const std::vector<std::string> kPrefixes = {
    "Wohn", "Bau", "Miet", "Kinder", "Eltern", "Garten", "Dach", "Keller",
    "Wasser", "Strom", "Heiz", "Schul", "Kita", "Renten", "Kranken",
    "Pflege", "Gewerbe", "Hunde", "Fahrzeug", "Park", "Grund", "Haus",
    "Fenster", "Zaun", "Brunnen", "Abwasser", "Müll", "Lärm", "Baum",
    "Fahrrad", "Familien", "Einkommens", "Vermögens", "Unterhalts",
    "Betreuungs", "Umzugs", "Heizkosten", "Energie", "Solar", "Wärme",
    "Ausbildungs", "Studien", "Arbeits", "Reise", "Ehe", "Geburts",
    "Sterbe", "Melde", "Wahl", "Steuer"};
const std::vector<std::string> kSuffixes = {
    "nachweis", "bescheinigung", "vertrag", "zuschuss", "antrag", "kosten",
    "abrechnung", "genehmigung", "erklärung", "gutachten", "plan", "skizze",
    "rechnung", "quittung", "vollmacht", "urkunde", "bescheid", "auszug",
    "beleg", "protokoll", "zeugnis", "anzeige", "meldung", "prüfung",
    "zulage", "beihilfe", "förderung", "versicherung", "ordnung", "satzung",
    "wechsel", "änderung", "befreiung", "ermäßigung", "erstattung",
    "übersicht", "liste", "mitteilung", "verfügung", "aufstellung"};

std::vector<std::string> Compounds() {
  std::vector<std::string> out;
  for (const auto& p : kPrefixes) {
    for (const auto& s : kSuffixes) out.push_back(p + s);
  }
  return out;
}

// bench_word lists: the synthetic SQL joins on (list, k).
enum List {
  kListTenant = 0, kListService = 1, kListGiven = 2, kListFamily = 3,
  kListPlace = 4, kListStreet = 5, kListCompound = 6, kListAkte = 7,
  kListPosition = 8
};

// ---- bulk fill -------------------------------------------------------------

// Pseudo-random pick in [0, n) from the row number i.
std::string Pick(const char* mult, size_t n) {
  return "(((i * " + std::string(mult) + ") % 4294967291) % " +
         std::to_string(n) + ")";
}

struct Dialect {
  bool sqlite;
  std::string nl;
  std::string Series(int64_t from, int64_t to) const {
    std::string a = std::to_string(from), b = std::to_string(to);
    if (sqlite) {
      return "WITH RECURSIVE n(i) AS (SELECT " + a +
             " UNION ALL SELECT i + 1 FROM n WHERE i < " + b + ") ";
    }
    return "WITH n(i) AS (SELECT * FROM generate_series(" + a +
           "::bigint, " + b + "::bigint)) ";
  }
};

// Joins that give row i its words; used by every bulk statement so that
// each table sees the same Vorgang.
// SQLite's planner gets no statistics for the CTE; CROSS JOIN keeps the
// series as the outer loop there.
std::string WordJoins(const Dialect& d) {
  std::string kw = d.sqlite ? " CROSS JOIN bench_word " : " JOIN bench_word ";
  auto join = [&](const char* alias, List list, const std::string& k) {
    return kw + alias + " ON " + alias +
           ".list = " + std::to_string(list) + " AND " + alias + ".k = " + k;
  };
  return join("t", kListTenant, "i % 3") +
         join("s", kListService, Pick("2654435761", kServices.size())) +
         join("gn", kListGiven, Pick("40503", kGiven.size())) +
         join("fn", kListFamily, Pick("2246822519", kFamily.size())) +
         join("pl", kListPlace, Pick("3266489917", kPlaces.size())) +
         join("st", kListStreet, Pick("668265263", kStreets.size())) +
         join("c1", kListCompound, Pick("374761393", 2000)) +
         join("c2", kListCompound, Pick("1103515245", 2000)) +
         join("c3", kListCompound, Pick("22695477", 2000)) +
         join("ak", kListAkte, "i % 3");
}

const char* kVid = "('v' || (10000000 + i))";
const char* kIdent = "('urn:de:fim:leika:leistung:' || (99100000000000 + s.k))";
const char* kSubject = "(s.w || ': ' || c1.w || ' – ' || fn.w || ', ' || gn.w)";
const char* kFormText =
    "(gn.w || ' ' || fn.w || ' ' || st.w || ' ' || (1 + i % 120) || ' ' || "
    "(10000 + i % 89999) || ' ' || pl.w || ' ' || c2.w || ' ' || c3.w || "
    "' ' || s.w)";

// File name of the Dokument at position p.
std::string FileName(const std::string& p) {
  return "(CASE " + p + " WHEN 0 THEN 'antrag.json' WHEN 1 THEN c1.w || "
         "'-' || (1 + i % 3) || '.pdf' WHEN 2 THEN 'Personalausweis.pdf' "
         "ELSE 'Foto_' || pl.w || '.jpg' END)";
}

// IndexVorgang's body: subject, service name, identifier, form text, then
// per original file its name and its name split into words.
std::string SearchBody(const Dialect& d) {
  std::string body = std::string(kSubject) + " || " + d.nl + " || s.w || " +
                     d.nl + " || " + kIdent + " || " + d.nl + " || " +
                     kFormText + " || " + d.nl;
  for (int p = 0; p < kDocsPerVorgang; ++p) {
    std::string name = FileName(std::to_string(p));
    body += " || " + name + " || " + d.nl + " || replace(replace(replace(" +
            name + ", '-', ' '), '_', ' '), '.', ' ') || " + d.nl;
  }
  return body;
}

struct Blobs {
  std::string address[kDocsPerVorgang];
  int64_t size[kDocsPerVorgang] = {};
};

std::string DocNumber() { return "(40000000 + i * 4 + p.k)"; }

std::vector<std::string> BatchStatements(const Dialect& d, int64_t from,
                                         int64_t to, const Blobs& blobs) {
  std::string series = d.Series(from, to);
  std::string from_clause = " FROM n" + WordJoins(d);
  std::string pos = (d.sqlite ? " CROSS" : "") +
                    std::string(" JOIN bench_word p ON p.list = ") +
                    std::to_string(kListPosition);
  std::string doc = DocNumber();
  std::string addr = "(CASE p.k", size = "(CASE p.k";
  for (int p = 0; p < kDocsPerVorgang; ++p) {
    addr += " WHEN " + std::to_string(p) + " THEN '" + blobs.address[p] + "'";
    size += " WHEN " + std::to_string(p) + " THEN " +
            std::to_string(blobs.size[p]);
  }
  addr += " END)";
  size += " END)";
  std::string verdict = "(CASE WHEN i % 100 = 7 THEN 3 ELSE 0 END)";
  std::string at = "(" + std::to_string(kStart) + " + i * 60)";

  std::vector<std::string> out;
  out.push_back(
      series +
      "INSERT INTO vorgang (id, tenant, akte_id, submission_id, case_id, "
      "destination_id, service_identifier, service_name, subject, "
      "reply_channel, form_text, received_at, state, worst_verdict) SELECT " +
      kVid + ", t.w, CASE WHEN i % 10 = 0 THEN ak.w ELSE NULL END, "
      "'s' || i, 'c' || i, 'dest-' || t.w, " + kIdent + ", s.w, " + kSubject +
      ", NULL, " + kFormText + ", " + at +
      ", CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'routing' WHEN 2 THEN "
      "'delivered' ELSE 'failed' END, " + verdict + from_clause);
  out.push_back(
      series +
      "INSERT INTO dokument (id, vorgang_id, tenant, position, purpose, "
      "attachment_id, doc_class, verdict, findings, created_at) SELECT "
      "'d' || " + doc + ", " + kVid + ", t.w, p.k, CASE p.k WHEN 0 THEN "
      "'form' ELSE 'attachment' END, CASE p.k WHEN 0 THEN '' ELSE 'att-' || " +
      doc + " END, 'default', CASE WHEN p.k = 3 THEN " + verdict +
      " ELSE 0 END, '[]', " + at + from_clause + pos);
  out.push_back(series +
                "INSERT INTO version (id, dokument_id, number, created_at) "
                "SELECT 'r' || " + doc + ", 'd' || " + doc + ", 1, " + at +
                from_clause + pos);
  out.push_back(
      series +
      "INSERT INTO format (id, version_id, kind, rendition_of, "
      "content_address, mime_type, size, filename) SELECT 'f' || " + doc +
      ", 'r' || " + doc + ", 'original', NULL, " + addr +
      ", CASE p.k WHEN 0 THEN 'application/json' WHEN 3 THEN 'image/jpeg' "
      "ELSE 'application/pdf' END, " + size + ", " + FileName("p.k") +
      from_clause + pos);
  out.push_back(series +
                "INSERT INTO event_log (vorgang_id, position, token) SELECT " +
                kVid + ", p.k, 'eyJhbGciOiJQUzUxMiJ9.eyJldmVudHMiOnt9fQ.' || " +
                doc + from_clause + pos + " AND p.k < 2");
  if (d.sqlite) {
    int64_t base = 50'000'000;  // above the rowids the API assigned
    out.push_back(series +
                  "INSERT INTO search_row (vorgang_id, fts_rowid) SELECT " +
                  kVid + ", " + std::to_string(base) + " + i" + from_clause);
    out.push_back(series +
                  "INSERT INTO search_fts (rowid, vorgang_id, tenant, body) "
                  "SELECT " + std::to_string(base) + " + i, " + kVid +
                  ", t.w, " + SearchBody(d) + from_clause);
  } else {
    out.push_back(series +
                  "INSERT INTO search_doc (vorgang_id, tenant, body) SELECT " +
                  kVid + ", t.w, " + SearchBody(d) + from_clause);
  }
  return out;
}

Status LoadWords(sql::Db& db, const std::vector<std::string>& akten) {
  DS_RETURN_IF_ERROR(db.Script(
      "DROP TABLE IF EXISTS bench_word; CREATE TABLE bench_word (list "
      "INTEGER NOT NULL, k INTEGER NOT NULL, w TEXT NOT NULL, "
      "PRIMARY KEY (list, k))"));
  return sql::InTransaction(db, [&]() -> Status {
    auto add = [&](List list, const std::vector<std::string>& words) {
      for (size_t k = 0; k < words.size(); ++k) {
        DS_RETURN_IF_ERROR(
            db.Exec("INSERT INTO bench_word VALUES (?, ?, ?)",
                    {int64_t{list}, static_cast<int64_t>(k), words[k]}));
      }
      return Status::Ok();
    };
    DS_RETURN_IF_ERROR(add(kListTenant, kTenants));
    DS_RETURN_IF_ERROR(add(kListService, kServices));
    DS_RETURN_IF_ERROR(add(kListGiven, kGiven));
    DS_RETURN_IF_ERROR(add(kListFamily, kFamily));
    DS_RETURN_IF_ERROR(add(kListPlace, kPlaces));
    DS_RETURN_IF_ERROR(add(kListStreet, kStreets));
    DS_RETURN_IF_ERROR(add(kListCompound, Compounds()));
    DS_RETURN_IF_ERROR(add(kListAkte, akten));
    return add(kListPosition, {"0", "1", "2", "3"});
  });
}

// ---- measuring --------------------------------------------------------------

struct Row {
  std::string what;
  int n = 0;
  double p50_ms = 0, p95_ms = 0, max_ms = 0;
  double target_ms = 0;
  double avg_hits = 0;
};

std::vector<Row> g_rows;

// Calls fn (which returns the number of results) samples times or until
// the budget is spent, whichever is first.
void Measure(const std::string& backend, const std::string& what,
             double target_ms, const Options& o,
             const std::function<size_t(int)>& fn) {
  std::vector<double> ms;
  double hits = 0;
  Clock::time_point begin = Clock::now();
  for (int k = 0; k < o.samples; ++k) {
    Clock::time_point t = Clock::now();
    hits += static_cast<double>(fn(k));
    ms.push_back(Seconds(t) * 1000);
    if (Seconds(begin) > o.budget_s) break;
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    size_t idx = static_cast<size_t>(std::ceil(q * ms.size())) - 1;
    return ms[std::min(idx, ms.size() - 1)];
  };
  Row r{backend + " " + what, static_cast<int>(ms.size()), at(0.5), at(0.95),
        ms.back(), target_ms, hits / ms.size()};
  std::printf("  %-44s n=%-4d p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms  "
              "hits %7.1f  %s\n",
              what.c_str(), r.n, r.p50_ms, r.p95_ms, r.max_ms, r.avg_hits,
              r.p95_ms < target_ms ? "PASS" : "MISS");
  std::fflush(stdout);
  g_rows.push_back(r);
}

// ---- one backend --------------------------------------------------------------

struct Ingested {
  int submissions = 0;
  double seconds = 0, filing_seconds = 0;
};

std::string FormJson(int k, std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& v) {
    return v[rng() % v.size()];
  };
  std::vector<std::string> c = Compounds();
  return R"({"antragsteller":{"vorname":")" + pick(kGiven) +
         R"(","nachname":")" + pick(kFamily) + R"(","anschrift":{"strasse":")" +
         pick(kStreets) + " " + std::to_string(1 + k % 120) +
         R"(","ort":")" + pick(kPlaces) + R"("}},"begruendung":")" +
         c[rng() % c.size()] + " " + c[rng() % c.size()] + R"("})";
}

Ingested Ingest(Store& store, const Options& o) {
  std::mt19937 rng(7);
  std::vector<std::string> compounds = Compounds();
  Ingested r;
  Clock::time_point begin = Clock::now();
  for (int k = 0; k < o.ingest; ++k) {
    IncomingSubmission in;
    in.tenant = kTenants[k % 3];
    in.submission_id = NewUuid();
    in.case_id = NewUuid();
    in.destination_id = "dest-" + in.tenant;
    size_t svc = rng() % kServices.size();
    in.service_identifier =
        "urn:de:fim:leika:leistung:" + std::to_string(99100000000000 + svc);
    in.service_name = kServices[svc];
    in.subject = kServices[svc] + ": " + compounds[rng() % compounds.size()];
    std::string form = FormJson(k, rng);
    auto fblob = Must(store.files().PutBytes(form), "put form");
    in.form_data = {.purpose = "form", .filename = "antrag.json",
                    .mime_type = "application/json",
                    .content_address = fblob.address, .size = fblob.size};
    for (int a = 1; a < kDocsPerVorgang; ++a) {
      // Distinct content per attachment: 8 KiB, so every blob is new.
      std::string bytes = "%PDF-1.7\n% " + in.submission_id + " " +
                          std::to_string(a) + "\n";
      bytes.resize(8192, 'x');
      auto blob = Must(store.files().PutBytes(bytes), "put attachment");
      in.attachments.push_back(
          {.attachment_id = NewUuid(), .purpose = "attachment",
           .filename = compounds[rng() % compounds.size()] + "-" +
                       std::to_string(a) + ".pdf",
           .mime_type = "application/pdf", .content_address = blob.address,
           .size = blob.size});
    }
    in.event_log = {"eyJhbGciOiJQUzUxMiJ9.e30.sig1",
                    "eyJhbGciOiJQUzUxMiJ9.e30.sig2"};
    Clock::time_point t = Clock::now();
    auto receipt = Must(store.FileSubmission(in), "file submission");
    r.filing_seconds += Seconds(t);
    if (!receipt.newly_filed) Die("ingest", Internal("not newly filed"));
    ++r.submissions;
  }
  r.seconds = Seconds(begin);
  return r;
}

void RunBackend(const std::string& name, Store& store, sql::Db& raw,
                const Options& o) {
  std::printf("== %s ==\n", name.c_str());
  std::fflush(stdout);

  // 1. Ingest through the API.
  Ingested in = Ingest(store, o);
  double docs = static_cast<double>(in.submissions) * kDocsPerVorgang;
  std::printf("  ingest: %d submissions (%d documents) in %.1f s: "
              "%.1f submissions/s, %.1f documents/s; FileSubmission alone "
              "%.1f submissions/s (%.2f ms each)\n",
              in.submissions, in.submissions * kDocsPerVorgang, in.seconds,
              in.submissions / in.seconds, docs / in.seconds,
              in.submissions / in.filing_seconds,
              in.filing_seconds * 1000 / in.submissions);
  std::fflush(stdout);

  // 2. Fill to o.docs documents.
  std::vector<std::string> akten;
  for (const auto& t : kTenants) {
    akten.push_back(Must(store.CreateAkte(t, {.betreff = "Sammelakte " + t,
                                              .kennzeichen = "022.31",
                                              .federfuehrung = "Amt 50"},
                                          "bench"),
                         "create akte"));
  }
  Blobs blobs;
  for (int p = 0; p < kDocsPerVorgang; ++p) {
    auto b = Must(store.files().PutBytes("synthetic document " +
                                         std::to_string(p)),
                  "put blob");
    blobs.address[p] = b.address;
    blobs.size[p] = b.size;
  }
  Must(LoadWords(raw, akten), "load words");
  Dialect d{raw.dialect() == sql::Dialect::kSqlite,
            raw.dialect() == sql::Dialect::kSqlite ? "char(10)" : "chr(10)"};
  int64_t vorgaenge =
      (o.docs - static_cast<int64_t>(docs)) / kDocsPerVorgang;
  Clock::time_point fill = Clock::now();
  for (int64_t from = 1; from <= vorgaenge; from += kBatchVorgaenge) {
    int64_t to = std::min(vorgaenge, from + kBatchVorgaenge - 1);
    Must(sql::InTransaction(raw, [&]() -> Status {
           for (const std::string& s : BatchStatements(d, from, to, blobs)) {
             DS_RETURN_IF_ERROR(raw.Script(s));
           }
           return Status::Ok();
         }),
         "fill");
    std::fprintf(stderr, "  filled %" PRId64 "/%" PRId64 " (%.0f s)\n", to,
                 vorgaenge, Seconds(fill));
  }
  double fill_s = Seconds(fill);
  if (!d.sqlite) Must(raw.Script("ANALYZE"), "analyze");
  double analyze_s = Seconds(fill) - fill_s;
  std::printf("  fill: %" PRId64 " Vorgänge, %" PRId64 " documents by bulk "
              "SQL in %.1f s (%.0f documents/s), ANALYZE %.1f s\n",
              vorgaenge, vorgaenge * kDocsPerVorgang, fill_s,
              static_cast<double>(vorgaenge * kDocsPerVorgang) / fill_s,
              analyze_s);
  std::fflush(stdout);
  int64_t total = Must(raw.Query("SELECT COUNT(*) FROM dokument"), "count")[0]
                      .Int(0);
  std::printf("  documents in store: %" PRId64 "\n", total);

  // The synthetic rows must be what the store's own search finds.
  auto row = Must(raw.Query("SELECT v.id, v.tenant, v.form_text FROM vorgang "
                            "v WHERE v.id = 'v10000777'"),
                  "probe");
  if (row.empty()) Die("probe", NotFound("v10000777"));
  {
    std::string text = row[0].Text(2);  // given family street ...
    std::string q = text.substr(0, text.find(' ', text.find(' ') + 1));
    auto hits = Must(store.Search(row[0].Text(1), q, 500), "probe search");
    bool found = false;
    for (const auto& h : hits) found |= h.vorgang_id == "v10000777";
    std::printf("  probe: search \"%s\" in %s: %zu hits, synthetic Vorgang "
                "%s\n", q.c_str(), row[0].Text(1).c_str(), hits.size(),
                found ? "found" : "NOT FOUND");
    if (!found) Die("probe", CheckFailed("synthetic Vorgang not found"));
  }

  // 3. Latency.
  std::mt19937_64 rng(42);
  auto rand_i = [&] { return static_cast<int64_t>(rng() % vorgaenge) + 1; };
  auto tenant_of = [](int64_t i) { return kTenants[i % 3]; };
  auto cursor_of = [](int64_t i) {
    return std::to_string(kStart + i * 60) + ":v" +
           std::to_string(10000000 + i);
  };
  auto inbox = [&](InboxFilter f) {
    return Must(store.ListInbox(f), "inbox").items.size();
  };
  std::vector<std::string> states = {"new", "routing", "delivered", "failed"};
  auto service_of = [](size_t s) {
    return "urn:de:fim:leika:leistung:" + std::to_string(99100000000000 + s);
  };

  Measure(name, "inbox first page", 50, o, [&](int k) {
    return inbox({.tenant = kTenants[k % 3]});
  });
  Measure(name, "inbox deep page (cursor)", 50, o, [&](int) {
    int64_t i = rand_i();
    return inbox({.tenant = tenant_of(i), .after = cursor_of(i)});
  });
  Measure(name, "inbox first page, service filter", 50, o, [&](int k) {
    return inbox({.tenant = kTenants[k % 3],
                  .service_identifier = service_of(rng() % kServices.size())});
  });
  Measure(name, "inbox deep page, state filter", 50, o, [&](int) {
    int64_t i = rand_i();
    return inbox({.tenant = tenant_of(i), .state = states[rng() % 4],
                  .after = cursor_of(i)});
  });
  Measure(name, "inbox first page, rare verdict", 50, o, [&](int k) {
    return inbox({.tenant = kTenants[k % 3],
                  .worst_verdict = Verdict::kRejected});
  });
  Measure(name, "inbox state + 30-day range", 50, o, [&](int) {
    int64_t i = rand_i();
    return inbox({.tenant = tenant_of(i), .state = states[rng() % 4],
                  .received_from = kStart + i * 60,
                  .received_until = kStart + i * 60 + 30 * 86400});
  });
  Measure(name, "case read (GetVorgang, 4 Dokumente)", 50, o, [&](int) {
    int64_t i = rand_i();
    auto v = Must(store.GetVorgang(tenant_of(i),
                                   "v" + std::to_string(10000000 + i)),
                  "case read");
    if (v.dokumente.size() != kDocsPerVorgang) {
      Die("case read", Internal("wrong number of Dokumente"));
    }
    return v.dokumente.size();
  });

  std::vector<std::string> compounds = Compounds();
  auto search = [&](const std::string& q) {
    return Must(store.Search(kTenants[rng() % 3], q, 50), "search").size();
  };
  Measure(name, "search compound word (~1/700)", 200, o, [&](int) {
    return search(compounds[rng() % compounds.size()]);
  });
  Measure(name, "search rare word + place", 200, o, [&](int) {
    return search(compounds[rng() % compounds.size()] + " " +
                  kPlaces[rng() % kPlaces.size()]);
  });
  Measure(name, "search family name (1/60)", 200, o, [&](int) {
    return search(kFamily[rng() % kFamily.size()]);
  });
  Measure(name, "search given + family name", 200, o, [&](int) {
    return search(kGiven[rng() % kGiven.size()] + " " +
                  kFamily[rng() % kFamily.size()]);
  });
  Measure(name, "search place (1/40)", 200, o, [&](int) {
    return search(kPlaces[rng() % kPlaces.size()]);
  });
  Measure(name, "search common word (Antrag, 14/20)", 200, o, [&](int) {
    return search("Antrag");
  });
  Measure(name, "search no match", 200, o, [&](int) {
    return search("Xylophonunterricht");
  });

  // Where the common word's time goes (the Store::Search query).
  if (!d.sqlite) {
    auto plan = Must(
        raw.Query("EXPLAIN (ANALYZE, BUFFERS) SELECT v.id, v.subject FROM "
                  "(SELECT vorgang_id, ts_rank(tsv, plainto_tsquery("
                  "'german', 'Antrag')) AS r FROM search_doc WHERE tenant = "
                  "'kreis-a' AND tsv @@ plainto_tsquery('german', 'Antrag') "
                  "ORDER BY r DESC, vorgang_id LIMIT 50) s JOIN vorgang v "
                  "ON v.id = s.vorgang_id ORDER BY s.r DESC, v.id"),
        "explain");
    std::printf("  EXPLAIN ANALYZE search 'Antrag':\n");
    for (const auto& line : plan) std::printf("    %s\n", line.Text(0).c_str());
  }
}

int Main(int argc, char** argv) {
  Options o;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    auto next = [&]() -> std::string {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", arg.c_str());
        std::exit(2);
      }
      return argv[++a];
    };
    if (arg == "--docs") {
      o.docs = std::stoll(next());
    } else if (arg == "--ingest") {
      o.ingest = std::stoi(next());
    } else if (arg == "--samples") {
      o.samples = std::stoi(next());
    } else if (arg == "--budget") {
      o.budget_s = std::stod(next());
    } else if (arg == "--sqlite-dir") {
      o.sqlite_dir = next();
    } else if (arg == "--backend") {
      o.backend = next();
    } else {
      std::fprintf(stderr,
                   "usage: records_akte_bench [--docs N] [--ingest N] "
                   "[--samples N] [--budget S] [--backend sqlite|postgres|"
                   "both] [--sqlite-dir DIR]\n");
      return 2;
    }
  }
  std::printf("records_akte_bench: %" PRId64 " documents, %d submissions "
              "through the API, %d samples per row\n",
              o.docs, o.ingest, o.samples);

  if (o.backend == "sqlite" || o.backend == "both") {
    ds::testing::TempDir tmp;
    std::filesystem::path dir =
        o.sqlite_dir.empty() ? tmp.path() : std::filesystem::path(o.sqlite_dir);
    auto store = Must(Store::OpenSqlite(dir), "open sqlite store");
    auto raw = Must(sql::OpenSqlite((dir / "records.sqlite").string()),
                    "open sqlite");
    RunBackend("sqlite", *store, *raw, o);
  }
  if (o.backend == "postgres" || o.backend == "both") {
    sql::testing::PostgresServer server;
    server.SetUp();
    std::string db = Must(server.NewDatabase(), "create database");
    ds::testing::TempDir dir;
    {
      auto store = Must(Store::OpenPostgres(server.Conninfo(db), dir.path()),
                        "open postgres store");
      auto raw = Must(sql::OpenPostgres(server.Conninfo(db)), "open pg");
      RunBackend("postgres", *store, *raw, o);
    }
    server.TearDown();
  }

  std::printf("\n| Row | n | p50 ms | p95 ms | target p95 | met |\n"
              "|---|---|---|---|---|---|\n");
  for (const Row& r : g_rows) {
    std::printf("| %s | %d | %.2f | %.2f | < %.0f ms | %s |\n",
                r.what.c_str(), r.n, r.p50_ms, r.p95_ms, r.target_ms,
                r.p95_ms < r.target_ms ? "yes" : "**no**");
  }
  return 0;
}

}  // namespace
}  // namespace ds::records

int main(int argc, char** argv) { return ds::records::Main(argc, argv); }
