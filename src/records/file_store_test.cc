#include "records/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"

namespace ds::records {
namespace {
namespace fs = std::filesystem;
using ds::testing::StatusIs;
using ds::testing::TempDir;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(files_.Init()); }

  fs::path WriteInput(const std::string& name, const std::string& bytes) {
    fs::path p = tmp_.path() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  TempDir tmp_;
  FileStore files_{tmp_.path() / "files"};
};

TEST_F(FileStoreTest, AddressIsSha256OfPlaintext) {
  auto info = files_.PutFile(WriteInput("a.txt", "hello"));

  ASSERT_OK(info);
  EXPECT_EQ(info->address, HexEncode(Sha256("hello")));
  EXPECT_EQ(info->size, 5);
  EXPECT_TRUE(info->newly_stored);
  EXPECT_TRUE(fs::exists(files_.root() / info->address.substr(0, 2) /
                         info->address));
}

TEST_F(FileStoreTest, StreamsLargeInputFromDescriptor) {
  std::string big(5 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4097) big[i] = static_cast<char>(i);
  fs::path p = WriteInput("big.bin", big);
  int fd = ::open(p.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);

  auto info = files_.PutFromFd(fd);
  ::close(fd);

  ASSERT_OK(info);
  EXPECT_EQ(info->address, HexEncode(Sha256(big)));
  EXPECT_EQ(info->size, static_cast<int64_t>(big.size()));
  auto back = files_.Read(info->address, 16 << 20);
  ASSERT_OK(back);
  EXPECT_EQ(*back, big);
}

TEST_F(FileStoreTest, DeduplicatesEqualContent) {
  auto first = files_.PutBytes("same bytes");
  auto second = files_.PutFile(WriteInput("b", "same bytes"));

  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(first->address, second->address);
  EXPECT_FALSE(second->newly_stored);
  int count = 0;
  ASSERT_OK(files_.ForEach([&](const std::string&) {
    ++count;
    return Status::Ok();
  }));
  EXPECT_EQ(count, 1);
}

TEST_F(FileStoreTest, LeavesNoTempFilesBehind) {
  ASSERT_OK(files_.PutBytes("x"));
  ASSERT_OK(files_.PutFile(WriteInput("y", "y")));

  EXPECT_TRUE(fs::is_empty(files_.root() / "tmp"));
}

TEST_F(FileStoreTest, RejectsInputAboveLimitAndStoresNothing) {
  auto info = files_.PutFile(WriteInput("c", std::string(100, 'c')), 99);

  EXPECT_THAT(info, StatusIs(Code::kTooLarge));
  EXPECT_TRUE(fs::is_empty(files_.root() / "tmp"));
  EXPECT_FALSE(files_.Contains(HexEncode(Sha256(std::string(100, 'c')))));
}

TEST_F(FileStoreTest, DetectsCorruptedBlobOnRead) {
  auto info = files_.PutBytes("original content");
  ASSERT_OK(info);
  fs::path blob = files_.PathOf(info->address);
  fs::permissions(blob, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(blob, std::ios::binary) << "tampered content";

  EXPECT_THAT(files_.Read(info->address), StatusIs(Code::kCheckFailed));
  EXPECT_THAT(files_.Verify(info->address), StatusIs(Code::kCheckFailed));
}

TEST_F(FileStoreTest, StoringAgainRepairsTruncatedBlob) {
  auto info = files_.PutBytes("complete content");
  ASSERT_OK(info);
  fs::path blob = files_.PathOf(info->address);
  fs::resize_file(blob, 3);

  auto again = files_.PutBytes("complete content");

  ASSERT_OK(again);
  EXPECT_OK(files_.Verify(info->address));
}

TEST_F(FileStoreTest, ReportsMissingBlobAsNotFound) {
  std::string address = HexEncode(Sha256("never stored"));

  EXPECT_FALSE(files_.Contains(address));
  EXPECT_THAT(files_.Read(address), StatusIs(Code::kNotFound));
}

TEST_F(FileStoreTest, StoredBlobsAreReadOnly) {
  auto info = files_.PutBytes("keep me");
  ASSERT_OK(info);

  struct stat st;
  ASSERT_EQ(::stat(files_.PathOf(info->address).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
}

TEST_F(FileStoreTest, RenditionLinksToUntouchedOriginal) {
  auto original = files_.PutBytes("%PDF-1.7 with /JavaScript");
  ASSERT_OK(original);

  auto rendition = files_.PutRendition(
      original->address, WriteInput("r.pdf", "%PDF-1.7 flattened"),
      "neutralised");

  ASSERT_OK(rendition);
  auto link = files_.OriginalOf(rendition->address);
  ASSERT_OK(link);
  EXPECT_EQ(link->original, original->address);
  EXPECT_EQ(link->kind, "neutralised");
  EXPECT_OK(files_.Verify(original->address));
  EXPECT_THAT(files_.OriginalOf(original->address),
              StatusIs(Code::kNotFound));
}

TEST_F(FileStoreTest, RenditionOfUnknownOriginalFails) {
  auto rendition = files_.PutRendition(HexEncode(Sha256("nope")),
                                       WriteInput("r", "r"), "text");

  EXPECT_THAT(rendition, StatusIs(Code::kNotFound));
}

TEST_F(FileStoreTest, RemoveDeletesBlob) {
  auto info = files_.PutBytes("to delete");
  ASSERT_OK(info);

  ASSERT_OK(files_.Remove(info->address));

  EXPECT_FALSE(files_.Contains(info->address));
  EXPECT_OK(files_.Remove(info->address));
}

}  // namespace
}  // namespace ds::records
