// Store behaviour, run against every backend (see store_test_support.h).
#include <fstream>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "records/store_test_support.h"

namespace ds::records::testing {
namespace {
namespace fs = std::filesystem;
using ds::testing::StatusIs;

constexpr const char* kLeika = "urn:de:fim:leika:leistung:99108008000000";
constexpr const char* kOtherLeika = "urn:de:fim:leika:leistung:99050012104000";

}  // namespace

void StoreTest::SetUp() {
  auto store = OpenTestStore(GetParam(), tmp_.path());
  ASSERT_OK(store);
  store_ = std::move(*store);
}

IncomingDocument StoreTest::StoreDocument(const std::string& bytes,
                                          const std::string& filename,
                                          const std::string& mime) {
  auto blob = store_->files().PutBytes(bytes);
  EXPECT_OK(blob);
  IncomingDocument d;
  d.filename = filename;
  d.mime_type = mime;
  d.content_address = blob.ok() ? blob->address : "";
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

IncomingSubmission StoreTest::MakeSubmission(const std::string& tenant,
                                             const std::string& sid,
                                             int attachments) {
  IncomingSubmission in;
  in.tenant = tenant;
  in.submission_id = sid;
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = kLeika;
  in.service_name = "Wohngeld";
  in.received_at = 1'760'000'000;
  in.subject = "Antrag auf Wohngeld";
  in.form_data = StoreDocument(
      R"({"antragsteller":{"name":"Erika Mustermann","ort":"Jena"}})",
      "fachdaten.json", "application/json");
  for (int i = 0; i < attachments; ++i) {
    IncomingDocument a = StoreDocument("%PDF-1.7 attachment " +
                                           std::to_string(i) + " of " + sid,
                                       "Mietvertrag-" + std::to_string(i) +
                                           ".pdf",
                                       "application/pdf");
    a.attachment_id = NewUuid();
    a.findings_json = R"([{"check":"clamd","result":"clean"}])";
    in.attachments.push_back(a);
  }
  in.event_log = {"eyJhbGciOiJQUzUxMiJ9.eyJqdGkiOiIxIn0.c2ln"};
  return in;
}

namespace {

TEST_P(StoreTest, FilesSubmissionAsVorgangInPosteingang) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid(), 2);
  in.attachments[1].verdict = Verdict::kQuarantined;

  auto receipt = store_->FileSubmission(in);

  ASSERT_OK(receipt);
  EXPECT_TRUE(receipt->newly_filed);
  ASSERT_EQ(receipt->attachment_dokument_ids.size(), 2u);
  auto v = store_->GetVorgang("kreis-a", receipt->vorgang_id);
  ASSERT_OK(v);
  EXPECT_EQ(v->akte_id, "");
  EXPECT_EQ(v->submission_id, in.submission_id);
  EXPECT_EQ(v->case_id, in.case_id);
  EXPECT_EQ(v->state, "new");
  EXPECT_EQ(v->worst_verdict, Verdict::kQuarantined);
  EXPECT_EQ(v->event_log, in.event_log);
  ASSERT_EQ(v->dokumente.size(), 3u);
  EXPECT_EQ(v->dokumente[0].id, receipt->form_dokument_id);
  EXPECT_EQ(v->dokumente[0].purpose, "form");
  EXPECT_EQ(v->dokumente[2].verdict, Verdict::kQuarantined);
  EXPECT_EQ(v->dokumente[1].attachment_id, in.attachments[0].attachment_id);
  EXPECT_EQ(v->dokumente[1].findings_json, in.attachments[0].findings_json);
  ASSERT_EQ(v->dokumente[1].formats.size(), 1u);
  const Format& f = v->dokumente[1].formats[0];
  EXPECT_EQ(f.kind, "original");
  EXPECT_EQ(f.content_address, in.attachments[0].content_address);
  EXPECT_EQ(f.filename, "Mietvertrag-0.pdf");
  EXPECT_EQ(f.mime_type, "application/pdf");
  EXPECT_EQ(f.size, in.attachments[0].size);
}

TEST_P(StoreTest, FilingTwiceReturnsTheSameVorgangWithoutFilingAgain) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto first = store_->FileSubmission(in);
  ASSERT_OK(first);
  auto audit_before = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit_before);

  auto second = store_->FileSubmission(in);

  ASSERT_OK(second);
  EXPECT_FALSE(second->newly_filed);
  EXPECT_EQ(second->vorgang_id, first->vorgang_id);
  EXPECT_EQ(second->form_dokument_id, first->form_dokument_id);
  EXPECT_EQ(second->attachment_dokument_ids, first->attachment_dokument_ids);
  auto audit_after = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit_after);
  EXPECT_EQ(audit_after->size(), audit_before->size());
  InboxFilter filter{.tenant = "kreis-a"};
  EXPECT_EQ(store_->ListInbox(filter)->items.size(), 1u);
}

TEST_P(StoreTest, FilesSubmissionWithoutFormData) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid(), 1);
  in.form_data = IncomingDocument{};

  auto receipt = store_->FileSubmission(in);

  ASSERT_OK(receipt);
  EXPECT_EQ(receipt->form_dokument_id, "");
  auto v = store_->GetVorgang("kreis-a", receipt->vorgang_id);
  ASSERT_OK(v);
  ASSERT_EQ(v->dokumente.size(), 1u);
  EXPECT_EQ(v->dokumente[0].position, 1);
  auto again = store_->FileSubmission(in);
  ASSERT_OK(again);
  EXPECT_EQ(again->attachment_dokument_ids, receipt->attachment_dokument_ids);
}

TEST_P(StoreTest, SameSubmissionIdInAnotherTenantIsFiledSeparately) {
  std::string sid = NewUuid();
  auto a = store_->FileSubmission(MakeSubmission("kreis-a", sid));
  auto b = store_->FileSubmission(MakeSubmission("kreis-b", sid));

  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_NE(a->vorgang_id, b->vorgang_id);
  EXPECT_THAT(store_->GetVorgang("kreis-a", b->vorgang_id),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, ConcurrentFilingOfOneSubmissionFilesOnce) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto other = ReopenTestStore(GetParam(), tmp_.path());
  ASSERT_OK(other);
  Result<FilingReceipt> r1 = Internal("unset"), r2 = Internal("unset");

  std::thread t1([&] { r1 = store_->FileSubmission(in); });
  std::thread t2([&] { r2 = (*other)->FileSubmission(in); });
  t1.join();
  t2.join();

  ASSERT_OK(r1);
  ASSERT_OK(r2);
  EXPECT_EQ(r1->vorgang_id, r2->vorgang_id);
  EXPECT_NE(r1->newly_filed, r2->newly_filed);
}

TEST_P(StoreTest, RefusesBlobThatIsNotInTheFileStore) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  in.attachments[0].content_address = HexEncode(Sha256("never stored"));

  EXPECT_THAT(store_->FileSubmission(in), StatusIs(Code::kNotFound));
  EXPECT_TRUE(store_->ListInbox({.tenant = "kreis-a"})->items.empty());
}

TEST_P(StoreTest, RefusesDeclaredSizeThatDiffersFromBlob) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  in.form_data.size += 1;

  EXPECT_THAT(store_->FileSubmission(in), StatusIs(Code::kCheckFailed));
}

TEST_P(StoreTest, RefusesMissingIdsAndMalformedFindings) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  IncomingSubmission no_tenant = in;
  no_tenant.tenant = "";
  IncomingSubmission bad_findings = in;
  bad_findings.attachments[0].findings_json = "not json";

  EXPECT_THAT(store_->FileSubmission(no_tenant),
              StatusIs(Code::kInvalidInput));
  EXPECT_THAT(store_->FileSubmission(bad_findings),
              StatusIs(Code::kInvalidInput));
}

TEST_P(StoreTest, KeepsNeutralisedRenditionBesideTheOriginal) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto clean = store_->files().PutBytes("%PDF-1.7 without scripts");
  ASSERT_OK(clean);
  in.attachments[0].verdict = Verdict::kNeutralised;
  in.attachments[0].rendition_address = clean->address;

  auto receipt = store_->FileSubmission(in);

  ASSERT_OK(receipt);
  auto v = store_->GetVorgang("kreis-a", receipt->vorgang_id);
  ASSERT_OK(v);
  const auto& formats = v->dokumente[1].formats;
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_EQ(formats[0].kind, "original");
  EXPECT_EQ(formats[0].content_address, in.attachments[0].content_address);
  EXPECT_EQ(formats[1].kind, "rendition");
  EXPECT_EQ(formats[1].rendition_of, formats[0].id);
  EXPECT_EQ(formats[1].content_address, clean->address);
}

TEST_P(StoreTest, InboxPagesThroughAllCasesNewestFirstExactlyOnce) {
  std::set<std::string> filed;
  for (int i = 0; i < 23; ++i) {
    IncomingSubmission in = MakeSubmission("kreis-a", NewUuid(), 0);
    in.received_at = 1'760'000'000 + (i % 7);  // ties across pages
    auto r = store_->FileSubmission(in);
    ASSERT_OK(r);
    filed.insert(r->vorgang_id);
  }

  std::set<std::string> seen;
  InboxFilter filter{.tenant = "kreis-a", .limit = 5};
  int64_t last_at = INT64_MAX;
  int pages = 0;
  do {
    auto page = store_->ListInbox(filter);
    ASSERT_OK(page);
    for (const Vorgang& v : page->items) {
      EXPECT_LE(v.received_at, last_at);
      last_at = v.received_at;
      EXPECT_TRUE(seen.insert(v.id).second) << "duplicate " << v.id;
    }
    filter.after = page->next_cursor;
    ++pages;
  } while (!filter.after.empty());

  EXPECT_EQ(seen, filed);
  EXPECT_EQ(pages, 5);
}

TEST_P(StoreTest, InboxFiltersByServiceStateVerdictAndDate) {
  IncomingSubmission a = MakeSubmission("kreis-a", NewUuid());
  IncomingSubmission b = MakeSubmission("kreis-a", NewUuid());
  b.service_identifier = kOtherLeika;
  b.received_at += 3600;
  b.attachments[0].verdict = Verdict::kRejected;
  auto ra = store_->FileSubmission(a);
  auto rb = store_->FileSubmission(b);
  ASSERT_OK(ra);
  ASSERT_OK(rb);
  ASSERT_OK(store_->RecordRouting("kreis-a", ra->vorgang_id, "delivered",
                                  "webhook 200", "router"));

  auto by_service = store_->ListInbox(
      {.tenant = "kreis-a", .service_identifier = std::string(kOtherLeika)});
  auto by_state = store_->ListInbox(
      {.tenant = "kreis-a", .state = std::string("delivered")});
  auto by_verdict = store_->ListInbox(
      {.tenant = "kreis-a", .worst_verdict = Verdict::kRejected});
  auto by_date = store_->ListInbox({.tenant = "kreis-a",
                                    .received_from = a.received_at,
                                    .received_until = a.received_at + 1});
  auto other_tenant = store_->ListInbox({.tenant = "kreis-b"});

  ASSERT_OK(by_service);
  ASSERT_EQ(by_service->items.size(), 1u);
  EXPECT_EQ(by_service->items[0].id, rb->vorgang_id);
  ASSERT_EQ(by_state->items.size(), 1u);
  EXPECT_EQ(by_state->items[0].id, ra->vorgang_id);
  EXPECT_EQ(by_state->items[0].routing_detail, "webhook 200");
  ASSERT_EQ(by_verdict->items.size(), 1u);
  EXPECT_EQ(by_verdict->items[0].id, rb->vorgang_id);
  ASSERT_EQ(by_date->items.size(), 1u);
  EXPECT_EQ(by_date->items[0].id, ra->vorgang_id);
  EXPECT_TRUE(other_tenant->items.empty());
}

TEST_P(StoreTest, InboxRejectsMalformedCursorAndLimit) {
  EXPECT_THAT(store_->ListInbox({.tenant = "t", .after = "garbage"}),
              StatusIs(Code::kInvalidInput));
  EXPECT_THAT(store_->ListInbox({.tenant = "t", .limit = 0}),
              StatusIs(Code::kInvalidInput));
}

TEST_P(StoreTest, AssigningToAkteTakesVorgangOutOfPosteingang) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);
  auto akte = store_->CreateAkte(
      "kreis-a",
      {.betreff = "Wohngeld Mustermann", .kennzeichen = "50.12.03",
       .federfuehrung = "Sozialamt", .retention_years = 10},
      "clerk-1");
  ASSERT_OK(akte);

  ASSERT_OK(store_->AssignToAkte("kreis-a", r->vorgang_id, *akte, "clerk-1"));

  EXPECT_TRUE(store_->ListInbox({.tenant = "kreis-a"})->items.empty());
  EXPECT_EQ(store_->GetVorgang("kreis-a", r->vorgang_id)->akte_id, *akte);
  auto got = store_->GetAkte("kreis-a", *akte);
  ASSERT_OK(got);
  EXPECT_EQ(got->meta.kennzeichen, "50.12.03");
  EXPECT_EQ(got->meta.retention_years, 10);
  EXPECT_EQ(got->meta.vertraulichkeit, "003");
}

TEST_P(StoreTest, CannotAssignToAkteOfAnotherTenant) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  auto akte = store_->CreateAkte("kreis-b", {.betreff = "x"}, "clerk");
  ASSERT_OK(r);
  ASSERT_OK(akte);

  EXPECT_THAT(store_->AssignToAkte("kreis-a", r->vorgang_id, *akte, "clerk"),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, ChangesMetadataOfAkteAndVorgang) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  auto akte = store_->CreateAkte("kreis-a", {.betreff = "alt"}, "clerk");
  ASSERT_OK(r);
  ASSERT_OK(akte);

  ASSERT_OK(store_->ChangeAkte("kreis-a", *akte,
                               {.betreff = std::string("neu"),
                                .vertraulichkeit = std::string("002")},
                               "clerk"));
  ASSERT_OK(store_->ChangeVorgang("kreis-a", r->vorgang_id,
                                  {.subject = std::string("Wohngeld 2027")},
                                  "clerk"));

  EXPECT_EQ(store_->GetAkte("kreis-a", *akte)->meta.betreff, "neu");
  EXPECT_EQ(store_->GetAkte("kreis-a", *akte)->meta.vertraulichkeit, "002");
  EXPECT_EQ(store_->GetVorgang("kreis-a", r->vorgang_id)->subject,
            "Wohngeld 2027");
  EXPECT_THAT(store_->ChangeVorgang("kreis-a", "no-such-id",
                                    {.subject = std::string("x")}, "clerk"),
              StatusIs(Code::kNotFound));
  // Typed metadata is plain text and the Betreff is not blank.
  for (const std::string& bad :
       {std::string("a\x1b[2J"), std::string("x\u202egpj.exe"),
        std::string("  "), std::string(1001, 'x')}) {
    EXPECT_THAT(store_->ChangeVorgang("kreis-a", r->vorgang_id,
                                      {.subject = bad}, "clerk"),
                StatusIs(Code::kInvalidInput));
    EXPECT_THAT(store_->CreateAkte("kreis-a", {.betreff = bad}, "clerk"),
                StatusIs(Code::kInvalidInput));
  }
  EXPECT_EQ(store_->GetVorgang("kreis-a", r->vorgang_id)->subject,
            "Wohngeld 2027");
}

TEST_P(StoreTest, ReadContentVerifiesAndIsAudited) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  std::string format_id = v->dokumente[1].formats[0].id;

  auto bytes = store_->ReadContent("kreis-a", format_id, "clerk-7");

  ASSERT_OK(bytes);
  EXPECT_EQ(HexEncode(Sha256(*bytes)), in.attachments[0].content_address);
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  EXPECT_EQ(audit->back().action, "read-content");
  EXPECT_EQ(audit->back().actor, "clerk-7");
  EXPECT_THAT(store_->ReadContent("kreis-b", format_id, "x"),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, StreamContentDeliversVerifiedChunks) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  std::string got;

  ASSERT_OK(store_->StreamContent(
      "kreis-a", v->dokumente[0].formats[0].id, "clerk",
      [&](std::string_view chunk) {
        got.append(chunk);
        return Status::Ok();
      }));

  EXPECT_EQ(HexEncode(Sha256(got)), in.form_data.content_address);
  EXPECT_EQ(store_->ReadAudit("kreis-a")->back().action, "read-content");
}

TEST_P(StoreTest, FilesBescheidAndNewVersionIntoExistingVorgang) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);
  IncomingDocument bescheid =
      StoreDocument("%PDF-1.7 Bescheid", "Bescheid.pdf", "application/pdf");
  bescheid.purpose = "bescheid";

  auto id = store_->AddDokument("kreis-a", r->vorgang_id, bescheid, "fv-1");
  ASSERT_OK(id);
  IncomingDocument corrected = StoreDocument(
      "%PDF-1.7 Bescheid berichtigt", "Bescheid-2.pdf", "application/pdf");
  auto number = store_->AddVersion("kreis-a", *id, corrected, "fv-1");

  ASSERT_OK(number);
  EXPECT_EQ(*number, 2);
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  ASSERT_EQ(v->dokumente.size(), 3u);
  EXPECT_EQ(v->dokumente[2].id, *id);
  EXPECT_EQ(v->dokumente[2].position, 2);
  EXPECT_EQ(v->dokumente[2].purpose, "bescheid");
  EXPECT_EQ(v->dokumente[2].version, 2);
  EXPECT_EQ(v->dokumente[2].formats[0].content_address,
            corrected.content_address);
  EXPECT_EQ(v->worst_verdict, Verdict::kClean);

  // A quarantined document filed later makes the Vorgang quarantined.
  IncomingDocument unscanned =
      StoreDocument("%PDF-1.7 Anlage", "Anlage.pdf", "application/pdf");
  unscanned.verdict = Verdict::kQuarantined;
  ASSERT_OK(store_->AddDokument("kreis-a", r->vorgang_id, unscanned, "fv-1"));
  EXPECT_EQ(store_->GetVorgang("kreis-a", r->vorgang_id)->worst_verdict,
            Verdict::kQuarantined);
  EXPECT_THAT(store_->AddDokument("kreis-b", r->vorgang_id, bescheid, "fv"),
              StatusIs(Code::kNotFound));
  EXPECT_TRUE(store_->VerifyAudit()->ok());
}

TEST_P(StoreTest, AppendAuditRecordsOutsideActions) {
  ASSERT_OK(store_->AppendAudit("kreis-a", "xdomea", kActionExport,
                                {"vorgang-1"}, {{"message", "0605"}}));

  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "export");
  EXPECT_THAT(store_->AppendAudit("kreis-a", "x", "export", {}, "text"),
              StatusIs(Code::kInvalidInput));
}

TEST_P(StoreTest, ReadContentRefusesCorruptedBlob) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  fs::path blob = store_->files().PathOf(in.attachments[0].content_address);
  fs::permissions(blob, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(blob, std::ios::binary) << "%PDF-1.7 swapped";
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);

  EXPECT_THAT(store_->ReadContent("kreis-a", v->dokumente[1].formats[0].id,
                                  "clerk"),
              StatusIs(Code::kCheckFailed));
}

TEST_P(StoreTest, AuditChainVerifiesAndHoldsNoPersonalData) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);
  ASSERT_OK(store_->RecordRouting("kreis-a", r->vorgang_id, "routing", "",
                                  "router"));
  ASSERT_OK(store_->FileSubmission(MakeSubmission("kreis-b", NewUuid())));

  auto report = store_->VerifyAudit();

  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->ToJson().dump();
  EXPECT_EQ(report->tenants, 2);
  EXPECT_EQ(report->entries, 3);
  EXPECT_EQ(report->blobs_checked, 3);  // both form blobs are equal
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].seq, 1);
  EXPECT_EQ((*audit)[0].prev_hash, kGenesisHash);
  EXPECT_EQ((*audit)[1].prev_hash, (*audit)[0].hash);
  EXPECT_EQ((*audit)[0].action, "create");
  for (const AuditEntry& e : *audit) {
    EXPECT_EQ(e.details.find("Wohngeld"), std::string::npos);
    EXPECT_EQ(e.details.find("Mustermann"), std::string::npos);
    EXPECT_EQ(e.details.find("Mietvertrag"), std::string::npos);
  }
}

TEST_P(StoreTest, VerifyAuditReportsCorruptedAndMissingBlobs) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid(), 2);
  ASSERT_OK(store_->FileSubmission(in));
  fs::path corrupt = store_->files().PathOf(in.attachments[0].content_address);
  fs::permissions(corrupt, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(corrupt, std::ios::binary) << "x";
  fs::remove(store_->files().PathOf(in.attachments[1].content_address));

  auto report = store_->VerifyAudit();

  ASSERT_OK(report);
  ASSERT_FALSE(report->ok());
  std::set<std::string> kinds;
  for (const auto& p : report->problems) kinds.insert(p.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"blob-corrupted", "blob-missing"}));
}

TEST_P(StoreTest, SearchFindsSubjectFormDataAndFilenames) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  ASSERT_OK(store_->FileSubmission(MakeSubmission("kreis-b", NewUuid())));

  auto by_subject = store_->Search("kreis-a", "Wohngeld");
  auto by_form = store_->Search("kreis-a", "Mustermann Jena");
  auto by_name = store_->Search("kreis-a", "Mietvertrag");
  auto none = store_->Search("kreis-a", "Baugenehmigung");
  auto syntax = store_->Search("kreis-a", "\"Wohngeld\" AND (* OR NEAR");

  ASSERT_OK(by_subject);
  ASSERT_EQ(by_subject->size(), 1u);
  EXPECT_EQ((*by_subject)[0].vorgang_id, r->vorgang_id);
  ASSERT_OK(by_form);
  EXPECT_EQ(by_form->size(), 1u);
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->size(), 1u);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  EXPECT_OK(syntax);
}

TEST_P(StoreTest, SearchFollowsMetadataChanges) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);

  ASSERT_OK(store_->ChangeVorgang("kreis-a", r->vorgang_id,
                                  {.subject = std::string("Kindergeld")},
                                  "clerk"));

  EXPECT_EQ(store_->Search("kreis-a", "Kindergeld")->size(), 1u);
}

TEST_P(StoreTest, RetentionDeletesContentAfterPeriodAndKeepsIds) {
  constexpr int64_t kDay = 86400;
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  ASSERT_OK(store_->SetRetention("kreis-a", "default", 30, "admin"));
  ASSERT_OK(store_->CloseVorgang("kreis-a", r->vorgang_id, 1'800'000'000,
                                 "clerk"));

  auto early = store_->RunRetention(1'800'000'000 + 29 * kDay, "retention");
  ASSERT_OK(early);
  EXPECT_EQ(early->dokumente_deleted, 0);
  auto due = store_->RunRetention(1'800'000'000 + 30 * kDay, "retention");

  ASSERT_OK(due);
  EXPECT_EQ(due->dokumente_deleted, 2);
  EXPECT_EQ(due->blobs_removed, 2);
  EXPECT_FALSE(store_->files().Contains(in.attachments[0].content_address));
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  EXPECT_EQ(v->subject, "");
  EXPECT_EQ(v->submission_id, in.submission_id);
  ASSERT_TRUE(v->dokumente[1].deleted_at.has_value());
  EXPECT_EQ(v->dokumente[1].formats[0].content_address, "");
  EXPECT_EQ(v->dokumente[1].formats[0].filename, "");
  EXPECT_TRUE(store_->Search("kreis-a", "Mustermann")->empty());
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  EXPECT_EQ(audit->back().action, "delete");
  EXPECT_EQ(audit->back().details.find("Mietvertrag"), std::string::npos);
  auto report = store_->VerifyAudit();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->ToJson().dump();
}

TEST_P(StoreTest, LegalHoldBlocksDeletion) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);
  auto akte = store_->CreateAkte("kreis-a", {.betreff = "x"}, "clerk");
  ASSERT_OK(akte);
  ASSERT_OK(store_->AssignToAkte("kreis-a", r->vorgang_id, *akte, "clerk"));
  ASSERT_OK(store_->SetRetention("kreis-a", "default", 1, "admin"));
  ASSERT_OK(store_->CloseVorgang("kreis-a", r->vorgang_id, 1000, "clerk"));
  ASSERT_OK(store_->SetLegalHold("kreis-a", "akte", *akte, true, "legal"));

  auto held = store_->RunRetention(1000 + 10 * 86400, "retention");
  ASSERT_OK(held);
  EXPECT_EQ(held->dokumente_deleted, 0);
  EXPECT_EQ(held->held_back, 2);
  ASSERT_OK(store_->SetLegalHold("kreis-a", "akte", *akte, false, "legal"));
  auto released = store_->RunRetention(1000 + 10 * 86400, "retention");

  ASSERT_OK(released);
  EXPECT_EQ(released->dokumente_deleted, 2);
}

TEST_P(StoreTest, RetentionKeepsBlobStillUsedElsewhere) {
  IncomingSubmission a = MakeSubmission("kreis-a", NewUuid());
  IncomingSubmission b = MakeSubmission("kreis-a", NewUuid());
  b.attachments[0] = a.attachments[0];  // same file sent twice
  auto ra = store_->FileSubmission(a);
  ASSERT_OK(ra);
  ASSERT_OK(store_->FileSubmission(b));
  ASSERT_OK(store_->SetRetention("kreis-a", "default", 0, "admin"));
  ASSERT_OK(store_->CloseVorgang("kreis-a", ra->vorgang_id, 1000, "clerk"));

  auto report = store_->RunRetention(2000, "retention");

  ASSERT_OK(report);
  EXPECT_EQ(report->dokumente_deleted, 2);
  EXPECT_TRUE(store_->files().Contains(a.attachments[0].content_address));
  EXPECT_TRUE(store_->files().Contains(b.form_data.content_address));
}

TEST_P(StoreTest, OpenVorgangIsNeverDue) {
  ASSERT_OK(store_->FileSubmission(MakeSubmission("kreis-a", NewUuid())));
  ASSERT_OK(store_->SetRetention("kreis-a", "default", 0, "admin"));

  auto report = store_->RunRetention(INT32_MAX, "retention");

  ASSERT_OK(report);
  EXPECT_EQ(report->dokumente_deleted, 0);
}

// ---- Akten listing, Vorgänge of an Akte, formats, API tokens -------------

TEST_P(StoreTest, ListsAktenNewestFirstWithFiltersAndCursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = store_->CreateAkte(
        "kreis-a", {.betreff = "A", .kennzeichen = i == 1 ? "50.1" : "60"},
        "clerk");
    ASSERT_OK(id);
    ids.push_back(*id);
  }
  ASSERT_OK(store_->CreateAkte("kreis-b", {.betreff = "B"}, "clerk"));

  auto first = store_->ListAkten({.tenant = "kreis-a", .limit = 2});
  ASSERT_OK(first);
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = store_->ListAkten(
      {.tenant = "kreis-a", .limit = 2, .after = first->next_cursor});
  ASSERT_OK(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_TRUE(second->next_cursor.empty());
  std::set<std::string> seen = {first->items[0].id, first->items[1].id,
                                second->items[0].id};
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));

  auto by_kennzeichen = store_->ListAkten(
      {.tenant = "kreis-a", .kennzeichen = std::string("50.1")});
  ASSERT_OK(by_kennzeichen);
  ASSERT_EQ(by_kennzeichen->items.size(), 1u);
  EXPECT_EQ(by_kennzeichen->items[0].id, ids[1]);
  auto closed = store_->ListAkten({.tenant = "kreis-a", .closed = true});
  ASSERT_OK(closed);
  EXPECT_TRUE(closed->items.empty());
  EXPECT_THAT(store_->ListAkten({.tenant = "kreis-a", .after = "x"}),
              StatusIs(Code::kInvalidInput));
  EXPECT_THAT(store_->ListAkten({.tenant = "kreis-a", .limit = 0}),
              StatusIs(Code::kInvalidInput));
}

TEST_P(StoreTest, InboxFilterByAkteListsItsVorgaengeInItsTenantOnly) {
  auto r = store_->FileSubmission(MakeSubmission("kreis-a", NewUuid()));
  ASSERT_OK(r);
  ASSERT_OK(store_->FileSubmission(MakeSubmission("kreis-a", NewUuid())));
  auto akte = store_->CreateAkte("kreis-a", {.betreff = "A"}, "clerk");
  ASSERT_OK(akte);
  ASSERT_OK(store_->AssignToAkte("kreis-a", r->vorgang_id, *akte, "clerk"));

  auto in_akte = store_->ListInbox({.tenant = "kreis-a", .akte_id = *akte});
  auto inbox = store_->ListInbox({.tenant = "kreis-a"});
  auto other = store_->ListInbox({.tenant = "kreis-b", .akte_id = *akte});

  ASSERT_OK(in_akte);
  ASSERT_EQ(in_akte->items.size(), 1u);
  EXPECT_EQ(in_akte->items[0].id, r->vorgang_id);
  ASSERT_OK(inbox);
  EXPECT_EQ(inbox->items.size(), 1u);
  ASSERT_OK(other);
  EXPECT_TRUE(other->items.empty());
}

TEST_P(StoreTest, GetFormatDescribesAFormatOfItsTenantOnly) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  in.attachments[0].verdict = Verdict::kQuarantined;
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  const Format& f = v->dokumente.at(1).formats.at(0);

  auto info = store_->GetFormat("kreis-a", f.id);

  ASSERT_OK(info);
  EXPECT_EQ(info->format.filename, "Mietvertrag-0.pdf");
  EXPECT_EQ(info->format.mime_type, "application/pdf");
  EXPECT_EQ(info->vorgang_id, r->vorgang_id);
  EXPECT_EQ(info->dokument_id, v->dokumente[1].id);
  EXPECT_EQ(info->verdict, Verdict::kQuarantined);
  EXPECT_THAT(store_->GetFormat("kreis-b", f.id),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, KeepsApiTokensAsHashesAndRevokesThem) {
  ApiToken t{.id = "0123456789abcdef0123456789abcdef", .tenant = "kreis-a",
             .user = "m.muster", .role = "clerk",
             .secret_hash = std::string(64, 'a')};
  ASSERT_OK(store_->AddApiToken(t, "cli"));
  EXPECT_THAT(store_->AddApiToken(t, "cli"), StatusIs(Code::kAlreadyExists));
  t.secret_hash = "short";
  t.id = "other";
  EXPECT_THAT(store_->AddApiToken(t, "cli"), StatusIs(Code::kInvalidInput));

  auto got = store_->GetApiToken("0123456789abcdef0123456789abcdef");
  ASSERT_OK(got);
  EXPECT_EQ(got->user, "m.muster");
  EXPECT_EQ(got->secret_hash, std::string(64, 'a'));
  EXPECT_FALSE(got->revoked_at.has_value());

  EXPECT_THAT(store_->RevokeApiToken("kreis-b", got->id, "cli"),
              StatusIs(Code::kNotFound));
  ASSERT_OK(store_->RevokeApiToken("kreis-a", got->id, "cli"));
  auto revoked = store_->GetApiToken(got->id);
  ASSERT_OK(revoked);
  EXPECT_TRUE(revoked->revoked_at.has_value());
  auto active = store_->ListApiTokens("kreis-a");
  ASSERT_OK(active);
  EXPECT_TRUE(active->empty());
  auto all = store_->ListApiTokens("kreis-a", true);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);

  // Creation and revocation are in the audit trail, without the user name.
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "configure");
  EXPECT_EQ((*audit)[0].details.find("m.muster"), std::string::npos);
}

TEST_P(StoreTest, IndexesTextRenditionsForSearch) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  auto text = store_->files().PutBytes("Grundbuchauszug Zaunkoenig Flur 7");
  ASSERT_OK(text);
  in.attachments[0].text_address = text->address;
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);

  auto hits = store_->Search("kreis-a", "Zaunkoenig");

  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].vorgang_id, r->vorgang_id);
  auto v = store_->GetVorgang("kreis-a", r->vorgang_id);
  ASSERT_OK(v);
  const auto& formats = v->dokumente.at(1).formats;
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_EQ(formats[1].kind, "rendition");
  EXPECT_EQ(formats[1].mime_type, "text/plain; charset=utf-8");
  EXPECT_EQ(formats[1].filename, "Mietvertrag-0.pdf.txt");
  EXPECT_EQ(formats[1].rendition_of, formats[0].id);

  // Re-indexing (a metadata change) keeps the text findable.
  ASSERT_OK(store_->ChangeVorgang("kreis-a", r->vorgang_id,
                                  {.subject = std::string("neu")}, "clerk"));
  hits = store_->Search("kreis-a", "Zaunkoenig");
  ASSERT_OK(hits);
  EXPECT_EQ(hits->size(), 1u);

  IncomingSubmission bad = MakeSubmission("kreis-a", NewUuid());
  bad.attachments[0].text_address = "not-an-address";
  EXPECT_THAT(store_->FileSubmission(bad), StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::records::testing
