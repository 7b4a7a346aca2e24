// A fast, conservative JSON check for the common case of form data: one
// strict RFC 8259 value, strings without \u escapes, numbers short and
// without exponent, no key twice in an object, nesting within the limit.
// Anything else makes it answer "unsure" and InspectJson runs nlohmann's parser
// as before, so the findings for unusual or bad input come from the same parser
// as always. It must never call valid what nlohmann's strict parser rejects
// (fuzz_gate compares the two).
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

class FastJson {
 public:
  FastJson(std::string_view s, int max_depth, uint64_t max_number_chars)
      : s_(s),
        max_depth_(max_depth),
        max_number_(std::min<uint64_t>(15, max_number_chars)) {}

  bool Document() {
    SkipSpace();
    if (!Value(0)) return false;
    SkipSpace();
    return p_ == s_.size();
  }

 private:
  void SkipSpace() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++p_;
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (p_ >= s_.size()) return false;
    switch (s_[p_]) {
      case '{':
        return depth < max_depth_ && Object(depth + 1);
      case '[':
        return depth < max_depth_ && Array(depth + 1);
      case '"': {
        std::string_view unused;
        return String(&unused);
      }
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Object(int depth) {
    ++p_;  // '{'
    std::vector<std::string_view> keys;
    SkipSpace();
    if (p_ < s_.size() && s_[p_] == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      std::string_view key;
      if (p_ >= s_.size() || s_[p_] != '"' || !String(&key)) return false;
      // A key with an escape would have to be unescaped to compare.
      if (key.find('\\') != std::string_view::npos) return false;
      keys.push_back(key);
      SkipSpace();
      if (p_ >= s_.size() || s_[p_] != ':') return false;
      ++p_;
      SkipSpace();
      if (!Value(depth)) return false;
      SkipSpace();
      if (p_ >= s_.size()) return false;
      if (s_[p_] == '}') {
        ++p_;
        break;
      }
      if (s_[p_] != ',') return false;
      ++p_;
    }
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
  }

  bool Array(int depth) {
    ++p_;  // '['
    SkipSpace();
    if (p_ < s_.size() && s_[p_] == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (!Value(depth)) return false;
      SkipSpace();
      if (p_ >= s_.size()) return false;
      if (s_[p_] == ']') {
        ++p_;
        return true;
      }
      if (s_[p_] != ',') return false;
      ++p_;
    }
  }

  // Bytes between the quotes: well-formed UTF-8 (the ranges of RFC 3629,
  // as nlohmann checks them), no control characters, simple escapes only.
  bool String(std::string_view* raw) {
    size_t start = ++p_;  // '"'
    while (p_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') {
        *raw = s_.substr(start, p_ - start);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (p_ + 1 >= s_.size()) return false;
        char e = s_[p_ + 1];
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' &&
            e != 'n' && e != 'r' && e != 't') {
          return false;  // \u and anything unknown: unsure
        }
        p_ += 2;
        continue;
      }
      if (c < 0x80) {
        ++p_;
        continue;
      }
      if (!Utf8Sequence()) return false;
    }
    return false;
  }

  bool Continuation(size_t at, unsigned char lo = 0x80,
                    unsigned char hi = 0xBF) const {
    if (at >= s_.size()) return false;
    auto b = static_cast<unsigned char>(s_[at]);
    return b >= lo && b <= hi;
  }

  bool Utf8Sequence() {
    auto c = static_cast<unsigned char>(s_[p_]);
    size_t n;
    bool ok;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      ok = Continuation(p_ + 1);
    } else if (c == 0xE0) {
      n = 3;
      ok = Continuation(p_ + 1, 0xA0, 0xBF) && Continuation(p_ + 2);
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = 3;
      ok = Continuation(p_ + 1) && Continuation(p_ + 2);
    } else if (c == 0xED) {
      n = 3;
      ok = Continuation(p_ + 1, 0x80, 0x9F) && Continuation(p_ + 2);
    } else if (c == 0xF0) {
      n = 4;
      ok = Continuation(p_ + 1, 0x90, 0xBF) && Continuation(p_ + 2) &&
           Continuation(p_ + 3);
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = 4;
      ok = Continuation(p_ + 1) && Continuation(p_ + 2) && Continuation(p_ + 3);
    } else if (c == 0xF4) {
      n = 4;
      ok = Continuation(p_ + 1, 0x80, 0x8F) && Continuation(p_ + 2) &&
           Continuation(p_ + 3);
    } else {
      return false;
    }
    if (ok) p_ += n;
    return ok;
  }

  bool Digit(size_t at) const {
    return at < s_.size() && s_[at] >= '0' && s_[at] <= '9';
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)? of at most 15 characters (and at most
  // the limit): always a finite double or a 64-bit integer. Exponents and
  // longer numbers: unsure.
  bool Number() {
    size_t start = p_;
    if (s_[p_] == '-') ++p_;
    if (!Digit(p_)) return false;
    if (s_[p_] == '0') {
      ++p_;
    } else {
      while (Digit(p_)) ++p_;
    }
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      if (!Digit(p_)) return false;
      while (Digit(p_)) ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) return false;
    if (Digit(p_)) return false;  // "01": leading zero
    return p_ - start <= max_number_;
  }

  std::string_view s_;
  int max_depth_;        // containers, as PreScanJson counts them
  uint64_t max_number_;  // characters, as PreScanJson counts them
  size_t p_ = 0;
};

}  // namespace

bool JsonCertainlyValid(std::string_view data, const Limits& limits) {
  return FastJson(data, limits.max_json_depth, limits.max_json_number_chars)
      .Document();
}

}  // namespace ds::gate::internal
