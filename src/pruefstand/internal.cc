#include "pruefstand/internal.h"

#include "core/files.h"
#include "gate/findings.h"

namespace ds::pruefstand::internal {

using nlohmann::json;

Delivery ErrorDelivery(std::string reason) {
  Delivery d;
  d.outcome = Outcome::kError;
  d.reason = std::move(reason);
  return d;
}

json WithGermanTitles(json findings) {
  if (!findings.is_array()) return json::array();
  for (json& f : findings) {
    if (!f.contains("title_de")) {
      f["title_de"] = std::string(gate::GermanTitle(f.value("code", "")));
    }
  }
  return findings;
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  return ReadFile(path, 256u << 20);
}

Delivery RateRendition(Delivery d, const gate::Sample& sample,
                       const Result<std::string>& rendition) {
  (void)sample;
  if (!rendition.ok()) {
    d.outcome = Outcome::kAcceptedUnchanged;
    d.neutralisation = {{"rendition", false}, {"marker_present", nullptr}};
    d.reason =
        "als entschärft gemeldet, aber keine entschärfte Fassung "
        "lesbar: " +
        rendition.status().message();
    return d;
  }
  // Every sample's marker starts with "ZDT-" (gate/samples.h); some samples
  // carry the marker of a shorter id, so the prefix is what counts.
  bool marker = rendition->find("ZDT-") != std::string::npos;
  d.neutralisation = {{"rendition", true}, {"marker_present", marker}};
  if (marker) {
    d.outcome = Outcome::kAcceptedUnchanged;
    d.reason =
        "als entschärft gemeldet, aber die gespeicherte Fassung "
        "enthält die Markierung noch";
  } else {
    d.outcome = Outcome::kNeutralised;
    d.reason =
        "aktiver Inhalt entfernt; die gespeicherte Fassung enthält "
        "die Markierung nicht mehr";
  }
  return d;
}

namespace {

// Length of the UTF-8 sequence a lead byte starts; 0 for an invalid lead.
int SequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

}  // namespace

bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int n = SequenceLength(static_cast<unsigned char>(s[i]));
    if (n == 0 || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

std::string Excerpt(std::string_view body, size_t max) {
  std::string out;
  for (size_t i = 0; i < body.size() && out.size() < max; ++i) {
    unsigned char c = body[i];
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  // Do not end inside a UTF-8 sequence.
  size_t lead = out.size();
  while (lead > 0 &&
         (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80) {
    --lead;
  }
  if (lead > 0) {
    int n = SequenceLength(static_cast<unsigned char>(out[lead - 1]));
    if (n > 1 && lead - 1 + n > out.size()) out.resize(lead - 1);
  }
  if (body.size() > max) out += " …";
  return out;
}

}  // namespace ds::pruefstand::internal
