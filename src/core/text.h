// Unicode text from untrusted senders: strict UTF-8 decoding and the
// characters that make a text look different from what it is (controls,
// bidirectional overrides, invisible characters). The gate reports them in
// file names; the API refuses them in metadata; everything that shows a
// sender's name to a person shows it through DisplayFileName.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ds {

// Decodes UTF-8 strictly (no overlong forms, surrogates or values above
// U+10FFFF). False on the first invalid sequence.
bool DecodeUtf8(std::string_view text, std::vector<char32_t>* out);

// C0 and C1 controls and DEL.
bool IsControlChar(char32_t c);
// Bidirectional embeddings, overrides, isolates and marks (U+202A-202E,
// U+2066-2069, U+200E, U+200F, U+061C).
bool IsBidiControl(char32_t c);
// Zero-width and other characters that render as nothing.
bool IsInvisibleChar(char32_t c);

// True if `text` is valid UTF-8 without controls (tab and line breaks
// allowed when `allow_line_breaks`), bidi controls or invisible characters.
bool IsPlainText(std::string_view text, bool allow_line_breaks = false);

// A file name as it may be shown or offered for download: invalid UTF-8
// bytes, controls, bidi controls and invisible characters become U+FFFD,
// path separators and ':' become '_', and the result has at most 255 bytes
// (cut at a character boundary). Empty input stays empty.
std::string DisplayFileName(std::string_view name);

// Text for HTML and XML content and attribute values: &, <, >, " and '
// become references; invalid UTF-8 bytes become U+FFFD; controls other
// than tab, line feed and carriage return (which XML 1.0 does not allow
// and a page should not show) are dropped.
std::string EscapeMarkup(std::string_view text);

// The nesting the hub accepts in JSON that people or other systems send it
// through the API and the UI (the gate's default for form data, too).
inline constexpr int kMaxJsonNesting = 64;

// True if no array or object in `json` is nested deeper than `max_depth`
// (a top-level object is depth 1). A cheap scan before parsing: parsing is
// safe at any depth, but copying, printing and destroying a parsed value
// recurse once per level, and 100,000 levels overflow the stack. Says
// nothing about whether `json` is valid.
bool JsonNestingWithin(std::string_view json, int max_depth = kMaxJsonNesting);

}  // namespace ds
