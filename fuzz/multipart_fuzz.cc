// Fuzzes the multipart/form-data parser of the sender gateway. The first
// input byte picks a chunk size; the rest is the body. Feeding it whole and
// in chunks must give the same parts and the same verdict, and the parser's
// window must stay bounded.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/multipart.h"

namespace {

class Collect : public ds::gateway::PartSink {
 public:
  ds::Status Begin(const ds::gateway::PartHeaders& h) override {
    parts.push_back(h.name + "|" + h.filename.value_or("-") + "|" +
                    h.content_type + "|");
    return ds::Status::Ok();
  }
  ds::Status Data(std::string_view b) override {
    if (b.empty()) abort();  // never called without bytes
    parts.back().append(b);
    return ds::Status::Ok();
  }
  ds::Status End() override { return ds::Status::Ok(); }
  std::vector<std::string> parts;
};

bool Parse(std::string_view body, size_t chunk, Collect& sink) {
  ds::gateway::MultipartParser parser(
      "b0und", {.max_parts = 16, .max_header_bytes = 512}, sink);
  for (size_t i = 0; i < body.size(); i += chunk) {
    if (!parser.Feed(body.substr(i, chunk)).ok()) return false;
  }
  return parser.Finish().ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 64;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  Collect whole, pieces;
  bool ok_whole = Parse(body, body.size() + 1, whole);
  bool ok_pieces = Parse(body, chunk, pieces);
  if (ok_whole != ok_pieces) abort();
  if (ok_whole && whole.parts != pieces.parts) abort();

  (void)ds::gateway::BoundaryOf(body.substr(0, 200));
  (void)ds::gateway::ParsePartHeaders(body.substr(0, 600));
  return 0;
}
