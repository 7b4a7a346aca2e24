// Images (T60-T62): dimensions from the headers before anything decodes,
// structure walks (PNG chunks with CRCs, JPEG segments, TIFF IFDs),
// frame and chunk caps, bytes after the end marker.
#include <zlib.h>

#include <cstring>
#include <set>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

uint32_t Be32(std::string_view d, size_t o) {
  return static_cast<uint32_t>(static_cast<unsigned char>(d[o])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(d[o + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(d[o + 2])) << 8 |
         static_cast<unsigned char>(d[o + 3]);
}
uint16_t Be16(std::string_view d, size_t o) {
  return static_cast<uint16_t>(static_cast<unsigned char>(d[o]) << 8 |
                               static_cast<unsigned char>(d[o + 1]));
}

void CheckSize(uint64_t w, uint64_t h, const Limits& limits, Report& r) {
  if (w > limits.max_image_side || h > limits.max_image_side ||
      w * h > limits.max_image_pixels) {
    r.Add("image.too_large", Severity::kReject,
          std::to_string(w) + " x " + std::to_string(h) +
              " pixels (pixel flood)");
  }
}

void Damaged(Report& r, const std::string& what) {
  r.Add("image.damaged", Severity::kReject, what);
}

void InspectPng(std::string_view d, const Limits& limits, Report& r) {
  size_t p = 8;
  bool first = true;
  uint64_t chunks = 0;
  while (p + 12 <= d.size()) {
    uint32_t len = Be32(d, p);
    std::string_view type = d.substr(p + 4, 4);
    if (len > d.size() - p - 12) break;  // truncated
    if (++chunks > 100000) return Damaged(r, "PNG with too many chunks");
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(d.data() + p + 4), len + 4));
    if (crc != Be32(d, p + 8 + len)) return Damaged(r, "PNG chunk CRC error");
    if (first && (type != "IHDR" || len != 13)) {
      return Damaged(r, "PNG without a leading IHDR");
    }
    if (first) CheckSize(Be32(d, p + 8), Be32(d, p + 12), limits, r);
    first = false;
    if (type == "acTL" && len >= 8 &&
        Be32(d, p + 8) > limits.max_image_frames) {
      r.Add("image.too_many_frames", Severity::kReject,
            std::to_string(Be32(d, p + 8)) + " animation frames");
    }
    bool ancillary = type[0] >= 'a' && type[0] <= 'z';
    if (ancillary && len > limits.max_image_chunk_bytes) {
      r.Add("image.chunk_too_large", Severity::kReject,
            "a " + std::to_string(len) + "-byte metadata chunk");
    }
    p += 12 + len;
    if (type == "IEND") {
      if (p < d.size()) {
        r.Add("image.trailing_data", Severity::kReview,
              std::to_string(d.size() - p) + " bytes after IEND");
      }
      return;
    }
  }
  r.Add("image.truncated", Severity::kReview, "PNG ends before IEND");
}

bool IsSof(unsigned char m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

void InspectJpeg(std::string_view d, const Limits& limits, Report& r) {
  size_t p = 2;
  uint64_t segments = 0;
  while (p + 1 < d.size()) {
    if (static_cast<unsigned char>(d[p]) != 0xFF) {
      return Damaged(r, "JPEG segment without a marker");
    }
    while (p < d.size() && static_cast<unsigned char>(d[p]) == 0xFF) ++p;
    if (p >= d.size()) break;
    unsigned char m = static_cast<unsigned char>(d[p++]);
    if (m == 0xD9) {  // EOI
      if (p < d.size()) {
        r.Add("image.trailing_data", Severity::kReview,
              std::to_string(d.size() - p) + " bytes after the JPEG end");
      }
      return;
    }
    if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;
    if (p + 2 > d.size()) break;
    uint16_t len = Be16(d, p);
    if (len < 2 || p + len > d.size()) break;
    if (++segments > 10000) return Damaged(r, "JPEG with too many segments");
    if (IsSof(m) && len >= 7) {
      CheckSize(Be16(d, p + 5), Be16(d, p + 3), limits, r);
    }
    p += len;
    if (m == 0xDA) {  // entropy-coded data runs to the next real marker
      // (memchr to the next 0xFF: most of a photo is this data.)
      while (p + 1 < d.size()) {
        const void* ff = std::memchr(d.data() + p, 0xFF, d.size() - 1 - p);
        if (ff == nullptr) {
          p = d.size() - 1;
          break;
        }
        p = static_cast<size_t>(static_cast<const char*>(ff) - d.data());
        unsigned char b = static_cast<unsigned char>(d[p + 1]);
        if (b != 0x00 && !(b >= 0xD0 && b <= 0xD7) && b != 0xFF) break;
        ++p;
      }
    }
  }
  r.Add("image.truncated", Severity::kReview, "JPEG ends before EOI");
}

void InspectTiff(std::string_view d, const Limits& limits, Report& r) {
  bool le = d[0] == 'I';
  auto u16 = [&](size_t o) -> uint32_t {
    return le ? (static_cast<unsigned char>(d[o]) |
                 static_cast<unsigned char>(d[o + 1]) << 8)
              : Be16(d, o);
  };
  auto u32 = [&](size_t o) -> uint32_t {
    return le ? (u16(o) | u16(o + 2) << 16) : Be32(d, o);
  };
  if (d.size() < 8 || u16(2) != 42) {
    return Damaged(r, "TIFF header not understood (BigTIFF is not read)");
  }
  std::set<uint32_t> seen;
  uint32_t ifd = u32(4);
  while (ifd != 0) {
    if (!seen.insert(ifd).second) return Damaged(r, "TIFF IFD loop");
    if (seen.size() > limits.max_image_frames) {
      r.Add("image.too_many_frames", Severity::kReject,
            "more than " + std::to_string(limits.max_image_frames) +
                " TIFF pages");
      return;
    }
    if (size_t{ifd} + 2 > d.size()) return Damaged(r, "TIFF IFD out of bounds");
    uint32_t n = u16(ifd);
    if (size_t{ifd} + 2 + 12 * size_t{n} + 4 > d.size()) {
      return Damaged(r, "TIFF IFD out of bounds");
    }
    uint64_t w = 0, h = 0;
    for (uint32_t i = 0; i < n; ++i) {
      size_t e = ifd + 2 + 12 * i;
      uint32_t tag = u16(e), type = u16(e + 2);
      uint32_t value = type == 3 ? u16(e + 8) : u32(e + 8);
      if (tag == 256) w = value;
      if (tag == 257) h = value;
    }
    CheckSize(w, h, limits, r);
    ifd = u32(ifd + 2 + 12 * n);
  }
}

uint32_t Le16(std::string_view d, size_t o) {
  return static_cast<unsigned char>(d[o]) | static_cast<unsigned char>(d[o + 1])
                                                << 8;
}

}  // namespace

void InspectImage(std::string_view d, const std::string& type_id, Context& ctx,
                  Report& report) {
  const Limits& limits = ctx.policy->limits;
  if (type_id == "png") {
    InspectPng(d, limits, report);
  } else if (type_id == "jpeg") {
    InspectJpeg(d, limits, report);
  } else if (type_id == "tiff") {
    InspectTiff(d, limits, report);
  } else if (type_id == "gif" && d.size() >= 10) {
    CheckSize(Le16(d, 6), Le16(d, 8), limits, report);
    // Not yet: GIF frames are not counted.
  } else if (type_id == "bmp" && d.size() >= 26) {
    int32_t w = static_cast<int32_t>(Le16(d, 18) | Le16(d, 20) << 16);
    int32_t h = static_cast<int32_t>(Le16(d, 22) | Le16(d, 24) << 16);
    CheckSize(static_cast<uint64_t>(std::abs(int64_t{w})),
              static_cast<uint64_t>(std::abs(int64_t{h})), limits, report);
  }
}

}  // namespace ds::gate::internal
