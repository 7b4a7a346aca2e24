// Escaping, German and English texts, dates and numbers for the pages.
#include "web/html.h"

#include <ctime>
#include <unordered_map>
#include <utility>

#include "core/text.h"

namespace ds::web::internal {

int64_t BerlinOffset(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  auto last_sunday = [&](int month) {  // 0-based month, 31 days
    std::tm m{};
    m.tm_year = tm.tm_year;
    m.tm_mon = month;
    m.tm_mday = 31;
    m.tm_hour = 1;
    std::time_t end = timegm(&m);
    std::tm e{};
    gmtime_r(&end, &e);
    return static_cast<int64_t>(end) - e.tm_wday * 86400;
  };
  bool summer = t >= last_sunday(2) && t < last_sunday(9);
  return summer ? 7200 : 3600;
}

int64_t BerlinMidnight(int64_t utc_midnight) {
  // An hour before UTC midnight is local midnight or 01:00 of the same
  // local day, never across a change of offset (those are at 01:00 UTC).
  return utc_midnight - BerlinOffset(utc_midnight - 3600);
}

namespace {

std::string Format(int64_t t, const char* pattern) {
  std::time_t tt = static_cast<std::time_t>(t + BerlinOffset(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

const std::unordered_map<std::string_view, std::string_view>& English() {
  static const std::unordered_map<std::string_view, std::string_view> k = {
#include "web/texts_en.inc"
  };
  return k;
}

}  // namespace

namespace {

// The UTF-8 length of a character at s[i] that changes how text around it
// reads without being seen: the bidi controls of IsBidiControl (U+061C,
// U+200E-200F, U+202A-202E, U+2066-2069) and the invisible characters of
// IsInvisibleChar (U+00AD, U+180E, U+200B-200D, U+2060, U+FEFF); else 0.
size_t HiddenAt(std::string_view s, size_t i) {
  auto at = [&](size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  switch (at(0)) {
    case 0xC2:
      return at(1) == 0xAD ? 2 : 0;
    case 0xD8:
      return at(1) == 0x9C ? 2 : 0;
    case 0xE1:
      return at(1) == 0xA0 && at(2) == 0x8E ? 3 : 0;
    case 0xE2:
      if (at(1) == 0x80 && ((at(2) >= 0x8B && at(2) <= 0x8F) ||
                            (at(2) >= 0xAA && at(2) <= 0xAE))) {
        return 3;
      }
      if (at(1) == 0x81 &&
          (at(2) == 0xA0 || (at(2) >= 0xA6 && at(2) <= 0xA9))) {
        return 3;
      }
      return 0;
    case 0xEF:
      return at(1) == 0xBB && at(2) == 0xBF ? 3 : 0;
    default:
      return 0;
  }
}

// `s` with every hidden character replaced by U+FFFD.
std::string ShowHidden(std::string_view s) {
  if (s.find_first_of("\xC2\xD8\xE1\xE2\xEF") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (size_t n = HiddenAt(s, i); n > 0) {
      out += "\uFFFD";
      i += n;
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace

std::string Esc(std::string_view s) { return EscapeMarkup(ShowHidden(s)); }

std::string ShownLine(std::string_view s) {
  std::string escaped = Esc(s);
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size();) {
    static constexpr std::pair<std::string_view, char> kRefs[] = {
        {"&amp;", '&'},
        {"&lt;", '<'},
        {"&gt;", '>'},
        {"&quot;", '"'},
        {"&#39;", '\''}};
    bool replaced = false;
    for (const auto& [ref, c] : kRefs) {
      if (std::string_view(escaped).substr(i, ref.size()) == ref) {
        out += c;
        i += ref.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    char c = escaped[i++];
    if (c != '\r' && c != '\n') out += c;  // a text input drops line breaks
  }
  return out;
}

std::string UrlPart(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                 c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string_view T(Lang lang, std::string_view german) {
  if (lang == Lang::kDe) return german;
  auto it = English().find(german);
  return it == English().end() ? german : it->second;
}

std::string DateTime(Lang lang, int64_t t) {
  return Format(t, lang == Lang::kDe ? "%d.%m.%Y, %H:%M" : "%Y-%m-%d %H:%M");
}

std::string Date(Lang lang, int64_t t) {
  return Format(t, lang == Lang::kDe ? "%d.%m.%Y" : "%Y-%m-%d");
}

std::string Number(Lang lang, int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  char sep = lang == Lang::kDe ? '.' : ',';
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Bytes(Lang lang, int64_t n) {
  if (n < 1024) return Number(lang, n) + " B";
  const char* unit = n < (1 << 20) ? "KB" : "MB";
  double v = n < (1 << 20) ? n / 1024.0 : n / 1048576.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (lang == Lang::kDe) {
    for (char& c : s) c = c == '.' ? ',' : c;
  }
  return s + " " + unit;
}

}  // namespace ds::web::internal
