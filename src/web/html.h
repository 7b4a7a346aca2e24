// Internal to ds_web: HTML output. Every text that did not come from this
// source file goes through Esc(), in element content and in quoted
// attribute values alike; nothing else writes user data into a page.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ds::web::internal {

// Escapes & < > " ' for element content and double-quoted attributes.
// Bidirectional controls (overrides, embeddings, isolates, marks) and
// invisible characters (zero-width space, BOM, soft hyphen, ...) become a
// visible U+FFFD: a sender's text must not reorder what a clerk sees next
// to it ("Rechnung<RLO>fdp.exe" shown as "Rechnungexe.pdf") or hide parts
// of itself. Invalid UTF-8 bytes become U+FFFD, and control characters
// other than tab and newline are dropped, so that no input can break the
// page.
std::string Esc(std::string_view text);

// The text a one-line form field pre-filled with Esc(text) sends back when
// nobody edits it: Esc's replacements, without the markup escapes and
// without line breaks. A form handler compares with it to tell "left as
// shown" from a change, so that showing a sender's text safely does not
// rewrite it when a clerk saves another field.
std::string ShownLine(std::string_view text);

// Percent-encodes a value for a URL query or path segment.
std::string UrlPart(std::string_view text);

enum class Lang { kDe, kEn };

// The text for `key` in `lang`; the German text is the key's fallback.
// Keys are the German texts themselves for readability of the pages'
// source.
std::string_view T(Lang lang, std::string_view german);

// German time (CET, UTC+1; CEST, UTC+2 from the last Sunday of March to
// the last Sunday of October, 01:00 UTC each): the offset at `t` in
// seconds, and the start of a German day given as its UTC midnight (what
// the clerk means by "received on 05.12.").
int64_t BerlinOffset(int64_t t);
int64_t BerlinMidnight(int64_t utc_midnight);

// "03.12.2026, 14:05" (de) or "2026-12-03 14:05" (en), in UTC+local
// offset of Germany (CET/CEST), followed by nothing.
std::string DateTime(Lang lang, int64_t unix_seconds);
std::string Date(Lang lang, int64_t unix_seconds);
// "1.234.567" (de) or "1,234,567" (en).
std::string Number(Lang lang, int64_t n);
// "12,5 KB" etc.
std::string Bytes(Lang lang, int64_t n);

}  // namespace ds::web::internal
