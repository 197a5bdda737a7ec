#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <vector>

#include "core/test_dir.h"
#include "store/storage_factory.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;

// What the encoder does: write, then patch the first bytes at the end.
void write_with_patch(ByteSink& sink) {
  ASSERT_TRUE(sink.write(std::vector<std::uint8_t>{1, 2, 3, 4, 5}).ok());
  ASSERT_TRUE(sink.write_at(0, std::vector<std::uint8_t>{9}).ok());
}

TEST(OutputObject, AFifoIsWrittenIntoAndStaysAFifo) {
  const fs::path dir = fresh_dir("namix_output_fifo");
  const fs::path fifo = dir / "mix.mp3";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto reader = std::async(std::launch::async, [&] {
    std::ifstream in(fifo, std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  });
  auto out = OutputObject::open(fifo.string(), "audio/mpeg");
  ASSERT_TRUE(out.ok()) << out.error().message;
  write_with_patch(out->sink());
  ASSERT_TRUE(out->commit().ok());
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the FIFO was replaced";
  if (reader.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // The reader waits on a FIFO nobody will open again; it cannot be joined.
    std::thread([r = std::move(reader)]() mutable { r.wait(); }).detach();
    FAIL() << "nothing was written into the FIFO";
  }
  EXPECT_EQ(reader.get(), (std::vector<char>{9, 2, 3, 4, 5}));
  EXPECT_EQ(*out->download_url(), fifo.string());
  fs::remove_all(dir);
}

TEST(OutputObject, ACharacterDeviceIsWrittenIntoAndStaysADevice) {
  const fs::path dir = fresh_dir("namix_output_device");
  // The null device under a name of our own, so no test can ever touch /dev/null.
  const fs::path null_device = dir / "null";
  if (::mknod(null_device.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "making a device node needs root";
  }
  auto out = OutputObject::open(null_device.string(), "audio/mpeg");
  ASSERT_TRUE(out.ok()) << out.error().message;
  write_with_patch(out->sink());
  ASSERT_TRUE(out->commit().ok());
  EXPECT_TRUE(fs::is_character_file(null_device)) << "the device was replaced";
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(OutputObject, ADirectoryIsRefusedBeforeAnyWork) {
  const fs::path dir = fresh_dir("namix_output_dir");
  auto out = OutputObject::open(dir.string(), "audio/mpeg");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::invalid_argument);
  EXPECT_NE(out.error().message.find("is a directory"), std::string::npos) << out.error().message;
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace namix
