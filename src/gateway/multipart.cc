#include "gateway/multipart.h"

#include <map>

namespace ds::gateway {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kMaxPadding = 64;  // transport padding after a delimiter

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsTokenChar(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A token at the start of `s`, consumed.
std::string_view TakeToken(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsTokenChar(s[n])) ++n;
  std::string_view token = s.substr(0, n);
  s.remove_prefix(n);
  return token;
}

// A quoted-string at the start of `s` (after the opening quote), unescaped.
Result<std::string> TakeQuoted(std::string_view& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      s.remove_prefix(i + 1);
      return out;
    }
    if (c == '\\') {
      if (++i == s.size()) break;
      c = s[i];
    }
    out += c;
  }
  return InvalidInput("unterminated quoted string");
}

// `; name=value` parameters (RFC 9110 §5.6.6). Names are lower-cased;
// a repeated name is refused.
Result<std::map<std::string, std::string>> ParseParams(std::string_view s) {
  std::map<std::string, std::string> params;
  for (;;) {
    s = Trim(s);
    if (s.empty()) return params;
    if (s.front() != ';')
      return InvalidInput("expected ';' between parameters");
    s.remove_prefix(1);
    s = Trim(s);
    if (s.empty()) return params;  // a trailing ';' is harmless

    std::string name = LowerCopy(TakeToken(s));
    if (name.empty() || s.empty() || s.front() != '=') {
      return InvalidInput("malformed parameter");
    }
    s.remove_prefix(1);
    std::string value;
    if (!s.empty() && s.front() == '"') {
      s.remove_prefix(1);
      DS_ASSIGN_OR_RETURN(value, TakeQuoted(s));
    } else {
      value = std::string(TakeToken(s));
      if (value.empty()) return InvalidInput("empty parameter value");
    }
    if (!params.emplace(name, std::move(value)).second) {
      return InvalidInput("parameter " + name + " given twice");
    }
  }
}

bool IsBoundaryChar(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// A header line: no folding, "name: value", no control characters.
Status SplitHeaderLine(std::string_view line, std::string* name,
                       std::string_view* value) {
  if (line.empty() || IsSpace(line.front())) {
    return InvalidInput("folded or empty header line");
  }
  for (char c : line) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return InvalidInput("control character in a part header");
    }
  }
  std::string_view rest = line;
  *name = LowerCopy(TakeToken(rest));
  if (name->empty() || rest.empty() || rest.front() != ':') {
    return InvalidInput("malformed part header line");
  }
  *value = Trim(rest.substr(1));
  return Status::Ok();
}

Status ApplyDisposition(std::string_view value, PartHeaders& out) {
  std::string_view rest = value;
  if (LowerCopy(TakeToken(rest)) != "form-data") {
    return InvalidInput("Content-Disposition is not form-data");
  }
  auto params = ParseParams(rest);
  if (!params.ok()) {
    return Status(params.status()).Prepend("Content-Disposition");
  }
  if (params->contains("filename*")) {
    return InvalidInput(
        "Content-Disposition: filename* is not used in "
        "form-data (RFC 7578 4.2); send filename");
  }
  auto name = params->find("name");
  if (name == params->end() || name->second.empty()) {
    return InvalidInput("Content-Disposition without a name");
  }
  out.name = name->second;
  auto filename = params->find("filename");
  if (filename != params->end()) out.filename = filename->second;
  return Status::Ok();
}

}  // namespace

Result<std::string> BoundaryOf(std::string_view content_type) {
  std::string_view rest = Trim(content_type);
  std::string type = LowerCopy(TakeToken(rest));
  if (rest.empty() || rest.front() != '/') {
    return InvalidInput("Content-Type is not multipart/form-data");
  }
  rest.remove_prefix(1);
  type += "/" + LowerCopy(TakeToken(rest));
  if (type != "multipart/form-data") {
    return InvalidInput("Content-Type is " + type +
                        ", not multipart/form-data");
  }

  auto params = ParseParams(rest);
  if (!params.ok()) return Status(params.status()).Prepend("Content-Type");
  auto it = params->find("boundary");
  if (it == params->end()) return InvalidInput("Content-Type without boundary");
  const std::string& b = it->second;
  if (b.empty() || b.size() > 70 || b.back() == ' ') {
    return InvalidInput("boundary must be 1 to 70 characters");
  }
  for (char c : b) {
    if (!IsBoundaryChar(c))
      return InvalidInput("boundary has an invalid character");
  }
  return b;
}

Result<PartHeaders> ParsePartHeaders(std::string_view block) {
  PartHeaders out;
  bool disposition = false, type = false, encoding = false;
  while (!block.empty()) {
    size_t end = block.find(kCrlf);
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view()
                                          : block.substr(end + kCrlf.size());
    std::string name;
    std::string_view value;
    DS_RETURN_IF_ERROR(SplitHeaderLine(line, &name, &value));

    if (name == "content-disposition") {
      if (disposition) return InvalidInput("Content-Disposition given twice");
      disposition = true;
      DS_RETURN_IF_ERROR(ApplyDisposition(value, out));
    } else if (name == "content-type") {
      if (type) return InvalidInput("Content-Type given twice");
      type = true;
      out.content_type = std::string(value);
    } else if (name == "content-transfer-encoding") {
      if (encoding)
        return InvalidInput("Content-Transfer-Encoding given twice");
      encoding = true;
      std::string e = LowerCopy(value);
      if (e != "7bit" && e != "8bit" && e != "binary") {
        return InvalidInput("Content-Transfer-Encoding " + e +
                            " is not supported (RFC 7578 4.7)");
      }
    }
    // Other headers carry nothing form-data needs and are ignored.
  }
  if (!disposition) return InvalidInput("part without Content-Disposition");
  return out;
}

MultipartParser::MultipartParser(std::string_view boundary,
                                 const MultipartLimits& limits, PartSink& sink)
    : delimiter_("\r\n--" + std::string(boundary)),
      limits_(limits),
      sink_(sink),
      // The first delimiter may open the body without a preceding CRLF.
      buffer_(kCrlf) {}

Status MultipartParser::Fail(Status status) {
  error_ = status;
  buffer_.clear();
  return status;
}

Status MultipartParser::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (state_ == State::kDone) return Status::Ok();  // epilogue
  buffer_.append(bytes);
  for (bool progressed = true; progressed && state_ != State::kDone;) {
    progressed = false;
    Status s = Step(&progressed);
    if (!s.ok()) return Fail(s);
  }
  if (state_ == State::kDone) buffer_.clear();
  return Status::Ok();
}

Status MultipartParser::Finish() {
  if (!error_.ok()) return error_;
  if (state_ != State::kDone) {
    return Fail(InvalidInput("multipart body ends before the close delimiter"));
  }
  return Status::Ok();
}

Status MultipartParser::Step(bool* progressed) {
  switch (state_) {
    case State::kPreamble:
      return StepPreamble(progressed);
    case State::kAfterDelimiter:
      return StepAfterDelimiter(progressed);
    case State::kHeaders:
      return StepHeaders(progressed);
    case State::kBody:
      return StepBody(progressed);
    case State::kDone:
      return Status::Ok();
  }
  return Status::Ok();
}

Status MultipartParser::StepPreamble(bool* progressed) {
  size_t at = buffer_.find(delimiter_);
  size_t drop =
      at != std::string::npos
          ? at + delimiter_.size()
          : buffer_.size() - std::min(buffer_.size(), delimiter_.size() - 1);
  preamble_seen_ += at != std::string::npos ? at : drop;
  if (preamble_seen_ > limits_.max_preamble_bytes) {
    return InvalidInput("multipart body does not start with the boundary");
  }
  buffer_.erase(0, drop);
  if (at != std::string::npos) {
    state_ = State::kAfterDelimiter;
    *progressed = true;
  }
  return Status::Ok();
}

// After a delimiter: "--" closes the body, else optional transport padding
// and CRLF open the next part's headers.
Status MultipartParser::StepAfterDelimiter(bool* progressed) {
  if (buffer_.size() < 2) return Status::Ok();
  if (buffer_.compare(0, 2, "--") == 0) {
    state_ = State::kDone;
    *progressed = true;
    return Status::Ok();
  }
  size_t n = 0;
  while (n < buffer_.size() && IsSpace(buffer_[n])) ++n;
  if (n > kMaxPadding) return InvalidInput("too much padding after a boundary");
  if (buffer_.size() < n + 2) return Status::Ok();
  if (buffer_.compare(n, 2, kCrlf) != 0) {
    return InvalidInput("boundary not followed by CRLF");
  }
  buffer_.erase(0, n + 2);
  state_ = State::kHeaders;
  *progressed = true;
  return Status::Ok();
}

Status MultipartParser::StepHeaders(bool* progressed) {
  size_t end = buffer_.starts_with(kCrlf) ? 0 : buffer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer_.size() > limits_.max_header_bytes + 4) {
      return InvalidInput("part header block above " +
                          std::to_string(limits_.max_header_bytes) + " bytes");
    }
    return Status::Ok();
  }
  if (end > limits_.max_header_bytes) {
    return InvalidInput("part header block above " +
                        std::to_string(limits_.max_header_bytes) + " bytes");
  }
  if (++parts_ > limits_.max_parts) {
    return InvalidInput("more than " + std::to_string(limits_.max_parts) +
                        " parts");
  }

  auto headers = ParsePartHeaders(std::string_view(buffer_).substr(0, end));
  if (!headers.ok()) {
    return Status(headers.status()).Prepend("part " + std::to_string(parts_));
  }
  buffer_.erase(0, end == 0 ? 2 : end + 4);
  DS_RETURN_IF_ERROR(sink_.Begin(*headers));
  state_ = State::kBody;
  *progressed = true;
  return Status::Ok();
}

// Hands over everything that cannot be the start of the next delimiter.
Status MultipartParser::StepBody(bool* progressed) {
  size_t at = buffer_.find(delimiter_);
  if (at != std::string::npos) {
    if (at > 0)
      DS_RETURN_IF_ERROR(sink_.Data(std::string_view(buffer_).substr(0, at)));
    DS_RETURN_IF_ERROR(sink_.End());
    buffer_.erase(0, at + delimiter_.size());
    state_ = State::kAfterDelimiter;
    *progressed = true;
    return Status::Ok();
  }
  size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
  size_t emit = buffer_.size() - keep;
  if (emit == 0) return Status::Ok();
  DS_RETURN_IF_ERROR(sink_.Data(std::string_view(buffer_).substr(0, emit)));
  buffer_.erase(0, emit);
  return Status::Ok();
}

}  // namespace ds::gateway
