// Escaping, German and English texts, dates and numbers for the pages.
#include "web/html.h"

#include <ctime>
#include <unordered_map>

#include "core/text.h"

namespace ds::web::internal {
namespace {

// Central European time: UTC+1, UTC+2 from the last Sunday of March to the
// last Sunday of October (01:00 UTC each).
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

// The UTF-8 length of a bidi control starting at s[i] (IsBidiControl's
// set: U+061C, U+200E-200F, U+202A-202E, U+2066-2069), else 0.
size_t BidiControlAt(std::string_view s, size_t i) {
  auto at = [&](size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  if (at(0) == 0xD8 && at(1) == 0x9C) return 2;
  if (at(0) != 0xE2) return 0;
  if (at(1) == 0x80 &&
      (at(2) == 0x8E || at(2) == 0x8F || (at(2) >= 0xAA && at(2) <= 0xAE))) {
    return 3;
  }
  if (at(1) == 0x81 && at(2) >= 0xA6 && at(2) <= 0xA9) return 3;
  return 0;
}

}  // namespace

std::string Esc(std::string_view s) {
  if (s.find('\xE2') == std::string_view::npos &&
      s.find('\xD8') == std::string_view::npos) {
    return EscapeMarkup(s);
  }
  std::string plain;
  plain.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (size_t n = BidiControlAt(s, i); n > 0) {
      plain += "\uFFFD";
      i += n;
    } else {
      plain += s[i++];
    }
  }
  return EscapeMarkup(plain);
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
