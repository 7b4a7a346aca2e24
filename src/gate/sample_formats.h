// Internal: tiny byte-level writers for the sample catalogue. They write
// exactly what they are told (hostile names, lying sizes, overlaps), which
// is why no library writer is used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ds::gate::samples {

// Raw DEFLATE (no zlib header) and zlib streams.
std::string Deflate(const std::string& data);
std::string ZlibCompress(const std::string& data);

// A one-page PDF; extra objects are numbered from 6 upwards.
struct PdfSpec {
  std::string catalog_extra;  // inside the catalog dictionary
  std::string page_extra;     // inside the page dictionary
  std::string text = "Antrag";
  std::string media_box = "[0 0 595 842]";
  std::vector<std::string> objects;  // bodies of objects 6, 7, ...
  int pages = 1;                     // further pages share the content
};
std::string BuildPdf(const PdfSpec& spec);
// "<< /Length n extra >>\nstream\n...\nendstream"
std::string PdfStream(const std::string& data, const std::string& extra = "");

struct ZipEntry {
  std::string name;
  std::string data;
  bool deflate = true;
  uint16_t flags = 0;
  uint32_t unix_mode = 0100644;
  std::optional<uint32_t> declared_size;  // lie about the inflated size
  std::optional<std::string> central_name;  // differ from the local name
};
std::string BuildZip(const std::vector<ZipEntry>& entries);
// One local entry and `n` central entries that all point at it (T41).
std::string BuildOverlapZip(int n);

struct TarEntry {
  std::string name;
  std::string data;
  char type = '0';  // '0' file, '2' symlink, '1' hard link
  std::string link;
};
std::string BuildTar(const std::vector<TarEntry>& entries);

// An OLE2 compound file; streams are padded to 4096 bytes so that no
// mini stream is needed.
struct CfbNode {
  std::u16string name;
  bool storage = false;
  std::string data;
  std::vector<CfbNode> children;
};
std::string BuildCfb(const std::vector<CfbNode>& root_children);

std::string PngChunk(const std::string& type, const std::string& data);
std::string BuildPng(uint32_t width, uint32_t height,
                     const std::vector<std::string>& extra_chunks = {});
std::string BuildJpeg(uint16_t width = 8, uint16_t height = 8);
std::string BuildTiff(uint32_t width = 1, uint32_t height = 1,
                      bool loop = false);

}  // namespace ds::gate::samples
