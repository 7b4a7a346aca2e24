#include "core/text.h"

namespace ds {
namespace {

constexpr size_t kMaxNameBytes = 255;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at the start of `s` and its code
// point, or 0 if it is not valid.
size_t DecodeOne(std::string_view s, char32_t* cp_out) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  size_t len = c < 0x80         ? 1
               : (c >> 5) == 6  ? 2
               : (c >> 4) == 14 ? 3
               : (c >> 3) == 30 ? 4
                                : 0;
  if (len == 0 || len > s.size()) return 0;
  char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[k]);
    if ((cc >> 6) != 2) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  *cp_out = cp;
  return len;
}

bool IsSeparator(char32_t c) {
  return c == '/' || c == '\\' || c == ':' || c == 0xFF0F || c == 0xFF3C ||
         c == 0x2215 || c == 0x2044 || c == 0x29F5;
}

}  // namespace

bool DecodeUtf8(std::string_view text, std::vector<char32_t>* out) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t len = DecodeOne(text.substr(i), &cp);
    if (len == 0) return false;
    out->push_back(cp);
    i += len;
  }
  return true;
}

bool IsControlChar(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

bool IsBidiControl(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x200E || c == 0x200F || c == 0x061C;
}

bool IsInvisibleChar(char32_t c) {
  return (c >= 0x200B && c <= 0x200D) || c == 0xFEFF || c == 0x2060 ||
         c == 0x00AD || c == 0x180E;
}

bool IsPlainText(std::string_view text, bool allow_line_breaks) {
  std::vector<char32_t> cps;
  if (!DecodeUtf8(text, &cps)) return false;
  for (char32_t c : cps) {
    bool line_break = c == '\n' || c == '\r' || c == '\t';
    if (IsControlChar(c) && !(allow_line_breaks && line_break)) return false;
    if (IsBidiControl(c) || IsInvisibleChar(c)) return false;
  }
  return true;
}

std::string DisplayFileName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    size_t len = DecodeOne(name.substr(i), &cp);
    std::string_view piece;
    std::string replaced;
    if (len == 0) {
      piece = kReplacement;
      len = 1;
    } else if (IsControlChar(cp) || IsBidiControl(cp) || IsInvisibleChar(cp)) {
      piece = kReplacement;
    } else if (IsSeparator(cp)) {
      piece = "_";
    } else {
      piece = name.substr(i, len);
    }
    if (out.size() + piece.size() > kMaxNameBytes) break;
    out += piece;
    i += len;
  }
  return out;
}

std::string EscapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t len = DecodeOne(text.substr(i), &cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (len > 1) {
      if (cp > 0x9F) out.append(text.substr(i, len));  // C1 dropped
      i += len;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        if (!IsControlChar(static_cast<char32_t>(c))) out += c;
    }
  }
  return out;
}

bool JsonNestingWithin(std::string_view json, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace ds
