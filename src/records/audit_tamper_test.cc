// Tampering with the SQLite file directly, one test per kind of change:
// `audit verify` must notice each. The append-only triggers are dropped
// first, as an attacker with file access would.
#include <sqlite3.h>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::records {
namespace {
namespace fs = std::filesystem;
using ds::testing::TempDir;

class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::OpenSqlite(tmp_.path());
    ASSERT_OK(store);
    for (int i = 0; i < 3; ++i) {
      auto blob =
          (*store)->files().PutBytes("{\"n\":" + std::to_string(i) + "}");
      ASSERT_OK(blob);
      IncomingSubmission in;
      in.tenant = "kreis-a";
      in.submission_id = NewUuid();
      in.form_data.content_address = blob->address;
      in.form_data.size = blob->size;
      in.form_data.mime_type = "application/json";
      ASSERT_OK((*store)->FileSubmission(in));
    }
    auto report = (*store)->VerifyAudit();
    ASSERT_OK(report);
    ASSERT_TRUE(report->ok());
    ASSERT_EQ(report->entries, 3);
  }

  // Runs SQL on the database file behind the store's back.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((tmp_.path() / "records.sqlite").c_str(), &db),
              SQLITE_OK);
    std::string script =
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + sql;
    char* err = nullptr;
    int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }

  AuditReport Verify() {
    auto store = Store::OpenSqlite(tmp_.path());
    EXPECT_OK(store);
    auto report = (*store)->VerifyAudit();
    EXPECT_OK(report);
    return *report;
  }

  TempDir tmp_;
};

TEST_F(AuditTamperTest, DetectsAlteredEntry) {
  Tamper("UPDATE audit SET actor = 'someone-else' WHERE seq = 2");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "chain");
  EXPECT_EQ(report.problems[0].seq, 2);
}

TEST_F(AuditTamperTest, DetectsAlteredDetailsWithRecomputedHashButOldLink) {
  // The attacker fixes the entry's own hash; the next entry's link breaks.
  Tamper("UPDATE audit SET details = '{\"object\":\"forged\"}' WHERE seq = 1");
  auto store = Store::OpenSqlite(tmp_.path());
  ASSERT_OK(store);
  auto entries = (*store)->ReadAudit("kreis-a");
  ASSERT_OK(entries);
  std::string rehash = AuditHash((*entries)[0]);
  store->reset();
  Tamper("UPDATE audit SET hash = '" + rehash + "' WHERE seq = 1");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "chain");
  EXPECT_EQ(report.problems[0].seq, 2);
}

TEST_F(AuditTamperTest, DetectsRemovedEntry) {
  Tamper("DELETE FROM audit WHERE seq = 2");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "chain");
  EXPECT_EQ(report.problems[0].seq, 3);
}

TEST_F(AuditTamperTest, DetectsRemovedNewestEntry) {
  Tamper("DELETE FROM audit WHERE seq = 3");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "head");
}

TEST_F(AuditTamperTest, DetectsInsertedEntry) {
  // Shift entries 2.. up and slip a copy of entry 1 in at seq 2.
  Tamper(
      "UPDATE audit SET seq = seq + 10 WHERE seq >= 2;"
      "UPDATE audit SET seq = seq - 9 WHERE seq >= 12;"
      "INSERT INTO audit SELECT tenant, 2, time, actor, action, object_ids, "
      "details, hash, hash FROM audit WHERE seq = 1;"
      "UPDATE audit_head SET seq = 4;");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "chain");
  EXPECT_EQ(report.problems[0].seq, 2);
}

TEST_F(AuditTamperTest, DetectsReorderedEntries) {
  Tamper(
      "UPDATE audit SET seq = 100 WHERE seq = 2;"
      "UPDATE audit SET seq = 2 WHERE seq = 3;"
      "UPDATE audit SET seq = 3 WHERE seq = 100;");

  AuditReport report = Verify();

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].kind, "chain");
  EXPECT_EQ(report.problems[0].seq, 2);
}

TEST_F(AuditTamperTest, UntouchedFileVerifies) {
  AuditReport report = Verify();

  EXPECT_TRUE(report.ok()) << report.ToJson().dump();
}

// Rows of the records model are sealed by the audit entry of their last
// change: an edit, a swap or an insertion behind the store's back shows.
TEST_F(AuditTamperTest, DetectsAChangedVorgangRow) {
  Tamper("UPDATE vorgang SET subject = 'forged' WHERE rowid = 2");

  AuditReport report = Verify();

  ASSERT_EQ(report.problems.size(), 1u) << report.ToJson().dump();
  EXPECT_EQ(report.problems[0].kind, "row-changed");
  EXPECT_EQ(report.problems[0].seq, 2);
  EXPECT_EQ(report.rows_checked, 6);  // 3 Vorgänge, 3 Dokumente
}

// A store written before the E-Akte kept the data schema: its rows were
// sealed without that column. Opening it adds the column, the old seals
// still hold, and the column is sealed where it is set.
TEST_F(AuditTamperTest, AStoreFromBeforeTheDataSchemaColumnIsUpgraded) {
  Tamper("ALTER TABLE vorgang DROP COLUMN data_schema");
  {
    auto store = Store::OpenSqlite(tmp_.path());
    ASSERT_OK(store);
    IncomingSubmission in;
    in.tenant = "kreis-a";
    in.submission_id = NewUuid();
    in.data_schema = "urn:example:schema:wohngeld";
    auto receipt = (*store)->FileSubmission(in);
    ASSERT_OK(receipt);
    auto v = (*store)->GetVorgang("kreis-a", receipt->vorgang_id);
    ASSERT_OK(v);
    EXPECT_EQ(v->data_schema, "urn:example:schema:wohngeld");
  }
  AuditReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.ToJson().dump();
  EXPECT_EQ(report.rows_checked, 7);

  Tamper(
      "UPDATE vorgang SET data_schema = 'urn:forged' "
      "WHERE data_schema IS NOT NULL");
  report = Verify();
  ASSERT_EQ(report.problems.size(), 1u) << report.ToJson().dump();
  EXPECT_EQ(report.problems[0].kind, "row-changed");
}

TEST_F(AuditTamperTest, DetectsADocumentPointedAtAnotherFile) {
  // Both files exist and are intact, so the blob check alone cannot see it.
  Tamper(
      "UPDATE format SET content_address = (SELECT content_address FROM "
      "format WHERE rowid = 3) WHERE rowid = 1");

  AuditReport report = Verify();

  ASSERT_EQ(report.problems.size(), 1u) << report.ToJson().dump();
  EXPECT_EQ(report.problems[0].kind, "row-changed");
  EXPECT_EQ(report.problems[0].seq, 1);
}

TEST_F(AuditTamperTest, DetectsAVorgangInsertedOutsideTheStore) {
  Tamper(
      "INSERT INTO vorgang (id, tenant, submission_id, case_id, "
      "destination_id, service_identifier, service_name, subject, "
      "received_at, state, worst_verdict) VALUES ('forged-vorgang', "
      "'kreis-a', 's', 'c', 'd', 'x', 'y', 'z', 1, 'new', 0)");

  AuditReport report = Verify();

  ASSERT_EQ(report.problems.size(), 1u) << report.ToJson().dump();
  EXPECT_EQ(report.problems[0].kind, "row-unsealed");
  EXPECT_NE(report.problems[0].detail.find("forged-vorgang"),
            std::string::npos);
}

TEST_F(AuditTamperTest, DetectsADokumentDeletedOutsideTheStore) {
  // The store never deletes Dokumente (retention empties them).
  Tamper(
      "DELETE FROM format WHERE version_id IN (SELECT v.id FROM version v "
      "JOIN dokument d ON d.id = v.dokument_id WHERE d.rowid = 2); "
      "DELETE FROM version WHERE dokument_id = "
      "(SELECT id FROM dokument WHERE rowid = 2); "
      "DELETE FROM dokument WHERE rowid = 2");

  AuditReport report = Verify();

  ASSERT_EQ(report.problems.size(), 1u) << report.ToJson().dump();
  EXPECT_EQ(report.problems[0].kind, "row-missing");
  EXPECT_EQ(report.problems[0].seq, 2);
}

TEST_F(AuditTamperTest, ChangesThroughTheStoreStaySealed) {
  {
    auto store = Store::OpenSqlite(tmp_.path());
    ASSERT_OK(store);
    auto page = (*store)->ListInbox({.tenant = "kreis-a"});
    ASSERT_OK(page);
    ASSERT_EQ(page->items.size(), 3u);
    const std::string& v = page->items[0].id;
    VorgangChange change;
    change.subject = "Neuer Betreff";
    ASSERT_OK((*store)->ChangeVorgang("kreis-a", v, change, "clerk"));
    ASSERT_OK(
        (*store)->RecordRouting("kreis-a", v, "delivered", "fv-a", "router"));
    auto akte = (*store)->CreateAkte(
        "kreis-a",
        {.betreff = "Wohngeld", .kennzeichen = "1", .federfuehrung = "A"},
        "clerk");
    ASSERT_OK(akte);
    ASSERT_OK((*store)->AssignToAkte("kreis-a", v, *akte, "clerk"));
    auto blob = (*store)->files().PutBytes("%PDF-1.4 Bescheid");
    ASSERT_OK(blob);
    IncomingDocument bescheid;
    bescheid.content_address = blob->address;
    bescheid.size = blob->size;
    bescheid.mime_type = "application/pdf";
    bescheid.filename = "Bescheid.pdf";
    bescheid.verdict = Verdict::kQuarantined;
    ASSERT_OK((*store)->AddDokument("kreis-a", v, bescheid, "fachverfahren"));
    ASSERT_OK((*store)->CloseVorgang("kreis-a", v, 0, "clerk"));
  }

  AuditReport report = Verify();

  EXPECT_TRUE(report.ok()) << report.ToJson().dump();
  EXPECT_EQ(report.rows_checked, 8);  // 3 Vorgänge, 4 Dokumente, 1 Akte
}

TEST_F(AuditTamperTest, DatabaseRefusesUpdatesOfAuditRows) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp_.path() / "records.sqlite").c_str(), &db),
            SQLITE_OK);

  int rc = sqlite3_exec(db, "UPDATE audit SET actor = 'x'", nullptr, nullptr,
                        nullptr);
  sqlite3_close(db);

  EXPECT_NE(rc, SQLITE_OK);
}

}  // namespace
}  // namespace ds::records
