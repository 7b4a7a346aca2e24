// The demo's page of received cases (GET /): a plain, accessible HTML list
// of the tenant's Posteingang. The full clerk UI is a later part; this page
// only shows that cases arrived.
#pragma once

#include <string>

#include "net/http.h"
#include "records/store.h"

namespace ds::demo {

// Adds GET / to `router`. `store` must outlive the router.
void AddPage(net::Router& router, records::Store& store, const std::string& tenant);

// HTML-escapes text for element content and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace ds::demo
