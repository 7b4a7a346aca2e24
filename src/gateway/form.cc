#include "gateway/form.h"

#include <fcntl.h>
#include <libxml/parser.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "gateway/multipart.h"
#include "gateway/problems.h"

namespace ds::gateway {
namespace {

using nlohmann::json;

constexpr size_t kMaxFieldBytes = 4096;
constexpr size_t kMaxMetadataBytes = 64 * 1024;
constexpr size_t kChunk = 64 * 1024;

Status Malformed(std::string detail) {
  return GatewayProblem(Code::kInvalidInput, "malformed-request",
                        std::move(detail));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "type/subtype" of a Content-Type value, lower-cased, without parameters;
// "" if it is not of that form.
std::string MediaType(std::string_view value) {
  std::string t = Lower(value.substr(0, value.find(';')));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  size_t slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size())
    return "";
  for (char c : t) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$&-^_.+/").find(c) != std::string_view::npos;
    if (!ok) return "";
  }
  return t.find('/', slash + 1) == std::string::npos ? t : "";
}

// A file name as FIT-Connect metadata carries it: a base name without
// separators or control characters, at most 255 bytes.
bool IsPlainFilename(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") {
    return false;
  }
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

// The named fields, from a `metadata` JSON part or separate field parts.
struct Fields {
  std::string destination_id, service_identifier, service_name, schema_uri;
  json reply_channel;
};

// An attachment being written to its spool file.
struct OpenFile {
  int fd = -1;
  ~OpenFile() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

class ApplicationSink : public PartSink {
 public:
  ApplicationSink(const Portal& portal, const Limits& limits,
                  std::filesystem::path spool)
      : portal_(portal), limits_(limits), spool_(std::move(spool)) {}

  Status Begin(const PartHeaders& h) override;
  Status Data(std::string_view bytes) override;
  Status End() override;

  Result<ReceivedForm> Finish();

 private:
  enum class Kind { kMetadata, kField, kData, kAttachment };

  Status BeginAttachment(const PartHeaders& h);
  Status SetField(const std::string& name, std::string value);
  Status ApplyMetadata(std::string_view text);
  Status CheckAllowed() const;

  const Portal& portal_;
  const Limits& limits_;
  std::filesystem::path spool_;

  Kind kind_ = Kind::kField;
  std::string field_name_;
  std::string buffer_;  // the current metadata, field or data part
  size_t buffer_limit_ = 0;
  OpenFile file_;
  uint64_t part_bytes_ = 0;
  uint64_t total_ = 0;

  Fields fields_;
  bool have_metadata_part_ = false, have_field_parts_ = false;
  bool have_data_ = false;
  ReceivedForm out_;
};

Status ApplicationSink::Begin(const PartHeaders& h) {
  buffer_.clear();
  part_bytes_ = 0;
  if (h.name == "metadata") {
    if (have_metadata_part_ || have_field_parts_) {
      return Malformed(
          "give the fields either as one metadata part or as "
          "separate parts, once");
    }
    have_metadata_part_ = true;
    kind_ = Kind::kMetadata;
    buffer_limit_ = kMaxMetadataBytes;
    return Status::Ok();
  }
  if (h.name == "data") {
    if (have_data_) return Malformed("more than one data part");
    have_data_ = true;
    std::string type =
        h.content_type.empty() ? "application/json" : MediaType(h.content_type);
    if (type == "text/xml") type = "application/xml";
    if (type != "application/json" && type != "application/xml") {
      return GatewayProblem(Code::kInvalidInput, "unsupported-data-type",
                            "the data part must be application/json or "
                            "application/xml",
                            "data");
    }
    out_.app.data_mime_type = type;
    kind_ = Kind::kData;
    buffer_limit_ = limits_.max_data_bytes;
    return Status::Ok();
  }
  if (h.name == "attachment") return BeginAttachment(h);
  if (h.name == "destinationId" || h.name == "serviceIdentifier" ||
      h.name == "serviceName" || h.name == "dataSchemaUri") {
    if (have_metadata_part_) {
      return Malformed("field " + h.name + " given beside a metadata part");
    }
    have_field_parts_ = true;
    kind_ = Kind::kField;
    field_name_ = h.name;
    buffer_limit_ = kMaxFieldBytes;
    return Status::Ok();
  }
  return Malformed(
      "unexpected part (names: metadata, data, attachment, "
      "destinationId, serviceIdentifier, serviceName, "
      "dataSchemaUri)");
}

Status ApplicationSink::BeginAttachment(const PartHeaders& h) {
  size_t index = out_.app.attachments.size();
  std::string instance = "attachment:" + std::to_string(index);
  if (static_cast<int>(index) >= limits_.max_attachments) {
    return GatewayProblem(
        Code::kTooLarge, "too-many-attachments",
        "at most " + std::to_string(limits_.max_attachments) + " attachments");
  }
  if (!h.filename || !IsPlainFilename(*h.filename)) {
    return GatewayProblem(Code::kInvalidInput, "invalid-filename",
                          "an attachment needs a file name without path "
                          "separators or control characters (1 to 255 bytes)",
                          instance);
  }
  std::string type = h.content_type.empty() ? "application/octet-stream"
                                            : MediaType(h.content_type);
  if (type.empty()) {
    return GatewayProblem(Code::kInvalidInput, "invalid-content-type",
                          "an attachment's Content-Type must be type/subtype",
                          instance);
  }

  std::filesystem::path path = spool_ / ("attachment-" + std::to_string(index));
  file_.fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (file_.fd < 0)
    return EnvironmentError("gateway spool: cannot create file");
  out_.app.attachments.push_back(
      {.filename = *h.filename, .mime_type = type, .content_file = path});
  kind_ = Kind::kAttachment;
  return Status::Ok();
}

Status ApplicationSink::Data(std::string_view bytes) {
  part_bytes_ += bytes.size();
  if (kind_ == Kind::kData || kind_ == Kind::kAttachment) {
    total_ += bytes.size();
    if (total_ > limits_.max_total_bytes) {
      return GatewayProblem(Code::kTooLarge, "submission-too-large",
                            "data and attachments above " +
                                std::to_string(limits_.max_total_bytes) +
                                " bytes");
    }
  }
  if (kind_ != Kind::kAttachment) {
    if (part_bytes_ > buffer_limit_) {
      return GatewayProblem(
          Code::kTooLarge, "part-too-large",
          "part above " + std::to_string(buffer_limit_) + " bytes",
          kind_ == Kind::kData ? "data" : "metadata");
    }
    buffer_.append(bytes);
    return Status::Ok();
  }

  if (part_bytes_ > limits_.max_attachment_bytes) {
    return GatewayProblem(
        Code::kTooLarge, "part-too-large",
        "attachment above " + std::to_string(limits_.max_attachment_bytes) +
            " bytes",
        "attachment:" + std::to_string(out_.app.attachments.size() - 1));
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(file_.fd, bytes.data(), bytes.size());
    if (n < 0) return EnvironmentError("gateway spool: write failed");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status ApplicationSink::End() {
  switch (kind_) {
    case Kind::kAttachment:
      file_.Close();
      return Status::Ok();
    case Kind::kData:
      out_.app.data = std::move(buffer_);
      buffer_.clear();
      return Status::Ok();
    case Kind::kMetadata:
      DS_RETURN_IF_ERROR(ApplyMetadata(buffer_));
      return CheckAllowed();
    case Kind::kField:
      DS_RETURN_IF_ERROR(SetField(field_name_, std::move(buffer_)));
      buffer_.clear();
      return CheckAllowed();
  }
  return Status::Ok();
}

Status ApplicationSink::SetField(const std::string& name, std::string value) {
  std::string* slot = name == "destinationId" ? &fields_.destination_id
                      : name == "serviceIdentifier"
                          ? &fields_.service_identifier
                      : name == "serviceName" ? &fields_.service_name
                                              : &fields_.schema_uri;
  if (!slot->empty()) return Malformed("field " + name + " given twice");
  if (value.empty()) return Malformed("field " + name + " is empty");
  *slot = std::move(value);
  return Status::Ok();
}

Status ApplicationSink::ApplyMetadata(std::string_view text) {
  json m = json::parse(text, nullptr, false);
  if (!m.is_object()) {
    return GatewayProblem(Code::kInvalidInput, "malformed-metadata",
                          "the metadata part is not a JSON object", "metadata");
  }
  for (const char* key :
       {"destinationId", "serviceIdentifier", "serviceName", "dataSchemaUri"}) {
    if (!m.contains(key)) continue;
    if (!m[key].is_string()) {
      return GatewayProblem(Code::kInvalidInput, "malformed-metadata",
                            std::string(key) + " must be a string", "metadata");
    }
    DS_RETURN_IF_ERROR(SetField(key, m[key].get<std::string>()));
  }
  if (m.contains("replyChannel")) {
    if (!m["replyChannel"].is_object()) {
      return GatewayProblem(Code::kInvalidInput, "malformed-metadata",
                            "replyChannel must be an object", "metadata");
    }
    fields_.reply_channel = m["replyChannel"];
  }
  return Status::Ok();
}

// As soon as destination and service are known: may this portal send
// there? (Before the attachments are read, if the fields come first.)
Status ApplicationSink::CheckAllowed() const {
  const Fields& f = fields_;
  if (f.destination_id.empty() || f.service_identifier.empty()) {
    return Status::Ok();
  }
  if (!IsUuid(f.destination_id)) {
    return GatewayProblem(Code::kInvalidInput, "malformed-metadata",
                          "destinationId must be a UUID", "metadata");
  }
  if (!portal_.Allows(f.destination_id, f.service_identifier)) {
    return GatewayProblem(Code::kPermissionDenied, "destination-not-allowed",
                          "this portal may not send this service to this "
                          "destination");
  }
  return Status::Ok();
}

Status CheckWellFormed(const std::string& data, const std::string& type) {
  if (type == "application/json") {
    if (json::accept(data)) return Status::Ok();
    return GatewayProblem(Code::kInvalidInput, "malformed-data",
                          "the data part is not well-formed JSON", "data");
  }
  // XML: no network, no DTD loading, libxml2's default size limits.
  xmlDocPtr doc = xmlReadMemory(
      data.data(), static_cast<int>(data.size()), "data.xml", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc) {
    xmlFreeDoc(doc);
    return Status::Ok();
  }
  return GatewayProblem(Code::kInvalidInput, "malformed-data",
                        "the data part is not well-formed XML", "data");
}

Result<ReceivedForm> ApplicationSink::Finish() {
  const Fields& f = fields_;
  for (auto [value, name] :
       {std::pair{&f.destination_id, "destinationId"},
        std::pair{&f.service_identifier, "serviceIdentifier"},
        std::pair{&f.schema_uri, "dataSchemaUri"}}) {
    if (value->empty()) {
      return GatewayProblem(Code::kInvalidInput, "missing-field",
                            std::string(name) + " is required", "metadata");
    }
  }
  if (!have_data_) {
    return GatewayProblem(Code::kInvalidInput, "missing-data-part",
                          "a part named data (the form data) is required",
                          "data");
  }
  DS_RETURN_IF_ERROR(CheckWellFormed(out_.app.data, out_.app.data_mime_type));

  out_.app.destination_id = f.destination_id;
  out_.app.service_identifier = f.service_identifier;
  out_.app.service_name = f.service_name;
  out_.app.data_schema_uri = f.schema_uri;
  out_.app.reply_channel = f.reply_channel;
  out_.bytes = total_;
  return std::move(out_);
}

// Feeds the body, from memory or in chunks from its spool file.
Status FeedBody(const net::Request& request, MultipartParser& parser) {
  if (request.body_file.empty()) return parser.Feed(request.body);
  OpenFile in;
  in.fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (in.fd < 0) return EnvironmentError("gateway: cannot open request body");
  std::string chunk(kChunk, '\0');
  for (;;) {
    ssize_t n = ::read(in.fd, chunk.data(), chunk.size());
    if (n < 0) return EnvironmentError("gateway: cannot read request body");
    if (n == 0) return Status::Ok();
    DS_RETURN_IF_ERROR(
        parser.Feed(std::string_view(chunk.data(), static_cast<size_t>(n))));
  }
}

}  // namespace

Result<ReceivedForm> ReadApplication(const net::Request& request,
                                     const Portal& portal, const Limits& limits,
                                     const std::filesystem::path& spool) {
  auto boundary = BoundaryOf(request.header("Content-Type"));
  if (!boundary.ok()) {
    return GatewayProblem(Code::kInvalidInput, "malformed-multipart",
                          boundary.status().message());
  }
  ApplicationSink sink(portal, limits, spool);
  MultipartLimits ml;
  ml.max_parts = static_cast<size_t>(limits.max_attachments) + 8;
  MultipartParser parser(*boundary, ml, sink);

  Status s = FeedBody(request, parser);
  if (s.ok()) s = parser.Finish();
  if (!s.ok()) {
    // The parser's own errors carry no problem; the sink's do.
    if (s.problem() || s.code() != Code::kInvalidInput) return s;
    return GatewayProblem(Code::kInvalidInput, "malformed-multipart",
                          s.message());
  }
  return sink.Finish();
}

}  // namespace ds::gateway
