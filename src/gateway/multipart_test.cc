#include "gateway/multipart.h"

#include <string>
#include <vector>

#include "core/testing/testing.h"

namespace ds::gateway {
namespace {

using ::ds::testing::StatusIs;
using namespace std::string_literals;

// A file's content with CRLF, dashes, a NUL and a near-boundary.
const std::string kFile = "%PDF\r\n------x1Y\r\n\0\xff--\r\n"s;

struct Part {
  PartHeaders headers;
  std::string content;
};

// Collects every part in memory (fine for tests).
class Collect : public PartSink {
 public:
  Status Begin(const PartHeaders& h) override {
    parts.push_back({h, ""});
    return Status::Ok();
  }
  Status Data(std::string_view b) override {
    parts.back().content.append(b);
    return Status::Ok();
  }
  Status End() override {
    ++ended;
    return Status::Ok();
  }
  std::vector<Part> parts;
  int ended = 0;
};

constexpr char kBoundary[] = "----x1Yz";

// Parses `body` fed in pieces of `chunk` bytes.
Status Parse(std::string_view body, Collect& sink, size_t chunk = 1 << 20,
             MultipartLimits limits = {}) {
  MultipartParser parser(kBoundary, limits, sink);
  for (size_t i = 0; i < body.size(); i += chunk) {
    DS_RETURN_IF_ERROR(parser.Feed(body.substr(i, chunk)));
  }
  return parser.Finish();
}

std::string Body() {
  return std::string("--") + kBoundary + "\r\n" +
         "Content-Disposition: form-data; name=\"destinationId\"\r\n\r\n" +
         "0b6a0c7e-3f4e-4a0a-9a53-0e7f9f6c1d21\r\n" + "--" + kBoundary +
         "\r\n" +
         "Content-Disposition: form-data; name=\"attachment\"; "
         "filename=\"a \\\"b\\\".pdf\"\r\n" +
         "Content-Type: application/pdf\r\n\r\n" + kFile + "\r\n--" +
         kBoundary + "--\r\nepilogue ignored";
}

TEST(Multipart, ParsesFieldsAndFiles) {
  Collect sink;

  ASSERT_OK(Parse(Body(), sink));

  ASSERT_EQ(sink.parts.size(), 2u);
  EXPECT_EQ(sink.ended, 2);
  EXPECT_EQ(sink.parts[0].headers.name, "destinationId");
  EXPECT_FALSE(sink.parts[0].headers.filename.has_value());
  EXPECT_EQ(sink.parts[0].content, "0b6a0c7e-3f4e-4a0a-9a53-0e7f9f6c1d21");
  EXPECT_EQ(sink.parts[1].headers.name, "attachment");
  EXPECT_EQ(*sink.parts[1].headers.filename, "a \"b\".pdf");
  EXPECT_EQ(sink.parts[1].headers.content_type, "application/pdf");
  EXPECT_EQ(sink.parts[1].content, kFile);
}

TEST(Multipart, GivesTheSamePartsForEveryChunkSize) {
  Collect whole;
  ASSERT_OK(Parse(Body(), whole));

  for (size_t chunk = 1; chunk < Body().size(); ++chunk) {
    Collect pieces;
    ASSERT_OK(Parse(Body(), pieces, chunk)) << chunk;
    ASSERT_EQ(pieces.parts.size(), whole.parts.size()) << chunk;
    for (size_t i = 0; i < whole.parts.size(); ++i) {
      EXPECT_EQ(pieces.parts[i].content, whole.parts[i].content) << chunk;
    }
  }
}

TEST(Multipart, AcceptsAShortPreambleAndAnEmptyPart) {
  std::string body = std::string("preamble\r\n--") + kBoundary + "\r\n" +
                     "content-disposition: form-data; name=empty\r\n\r\n" +
                     "\r\n--" + kBoundary + "--";
  Collect sink;

  ASSERT_OK(Parse(body, sink));

  ASSERT_EQ(sink.parts.size(), 1u);
  EXPECT_EQ(sink.parts[0].headers.name, "empty");
  EXPECT_EQ(sink.parts[0].content, "");
}

TEST(Multipart, RejectsABodyWithoutTheBoundary) {
  Collect sink;
  EXPECT_THAT(Parse(std::string(4096, 'a'), sink),
              StatusIs(Code::kInvalidInput, "does not start"));
}

TEST(Multipart, RejectsABodyThatEndsEarly) {
  std::string body = Body();
  Collect sink;
  EXPECT_THAT(Parse(body.substr(0, body.find("epilogue") - 12), sink),
              StatusIs(Code::kInvalidInput, "close delimiter"));
}

TEST(Multipart, RejectsBareLineFeeds) {
  std::string body = std::string("--") + kBoundary + "\n" +
                     "Content-Disposition: form-data; name=a\n\nx\n--" +
                     kBoundary + "--\n";
  Collect sink;
  EXPECT_THAT(Parse(body, sink), StatusIs(Code::kInvalidInput, "CRLF"));
}

TEST(Multipart, RejectsMalformedPartHeaders) {
  const char* blocks[] = {
      "Content-Type: text/plain",                        // no disposition
      "Content-Disposition: attachment; name=a",         // not form-data
      "Content-Disposition: form-data",                  // no name
      "Content-Disposition: form-data; name=\"a",        // unterminated
      "Content-Disposition: form-data; name=a; name=b",  // repeated
      "Content-Disposition: form-data; name=a; filename*=UTF-8''x",
      "Content-Disposition: form-data;\r\n name=a",  // folded
      "Content-Disposition: form-data; name=a\r\nContent-Transfer-Encoding: "
      "base64",
      "Content-Disposition: form-data; name=a\x01",  // control char
      "Content-Disposition form-data; name=a",       // no colon
      "Content-Disposition: form-data; name=a\r\nContent-Disposition: "
      "form-data; name=b",
  };
  for (const char* block : blocks) {
    EXPECT_THAT(ParsePartHeaders(block), StatusIs(Code::kInvalidInput))
        << block;
  }
}

TEST(Multipart, RejectsMorePartsThanTheLimit) {
  std::string body;
  for (int i = 0; i < 4; ++i) {
    body += std::string("--") + kBoundary +
            "\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n";
  }
  body += std::string("--") + kBoundary + "--";
  Collect sink;
  EXPECT_THAT(Parse(body, sink, 7, {.max_parts = 3}),
              StatusIs(Code::kInvalidInput, "more than 3 parts"));
}

TEST(Multipart, RejectsAnOversizedHeaderBlock) {
  std::string body = std::string("--") + kBoundary +
                     "\r\nContent-Disposition: form-data; name=f\r\nX-Pad: " +
                     std::string(10000, 'p');  // never ends
  Collect sink;
  EXPECT_THAT(Parse(body, sink, 512),
              StatusIs(Code::kInvalidInput, "header block"));
}

TEST(Multipart, StopsAtTheFirstSinkError) {
  class Refuse : public Collect {
   public:
    Status Data(std::string_view) override { return TooLarge("no room"); }
  } sink;
  EXPECT_THAT(Parse(Body(), sink), StatusIs(Code::kTooLarge, "no room"));
}

TEST(Multipart, ReadsTheBoundaryOfTheContentType) {
  EXPECT_EQ(*BoundaryOf("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(
      *BoundaryOf("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""),
      "a b:c");
  EXPECT_THAT(BoundaryOf("application/json"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(BoundaryOf("multipart/form-data"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(
      BoundaryOf("multipart/form-data; boundary=" + std::string(71, 'b')),
      StatusIs(Code::kInvalidInput));
  EXPECT_THAT(BoundaryOf("multipart/form-data; boundary=\"a\\\"b\""),
              StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::gateway
