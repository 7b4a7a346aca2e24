// The protocol as a readable report in German: one self-contained HTML page
// (no scripts, no external resources, one embedded stylesheet) with the
// test's facts, the summary by threat class, what each outcome means and
// the details per sample. Accessible: lang="de", headings in order, table
// captions and header cells, pass/fail said in words, not only by colour,
// contrast of at least 4.5:1.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ds::pruefstand {

// Renders a protocol (as Run() builds it or as read from a file). Every
// value from the protocol is HTML-escaped.
std::string RenderHtml(const nlohmann::json& protocol);

}  // namespace ds::pruefstand
