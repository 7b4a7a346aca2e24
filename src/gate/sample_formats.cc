#include "gate/sample_formats.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace ds::gate::samples {
namespace {

void Le16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Le32(std::string& s, uint32_t v) {
  Le16(s, v & 0xFFFF);
  Le16(s, v >> 16);
}
void Be32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void Be16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
  s.push_back(static_cast<char>(v & 0xFF));
}

uint32_t Crc(const std::string& data) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()),
            static_cast<uInt>(data.size())));
}

std::string Compress(const std::string& data, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

std::string Deflate(const std::string& data) { return Compress(data, -15); }
std::string ZlibCompress(const std::string& data) {
  return Compress(data, 15);
}

std::string PdfStream(const std::string& data, const std::string& extra) {
  return "<< /Length " + std::to_string(data.size()) + extra +
         " >>\nstream\n" + data + "\nendstream";
}

std::string BuildPdf(const PdfSpec& spec) {
  std::vector<std::string> objs;
  std::string kids;
  int first_extra_page = 6 + static_cast<int>(spec.objects.size());
  kids = "3 0 R";
  for (int i = 1; i < spec.pages; ++i) {
    kids += " " + std::to_string(first_extra_page + i - 1) + " 0 R";
  }
  objs.push_back("<< /Type /Catalog /Pages 2 0 R " + spec.catalog_extra +
                 " >>");
  objs.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " +
                 std::to_string(spec.pages) + " >>");
  std::string page_common = "/Type /Page /Parent 2 0 R /MediaBox " +
                            spec.media_box +
                            " /Contents 4 0 R /Resources << /Font << /F1 5 "
                            "0 R >> >>";
  objs.push_back("<< " + page_common + " " + spec.page_extra + " >>");
  objs.push_back(PdfStream("BT /F1 12 Tf 72 770 Td (" + spec.text +
                           ") Tj ET"));
  objs.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (const std::string& o : spec.objects) objs.push_back(o);
  for (int i = 1; i < spec.pages; ++i) objs.push_back("<< " + page_common + " >>");

  std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objs.size() + 1) +
         "\n0000000000 65535 f \n";
  char line[32];
  for (size_t off : offsets) {
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objs.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) +
         "\n%%EOF\n";
  return out;
}

std::string BuildZip(const std::vector<ZipEntry>& entries) {
  std::string out, central;
  for (const ZipEntry& e : entries) {
    std::string body = e.deflate ? Deflate(e.data) : e.data;
    uint32_t usize = e.declared_size.value_or(
        static_cast<uint32_t>(e.data.size()));
    uint32_t crc = Crc(e.data);
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint16_t method = e.deflate ? 8 : 0;

    out += "PK\x03\x04";
    Le16(out, 20); Le16(out, e.flags); Le16(out, method);
    Le16(out, 0); Le16(out, 0x21);
    Le32(out, crc); Le32(out, static_cast<uint32_t>(body.size()));
    Le32(out, usize);
    Le16(out, static_cast<uint32_t>(e.name.size())); Le16(out, 0);
    out += e.name + body;

    const std::string& cname = e.central_name.value_or(e.name);
    central += "PK\x01\x02";
    Le16(central, 3 << 8 | 20); Le16(central, 20); Le16(central, e.flags);
    Le16(central, method); Le16(central, 0); Le16(central, 0x21);
    Le32(central, crc); Le32(central, static_cast<uint32_t>(body.size()));
    Le32(central, usize);
    Le16(central, static_cast<uint32_t>(cname.size()));
    Le16(central, 0); Le16(central, 0); Le16(central, 0); Le16(central, 0);
    Le32(central, e.unix_mode << 16); Le32(central, offset);
    central += cname;
  }
  uint32_t cd_off = static_cast<uint32_t>(out.size());
  out += central;
  out += "PK\x05\x06";
  Le16(out, 0); Le16(out, 0);
  Le16(out, static_cast<uint32_t>(entries.size()));
  Le16(out, static_cast<uint32_t>(entries.size()));
  Le32(out, static_cast<uint32_t>(central.size())); Le32(out, cd_off);
  Le16(out, 0);
  return out;
}

std::string BuildOverlapZip(int n) {
  std::string kernel = Deflate(std::string(1 << 20, '\0'));
  std::string out = "PK\x03\x04";
  Le16(out, 20); Le16(out, 0); Le16(out, 8); Le16(out, 0); Le16(out, 0x21);
  uint32_t crc = Crc(std::string(1 << 20, '\0'));
  Le32(out, crc); Le32(out, static_cast<uint32_t>(kernel.size()));
  Le32(out, 1 << 20); Le16(out, 1); Le16(out, 0);
  out += "a" + kernel;
  std::string central;
  for (int i = 0; i < n; ++i) {
    central += "PK\x01\x02";
    Le16(central, 3 << 8 | 20); Le16(central, 20); Le16(central, 0);
    Le16(central, 8); Le16(central, 0); Le16(central, 0x21);
    Le32(central, crc); Le32(central, static_cast<uint32_t>(kernel.size()));
    Le32(central, 1 << 20); Le16(central, 1);
    Le16(central, 0); Le16(central, 0); Le16(central, 0); Le16(central, 0);
    Le32(central, 0100644u << 16); Le32(central, 0);
    central += "a";
  }
  uint32_t cd_off = static_cast<uint32_t>(out.size());
  out += central + "PK\x05\x06";
  Le16(out, 0); Le16(out, 0);
  Le16(out, static_cast<uint32_t>(n)); Le16(out, static_cast<uint32_t>(n));
  Le32(out, static_cast<uint32_t>(central.size())); Le32(out, cd_off);
  Le16(out, 0);
  return out;
}

std::string BuildTar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const TarEntry& e : entries) {
    std::string h(512, '\0');
    auto put = [&](size_t off, const std::string& v) {
      std::copy(v.begin(), v.end(), h.begin() + static_cast<long>(off));
    };
    char num[16];
    put(0, e.name.substr(0, 99));
    put(100, "0000644");
    put(108, "0001750");
    put(116, "0001750");
    std::snprintf(num, sizeof num, "%011o", static_cast<unsigned>(
                                                e.type == '0' ? e.data.size()
                                                              : 0));
    put(124, num);
    put(136, "00000000000");
    put(148, "        ");
    h[156] = e.type;
    put(157, e.link.substr(0, 99));
    put(257, std::string("ustar\0" "00", 8));
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(num, sizeof num, "%06o", sum);
    put(148, std::string(num, 6) + std::string("\0 ", 2));
    out += h;
    if (e.type == '0') {
      out += e.data;
      out.append((512 - e.data.size() % 512) % 512, '\0');
    }
  }
  out.append(1024, '\0');
  return out;
}

namespace {

constexpr uint32_t kFree = 0xFFFFFFFF, kEnd = 0xFFFFFFFE, kFatSect = 0xFFFFFFFD;

struct FlatEntry {
  std::u16string name;
  uint8_t type;  // 1 storage, 2 stream, 5 root
  uint32_t child = kFree, right = kFree, start = kEnd, size = 0;
  std::string data;
};

bool CfbLess(const CfbNode& a, const CfbNode& b) {
  if (a.name.size() != b.name.size()) return a.name.size() < b.name.size();
  auto up = [](char16_t c) { return c >= 'a' && c <= 'z' ? c - 32 : c; };
  for (size_t i = 0; i < a.name.size(); ++i) {
    if (up(a.name[i]) != up(b.name[i])) return up(a.name[i]) < up(b.name[i]);
  }
  return false;
}

// Children as a chain of right siblings, sorted as MS-CFB compares names.
uint32_t Flatten(std::vector<CfbNode> nodes, std::vector<FlatEntry>& out) {
  std::sort(nodes.begin(), nodes.end(), CfbLess);
  uint32_t first = kFree;
  uint32_t prev = kFree;
  for (CfbNode& n : nodes) {
    uint32_t id = static_cast<uint32_t>(out.size());
    FlatEntry e{n.name, static_cast<uint8_t>(n.storage ? 1 : 2)};
    e.data = n.data;
    if (!n.storage && e.data.size() < 4096) e.data.resize(4096, '\0');
    out.push_back(e);
    if (prev != kFree) out[prev].right = id;
    if (first == kFree) first = id;
    prev = id;
    if (n.storage) {
      uint32_t child = Flatten(n.children, out);
      out[id].child = child;
    }
  }
  return first;
}

}  // namespace

std::string BuildCfb(const std::vector<CfbNode>& root_children) {
  std::vector<FlatEntry> entries;
  entries.push_back(FlatEntry{u"Root Entry", 5});
  entries[0].child = Flatten(root_children, entries);

  // Sectors: [FAT...][directory...][stream data...]
  size_t dir_sectors = (entries.size() + 3) / 4;
  size_t data_sectors = 0;
  for (const FlatEntry& e : entries) {
    if (e.type == 2) data_sectors += (e.data.size() + 511) / 512;
  }
  size_t fat_sectors = 1;
  while (fat_sectors * 128 < fat_sectors + dir_sectors + data_sectors) {
    ++fat_sectors;
  }
  std::vector<uint32_t> fat(fat_sectors * 128, kFree);
  for (size_t i = 0; i < fat_sectors; ++i) fat[i] = kFatSect;
  uint32_t next = static_cast<uint32_t>(fat_sectors);
  auto chain = [&](size_t count) {
    uint32_t start = next;
    for (size_t i = 0; i < count; ++i, ++next) {
      fat[next] = i + 1 == count ? kEnd : next + 1;
    }
    return start;
  };
  uint32_t dir_start = chain(dir_sectors);
  for (FlatEntry& e : entries) {
    if (e.type != 2) continue;
    e.size = static_cast<uint32_t>(e.data.size());
    e.start = chain((e.data.size() + 511) / 512);
  }

  std::string out;
  out += std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  out.append(16, '\0');
  Le16(out, 0x3E); Le16(out, 3); Le16(out, 0xFFFE); Le16(out, 9);
  Le16(out, 6); out.append(6, '\0');
  Le32(out, 0); Le32(out, static_cast<uint32_t>(fat_sectors));
  Le32(out, dir_start); Le32(out, 0); Le32(out, 4096);
  Le32(out, kEnd); Le32(out, 0); Le32(out, kEnd); Le32(out, 0);
  for (size_t i = 0; i < 109; ++i) {
    Le32(out, i < fat_sectors ? static_cast<uint32_t>(i) : kFree);
  }
  out.resize(512, '\0');
  for (uint32_t v : fat) Le32(out, v);

  std::string dir;
  for (const FlatEntry& e : entries) {
    std::string d;
    for (char16_t c : e.name) Le16(d, c);
    d.resize(64, '\0');
    Le16(d, static_cast<uint32_t>((e.name.size() + 1) * 2));
    d.push_back(static_cast<char>(e.type));
    d.push_back(1);  // black
    Le32(d, kFree); Le32(d, e.right); Le32(d, e.child);
    d.append(16 + 4 + 16, '\0');  // CLSID, state, times
    Le32(d, e.start); Le32(d, e.size); Le32(d, 0);
    dir += d;
  }
  while (dir.size() < dir_sectors * 512) {
    std::string empty(128, '\0');
    for (int i = 68; i < 80; ++i) empty[i] = '\xFF';
    dir += empty;
  }
  out += dir;
  for (const FlatEntry& e : entries) {
    if (e.type != 2) continue;
    std::string d = e.data;
    d.resize((d.size() + 511) / 512 * 512, '\0');
    out += d;
  }
  return out;
}

std::string PngChunk(const std::string& type, const std::string& data) {
  std::string c;
  Be32(c, static_cast<uint32_t>(data.size()));
  std::string td = type + data;
  c += td;
  Be32(c, Crc(td));
  return c;
}

std::string BuildPng(uint32_t width, uint32_t height,
                     const std::vector<std::string>& extra_chunks) {
  std::string ihdr;
  Be32(ihdr, width); Be32(ihdr, height);
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey
  std::string raw;
  if (uint64_t{width} * height <= 4096) {
    for (uint32_t y = 0; y < height; ++y) {
      raw.push_back('\0');
      raw.append(width, '\x80');
    }
  } else {
    raw.assign(1024, '\0');  // a fragment: the gate never decodes
  }
  std::string out = "\x89PNG\r\n\x1A\n";
  out += PngChunk("IHDR", ihdr);
  for (const std::string& c : extra_chunks) out += c;
  out += PngChunk("IDAT", ZlibCompress(raw));
  out += PngChunk("IEND", "");
  return out;
}

std::string BuildJpeg(uint16_t width, uint16_t height) {
  // Baseline, one grey component, one DC and one AC code (both symbol 0),
  // so one 8x8 block encodes as the two bits "00".
  std::string j = "\xFF\xD8";
  j += std::string("\xFF\xDB\x00\x43\x00", 5) + std::string(64, '\x01');
  j += std::string("\xFF\xC0\x00\x0B\x08", 5);
  Be16(j, height); Be16(j, width);
  j += std::string("\x01\x01\x11\x00", 4);
  std::string counts = std::string("\x01", 1) + std::string(15, '\0');
  j += std::string("\xFF\xC4\x00\x14\x00", 5) + counts + std::string(1, '\0');
  j += std::string("\xFF\xC4\x00\x14\x10", 5) + counts + std::string(1, '\0');
  j += std::string("\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 10);
  size_t blocks = (size_t{width} + 7) / 8 * ((size_t{height} + 7) / 8);
  if (blocks > 64) blocks = 1;  // floods carry a fragment only
  std::string bits((blocks * 2 + 7) / 8, '\0');
  bits.back() = static_cast<char>(0xFF >> ((blocks * 2) % 8 == 0 ? 8 :
                                           (blocks * 2) % 8));
  j += bits;
  j += "\xFF\xD9";
  return j;
}

std::string BuildTiff(uint32_t width, uint32_t height, bool loop) {
  std::string t = "II*";
  t.push_back('\0');
  Le32(t, 8);
  struct Tag { uint16_t tag, type; uint32_t value; };
  std::vector<Tag> tags = {{256, 4, width}, {257, 4, height}, {258, 3, 8},
                           {259, 3, 1},     {262, 3, 1},      {273, 4, 0},
                           {277, 3, 1},     {278, 4, height}, {279, 4, 1}};
  uint32_t pixel = 8 + 2 + 12 * static_cast<uint32_t>(tags.size()) + 4;
  tags[5].value = pixel;
  Le16(t, static_cast<uint32_t>(tags.size()));
  for (const Tag& g : tags) {
    Le16(t, g.tag); Le16(t, g.type); Le32(t, 1);
    if (g.type == 3) { Le16(t, g.value); Le16(t, 0); } else { Le32(t, g.value); }
  }
  Le32(t, loop ? 8 : 0);
  t.push_back('\x80');
  return t;
}

}  // namespace ds::gate::samples
