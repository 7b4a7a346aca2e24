// Imports into the E-Akte from other systems (xdomea packages): records
// that carry the sender's ids, filed once, optionally read-only.
//
//   ds::records::RecordsImport in{.tenant = "kreis-a",
//                                 .source = "xdomea 0503 <ProzessID>"};
//   in.akten.push_back({.external_id = akte_uuid, .meta = {...},
//                       .vorgaenge = {...}});
//   DS_ASSIGN_OR_RETURN(auto receipt, store->ImportRecords(in));
//   // Importing the same ids again files nothing and reports them as
//   // already present.
//
// An external id is the sender's UUID of the object; it is kept per tenant
// (table external_ref) and maps to the local id. Read-only records refuse
// every change through the Store (kConflict): further Dokumente, versions,
// metadata changes and assignment.
#pragma once

#include <string>
#include <vector>

#include "records/store.h"

namespace ds::records {

struct ImportedDokument {
  std::string external_id;  // sender's UUID
  IncomingDocument doc;     // blob already in the FileStore
};

struct ImportedVorgang {
  std::string external_id;
  std::string subject;               // Betreff
  std::string kind;                  // Typ (stored as service_name)
  std::string kennzeichen;           // kept in the search text
  int64_t received_at = 0;           // 0 = now
  std::optional<int64_t> closed_at;  // zdA in the sending system
  std::vector<ImportedDokument> dokumente;
};

struct ImportedAkte {
  std::string external_id;
  AkteInput meta;
  std::vector<ImportedVorgang> vorgaenge;
};

struct RecordsImport {
  std::string tenant;
  std::string source;  // for the audit entry, e.g. "xdomea 0503 <ProzessID>"
  std::vector<ImportedAkte> akten;
  std::vector<ImportedVorgang> vorgaenge;  // without Akte (Posteingang)
  bool read_only = true;
  std::string actor = "xdomea-import";
};

struct ImportReceipt {
  int akten_new = 0, vorgaenge_new = 0, dokumente_new = 0;
  int already_present = 0;               // objects filed by an earlier import
  std::vector<std::string> akte_ids;     // local ids, input order
  std::vector<std::string> vorgang_ids;  // local ids, input order (all)
};

// Where a Dokument filed once under an external key lives.
struct FiledOnce {
  std::string dokument_id;
  bool newly_filed = false;
};

}  // namespace ds::records
