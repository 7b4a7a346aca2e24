// Receive0605: a FVDaten.SGOAblegen.0605 from a Fachverfahren, filed and
// answered with a FVDaten.ImportBestaetigen.0630.
#include "xdomea/receive.h"

#include <libxml/tree.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "records/store_import.h"
#include "xdomea/dom.h"
#include "xdomea/messages.h"
#include "xdomea/tree.h"

namespace ds::xdomea {
namespace {

using internal::Child;
using internal::Children;
using internal::ChildText;

// A refusal: the 0630 codes and the reason for the log and the caller.
struct Refusal {
  Feedback code;
  std::string reason;
};

Refusal Invalid(std::string reason) {
  return {.code = {.general_code = "0000008"}, .reason = std::move(reason)};
}
std::optional<Refusal> Specific(const char* code, std::string reason) {
  return Refusal{.code = {.specific_code = code}, .reason = std::move(reason)};
}

// One SchriftgutobjektZumAblegen, checked and with its files stored.
struct Item {
  std::string fv_id;
  int nummer = -1;
  std::string vorgang_id;  // container is a Vorgang
  std::string akte_id;     // container is an Akte
  std::string betreff;
  std::vector<records::IncomingDocument> docs;
};

void CollectDokumente(const xmlNode* node, std::vector<const xmlNode*>& out) {
  std::string name = internal::LocalName(node);
  if (name == "Dokument") {
    out.push_back(node);
    for (const xmlNode* a : Children(node, "Anlage")) CollectDokumente(a, out);
    return;
  }
  const xmlNode* content = name == "Akte" ? Child(node, "Akteninhalt") : node;
  for (const char* child : {"Dokument", "Vorgang", "Teilvorgang", "Teilakte"}) {
    for (const xmlNode* c : Children(content, child)) CollectDokumente(c, out);
  }
}

class Receiver {
 public:
  Receiver(records::Store& store, const std::string& tenant,
           const ReceiveOptions& options)
      : store_(store), tenant_(tenant), options_(options) {}

  // Checks an item and stores its files; a Refusal if it cannot be filed,
  // an error status for failures on our side.
  Result<std::optional<Refusal>> Prepare(const xmlNode* sgo,
                                         const internal::FileSource& source,
                                         Item* item) {
    item->fv_id = ChildText(sgo, "FachverfahrenObjektID");
    std::string nummer = ChildText(sgo, "NummerImStapel");
    if (!nummer.empty()) item->nummer = std::atoi(nummer.c_str());
    std::string container = ChildText(sgo, "IDContainer");
    if (container.empty()) {
      return Specific("0605001",
                      "IDContainer missing: drehscheibe files "
                      "only into a known Vorgang or Akte");
    }

    // The container: a Vorgang or an Akte of this tenant, writable.
    auto vorgang = store_.GetVorgang(tenant_, container);
    if (vorgang.ok()) {
      item->vorgang_id = container;
    } else if (vorgang.status().code() != Code::kNotFound) {
      return vorgang.status();
    } else if (auto akte = store_.GetAkte(tenant_, container); akte.ok()) {
      item->akte_id = container;
    } else if (akte.status().code() != Code::kNotFound) {
      return akte.status();
    } else {
      return Specific("0605001",
                      "IDContainer names no Vorgang or Akte of "
                      "this tenant");
    }
    DS_ASSIGN_OR_RETURN(bool read_only, store_.IsReadOnly(tenant_, container));
    if (read_only) {
      return Specific("0605005", "container is a read-only import");
    }

    // The Dokumente and their primary files, inspected and stored.
    std::vector<const xmlNode*> dokumente;
    const xmlNode* object = Child(sgo, "Schriftgutobjekt");
    for (const xmlNode* c = object ? object->children : nullptr; c;
         c = c->next) {
      if (c->type == XML_ELEMENT_NODE) CollectDokumente(c, dokumente);
    }
    if (dokumente.empty()) {
      return Specific("0605004", "no Dokument to file");
    }
    for (const xmlNode* d : dokumente) {
      if (item->betreff.empty()) {
        item->betreff = ChildText(Child(d, "AllgemeineMetadaten"), "Betreff");
      }
      auto doc = internal::StoreDokument(store_, options_.inspect, source, d);
      if (!doc.ok()) {
        if (doc.status().code() == Code::kInvalidInput) {
          return Specific("0605004", doc.status().message());
        }
        return doc.status();
      }
      if (!*doc) return Specific("0605004", "a Dokument has no primary file");
      if ((*doc)->verdict == records::Verdict::kRejected) {
        return Specific("0605005", "a primary file was rejected by the gate");
      }
      item->docs.push_back(std::move(**doc));
    }
    return std::optional<Refusal>();
  }

  // Files a prepared item; the ids of its Dokumente go to `filed`.
  Status File(const std::string& process_id, const Item& item,
              std::vector<FiledObject>& filed) {
    std::string key = "xdomea-0605:" + process_id + ":" + item.fv_id;
    if (!item.vorgang_id.empty()) {
      for (size_t i = 0; i < item.docs.size(); ++i) {
        DS_ASSIGN_OR_RETURN(
            records::FiledOnce once,
            store_.AddDokumentOnce(tenant_, item.vorgang_id,
                                   key + ":" + std::to_string(i), item.docs[i],
                                   options_.actor));
        filed.push_back({.fachverfahren_objekt_id = item.fv_id,
                         .nummer_im_stapel = item.nummer,
                         .new_id = once.dokument_id,
                         .ablageort = item.vorgang_id});
      }
      return Status::Ok();
    }

    // Into an Akte: a new Vorgang (idempotent on the key), then assigned.
    records::IncomingSubmission in;
    in.tenant = tenant_;
    in.submission_id = key;
    in.service_identifier = "xdomea";
    in.service_name = "Fachverfahren";
    in.subject =
        item.betreff.empty() ? "Eingang aus Fachverfahren" : item.betreff;
    in.attachments = item.docs;
    in.actor = options_.actor;
    DS_ASSIGN_OR_RETURN(records::FilingReceipt receipt,
                        store_.FileSubmission(in));
    DS_ASSIGN_OR_RETURN(records::Vorgang v,
                        store_.GetVorgang(tenant_, receipt.vorgang_id));
    if (v.akte_id != item.akte_id) {
      DS_RETURN_IF_ERROR(store_.AssignToAkte(tenant_, receipt.vorgang_id,
                                             item.akte_id, options_.actor));
    }
    for (const std::string& id : receipt.attachment_dokument_ids) {
      filed.push_back({.fachverfahren_objekt_id = item.fv_id,
                       .nummer_im_stapel = item.nummer,
                       .new_id = id,
                       .ablageort = receipt.vorgang_id});
    }
    return Status::Ok();
  }

 private:
  records::Store& store_;
  const std::string& tenant_;
  const ReceiveOptions& options_;
};

Party SenderOf(const xmlNode* kopf) {
  const xmlNode* absender = Child(kopf, "Absender");
  return {.institution = ChildText(Child(absender, "Institution"), "Name"),
          .organisationseinheit =
              ChildText(Child(absender, "Organisationseinheit"), "Name")};
}

}  // namespace

Result<ReceiveResult> Receive0605(records::Store& store,
                                  const std::string& tenant,
                                  std::string_view zip,
                                  const ReceiveOptions& options) {
  if (tenant.empty()) return InvalidInput("xdomea receive: tenant missing");
  ReceiveResult result;
  ImportAnswer answer{.version = kDefaultVersion,
                      .header = {.process_id = "",
                                 .code = "0630",
                                 .created_at = UnixNow(),
                                 .sender = options.self}};
  std::vector<Item> items;
  std::optional<Refusal> refusal;
  internal::Parsed parsed;
  std::optional<internal::FileSource> source;

  // Read and validate the package.
  Result<Package> package = ReadPackage(zip, options.limits);
  Validator validator(options.specs_dir, options.limits);
  if (!package.ok()) {
    refusal = Invalid(package.status().message());
  } else {
    auto p = internal::ParseAndValidate(validator, package->xml, "");
    if (!p.ok() && p.status().code() == Code::kEnvironment) return p.status();
    if (!p.ok()) {
      refusal = Invalid(p.status().message());
    } else {
      parsed = std::move(*p);
      answer.version = parsed.report.version;
      if (!parsed.report.valid()) {
        const SchemaError& e = parsed.report.errors.front();
        refusal = Invalid("message violates the XSD at line " +
                          std::to_string(e.line) + ": " + e.message);
      } else if (parsed.report.message_type != k0605Root) {
        refusal = Invalid(parsed.report.message_type +
                          " is not accepted here (only " + k0605Root + ")");
      }
    }
  }

  // Check every item and store its files before anything is filed.
  Receiver receiver(store, tenant, options);
  if (!refusal) {
    const xmlNode* root = xmlDocGetRootElement(parsed.doc.get());
    const xmlNode* kopf = Child(root, "Kopf");
    result.process_id = ChildText(kopf, "ProzessID");
    answer.header.receiver = SenderOf(kopf);
    source.emplace(internal::FileSource{
        .package = *package, .side_dir = {}, .limits = options.limits});
    for (const xmlNode* sgo : Children(root, "SchriftgutobjektZumAblegen")) {
      Item item;
      DS_ASSIGN_OR_RETURN(refusal, receiver.Prepare(sgo, *source, &item));
      if (refusal) break;
      items.push_back(std::move(item));
    }
  }

  // File, or refuse as a whole.
  if (!refusal) {
    for (const Item& item : items) {
      DS_RETURN_IF_ERROR(receiver.File(result.process_id, item, answer.filed));
    }
    answer.feedback.push_back({.general_code = "0000000"});
    result.accepted = true;
    for (const FiledObject& f : answer.filed) {
      result.dokument_ids.push_back(f.new_id);
    }
  } else {
    answer.feedback.push_back(refusal->code);
    answer.feedback.push_back({.text = refusal->reason});
    result.reason = refusal->reason;
  }

  // The 0630, checked against the XSD like every message we send.
  answer.header.process_id =
      result.process_id.empty() ? NewUuid() : result.process_id;
  answer.fv_session_id = answer.header.process_id;
  Package reply;
  reply.xml = Build0630(answer);
  reply.message_name = answer.header.process_id + "_" + k0630Root + ".xml";
  DS_ASSIGN_OR_RETURN(ValidationReport check,
                      validator.Validate(reply.xml, answer.version));
  if (!check.valid()) {
    return Internal("xdomea receive: built 0630 does not validate (line " +
                    std::to_string(check.errors[0].line) + ": " +
                    check.errors[0].message + ")");
  }
  DS_ASSIGN_OR_RETURN(result.answer_zip, WritePackage(reply));
  result.answer_name = answer.header.process_id + "_" + k0630Root + ".zip";

  DS_RETURN_IF_ERROR(store.AppendAudit(
      tenant, options.actor, "receive", result.dokument_ids,
      {{"format", "xdomea"},
       {"message", "0605"},
       {"process_id", answer.header.process_id},
       {"accepted", result.accepted},
       {"code", refusal
                    ? refusal->code.general_code + refusal->code.specific_code
                    : std::string("0000000")}}));
  DefaultLogger().Info(
      "xdomea.receive",
      {{"tenant", tenant},
       {"process_id", answer.header.process_id},
       {"accepted", result.accepted},
       {"dokumente", static_cast<int64_t>(result.dokument_ids.size())}});
  return result;
}

}  // namespace ds::xdomea
