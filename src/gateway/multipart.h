// A strict, bounded, streaming parser of multipart/form-data (RFC 7578 on
// RFC 2046) for untrusted request bodies.
//
// The parser never holds a part's content: it hands the bytes to a sink as
// they arrive, in pieces of any size, and keeps only a window of about one
// boundary length plus one header block. So a body spooled to disk can be
// fed in fixed-size chunks and every part written to its own file.
//
//   DS_ASSIGN_OR_RETURN(std::string boundary,
//                       ds::gateway::BoundaryOf(request.header("Content-Type")));
//   ds::gateway::MultipartParser parser(boundary, limits, sink);
//   while (read chunk) DS_RETURN_IF_ERROR(parser.Feed(chunk));
//   DS_RETURN_IF_ERROR(parser.Finish());
//
// What is refused (kInvalidInput, message naming the rule, never content):
// a body without the opening delimiter, header lines not ended by CRLF,
// folded or malformed header lines, control characters in headers, a part
// without `Content-Disposition: form-data; name="..."`, a
// Content-Transfer-Encoding other than 7bit, 8bit or binary, more parts or
// larger header blocks than the limits allow, and a body that ends before
// the close delimiter. Bytes after the close delimiter are ignored, as
// RFC 2046 says. Sink errors stop the parser and are returned unchanged.
//
// Thread-safety: one parser per body; not shared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::gateway {

// The boundary parameter of a `multipart/form-data` Content-Type value.
// kInvalidInput for another media type or a missing or invalid boundary
// (1 to 70 characters of RFC 2046's bchars, not ending in a space).
Result<std::string> BoundaryOf(std::string_view content_type);

// The headers of one part that the caller may act on.
struct PartHeaders {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // Content-Disposition filename
  std::string content_type;             // "" if the part has none
};

// Receives the parts in order: Begin, any number of Data, End.
class PartSink {
 public:
  virtual ~PartSink() = default;
  virtual Status Begin(const PartHeaders& headers) = 0;
  virtual Status Data(std::string_view bytes) = 0;
  virtual Status End() = 0;
};

struct MultipartLimits {
  size_t max_parts = 110;
  size_t max_header_bytes = 8 * 1024;  // one part's header block
  size_t max_preamble_bytes = 1024;    // bytes before the first delimiter
};

class MultipartParser {
 public:
  // `boundary` as BoundaryOf returns it; `sink` must outlive the parser.
  MultipartParser(std::string_view boundary, const MultipartLimits& limits,
                  PartSink& sink);

  // Consumes the next bytes of the body. After an error the parser stays
  // failed and returns that error again.
  Status Feed(std::string_view bytes);
  // Call at the end of the body: kInvalidInput unless the close delimiter
  // was seen.
  Status Finish();

  size_t parts() const { return parts_; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone };

  Status Step(bool* progressed);
  Status StepPreamble(bool* progressed);
  Status StepAfterDelimiter(bool* progressed);
  Status StepHeaders(bool* progressed);
  Status StepBody(bool* progressed);
  Status Fail(Status status);

  std::string delimiter_;  // CRLF "--" boundary
  MultipartLimits limits_;
  PartSink& sink_;
  State state_ = State::kPreamble;
  std::string buffer_;  // bytes not yet consumed
  size_t preamble_seen_ = 0;
  size_t parts_ = 0;
  Status error_;
};

// Parses the header block of one part (lines separated by CRLF, without
// the blank line that ends the block). Exposed for tests.
Result<PartHeaders> ParsePartHeaders(std::string_view block);

}  // namespace ds::gateway
