// The clerk and operator web UI of the hub: server-rendered HTML pages in
// German (English as second language), session login with local accounts
// (web/accounts.h), served next to the REST API by `serve` and `demo`.
// docs/web.md describes it for operators.
//
//   DS_ASSIGN_OR_RETURN(auto db, ds::web::OpenDb(data_dir, database_url));
//   ds::web::WebOptions o;
//   o.store = &hub->store();
//   o.secure_cookies = !ds::web::IsLoopbackListen(listen);
//   DS_ASSIGN_OR_RETURN(auto ui, ds::web::Ui::Create(std::move(o),
//   std::move(db))); ui->AddRoutes(router);     // "/", "/anmelden",
//   "/posteingang", ...
//
// Every page authorises the session's principal with the API's role model
// (api::RoleAllows) before reading anything, and reads only the
// principal's tenant: a case of another tenant answers 404. Responses carry
// a strict Content-Security-Policy (no inline script or style), frame and
// referrer protection; static assets (htmx, one stylesheet) are embedded in
// the binary and served under content-hashed URLs with long cache headers.
//
// Thread-safety: handlers are safe on the server's worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "net/http.h"
#include "records/store.h"
#include "sql/db.h"
#include "web/accounts.h"

namespace ds::intake {
class Journal;
}
namespace ds::router {
class Router;
}

namespace ds::web {

// A key of a destination as the operator page shows it.
struct KeyView {
  std::string kid;
  std::string purpose;               // "encryption", "signing", "retired"
  std::optional<int64_t> not_after;  // leaf certificate's end, if any
};

// A configured FIT-Connect destination (Zustellpunkt).
struct DestinationView {
  std::string id;
  std::string tenant;
  std::string zustelldienst_url;  // Submission API base URL
  std::vector<KeyView> keys;
};

struct WebOptions {
  records::Store* store = nullptr;  // required; must outlive the Ui
  // Cookies with the Secure attribute (and the __Host- prefix). Off only
  // when the hub listens on loopback (development, demo, tests).
  bool secure_cookies = true;
  SessionPolicy sessions;
  // For the operator pages; all optional.
  intake::Journal* journal = nullptr;  // queue depth, last poll and error
  std::string clamd_socket;            // "" = no virus scanner configured
  std::vector<DestinationView> destinations;
  // The router (routing history and redelivery on the case view, rules,
  // dry runs and dead letters under /betrieb/weiterleitung); nullptr = the
  // pages say that routing is not set up. Must outlive the Ui.
  router::Router* router = nullptr;
  // The hub's JSON data schemas. The case view takes the labels of JSON
  // form data (`title`) from the schema that the case's metadata names
  // (Vorgang::data_schema); for cases filed before the E-Akte kept it, from
  // the first schema whose top-level properties and required keys fit the
  // data; else it humanises the keys.
  struct DataSchema {
    std::string uri;   // the schemaUri senders name
    std::string text;  // the JSON Schema
  };
  std::vector<DataSchema> data_schemas;
  Logger* logger = nullptr;  // DefaultLogger() if null
};

class Ui {
 public:
  // Migrates the web tables in `db` (the E-Akte's database, OpenDb).
  static Result<std::unique_ptr<Ui>> Create(WebOptions options,
                                            std::unique_ptr<sql::Db> db);
  ~Ui();

  // Registers the pages and static assets on `router`. The Ui must outlive
  // the router and the server using it.
  void AddRoutes(net::Router& router);

  Accounts& accounts() { return *accounts_; }

 private:
  Ui(WebOptions options, std::unique_ptr<sql::Db> db);
  WebOptions options_;
  std::unique_ptr<sql::Db> db_;
  std::unique_ptr<Accounts> accounts_;
};

// True for "127.0.0.1:8470", "[::1]:80", "localhost:1234".
bool IsLoopbackListen(const std::string& listen);

// A key's end of validity from the leaf certificate of its x5c chain
// (DER), or nullopt if it has none or it cannot be read.
std::optional<int64_t> CertificateNotAfter(const std::string& der);

}  // namespace ds::web
