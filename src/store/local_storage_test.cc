#include "store/local_storage.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace namix {
namespace {

namespace fs = std::filesystem;

class LocalStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("namix-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = LocalStorage::open({dir_.string(), "test-secret", "http://h:1"});
    ASSERT_TRUE(opened.ok());
    storage_ = std::move(*opened);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }

  fs::path dir_;
  std::unique_ptr<LocalStorage> storage_;
};

TEST_F(LocalStorageTest, PutGetHeadListRemove) {
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/a.json", bytes("{}"), "application/json").ok());
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/a.mp3", bytes("ID3xyz"), "audio/mpeg").ok());
  ASSERT_TRUE(storage_->put("jobs/j1.json", bytes("{\"a\":1}"), "application/json").ok());

  auto got = storage_->get("mixes/1779/best-of/a.mp3");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "ID3xyz");
  auto info = storage_->head("mixes/1779/best-of/a.mp3");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 6u);

  auto listed = storage_->list("mixes/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "mixes/1779/best-of/a.json");
  // A partial prefix matches inside the directory it names.
  auto partial = storage_->list("mixes/17");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->size(), 2u);
  auto none = storage_->list("mixes/18");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(storage_->remove("jobs/j1.json").ok());
  auto gone = storage_->get("jobs/j1.json");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Errc::not_found);
  EXPECT_EQ(storage_->head("jobs/j1.json").error().code, Errc::not_found);
}

TEST_F(LocalStorageTest, ListingSkipsLinksAndKeepsKeysForARootGivenThroughALinkOrRelatively) {
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/a.json", bytes("{}"), "application/json").ok());
  fs::create_symlink("a.json", dir_ / "mixes/1779/best-of/b.json");
  auto listed = storage_->list("mixes/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u) << "a link is not an object";
  EXPECT_EQ((*listed)[0].key, "mixes/1779/best-of/a.json");

  const fs::path link = dir_.string() + "-link";
  fs::remove(link);
  fs::create_symlink(dir_, link);
  for (const fs::path& root : {link, fs::relative(dir_), fs::path(dir_.string() + "/")}) {
    auto opened = LocalStorage::open({root.string(), "test-secret", "http://h:1"});
    ASSERT_TRUE(opened.ok()) << root;
    auto through = (*opened)->list("mixes/17");
    ASSERT_TRUE(through.ok()) << root;
    ASSERT_EQ(through->size(), 1u) << root;
    EXPECT_EQ((*through)[0].key, "mixes/1779/best-of/a.json") << root;
  }
  fs::remove(link);
}

TEST_F(LocalStorageTest, PendingObjectIsInvisibleUntilCommitAndLeavesNothingWhenDropped) {
  {
    auto pending = storage_->begin_put("mixes/1/x/dropped.mp3", "audio/mpeg");
    ASSERT_TRUE(pending.ok());
    ASSERT_TRUE((*pending)->write(bytes("abc")).ok());
    auto listed = storage_->list("mixes/");
    ASSERT_TRUE(listed.ok());
    EXPECT_TRUE(listed->empty()) << "a write in progress must not be listed";
  }
  // Neither the file nor the directories made for it stay; the top one does.
  EXPECT_FALSE(fs::exists(dir_ / "mixes/1")) << "a dropped write must leave nothing";
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes"));

  auto pending = storage_->begin_put("mixes/1/x/kept.mp3", "audio/mpeg");
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE((*pending)->write(bytes("abcdef")).ok());
  ASSERT_TRUE((*pending)->write_at(0, bytes("X")).ok());
  ASSERT_TRUE((*pending)->commit().ok());
  EXPECT_EQ(*storage_->get("mixes/1/x/kept.mp3"), "Xbcdef");
}

TEST_F(LocalStorageTest, RemovingAnEpisodesLastObjectRemovesItsEmptyDirectories) {
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/a.mp3", bytes("a"), "audio/mpeg").ok());
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/a.json", bytes("{}"), "application/json").ok());
  ASSERT_TRUE(storage_->put("mixes/1779/media-meltdown/b.mp3", bytes("b"), "audio/mpeg").ok());
  ASSERT_TRUE(storage_->remove("mixes/1779/best-of/a.mp3").ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes/1779/best-of")) << "a.json is still there";
  ASSERT_TRUE(storage_->remove("mixes/1779/best-of/a.json").ok());
  EXPECT_FALSE(fs::exists(dir_ / "mixes/1779/best-of"));
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes/1779")) << "another theme's mix is still there";
  ASSERT_TRUE(storage_->remove("mixes/1779/media-meltdown/b.mp3").ok());
  EXPECT_FALSE(fs::exists(dir_ / "mixes/1779"));
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes"));
  // Removing what is not there changes nothing.
  ASSERT_TRUE(storage_->remove("mixes/1779/best-of/a.mp3").ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes"));
}

TEST_F(LocalStorageTest, AFailedCommitNamesTheKeyNotThePath) {
  // A directory where the file goes makes the rename fail.
  fs::create_directories(dir_ / "mixes/1/x/taken.mp3");
  {
    auto pending = storage_->begin_put("mixes/1/x/taken.mp3", "audio/mpeg");
    ASSERT_TRUE(pending.ok());
    ASSERT_TRUE((*pending)->write(bytes("abc")).ok());
    auto committed = (*pending)->commit();
    ASSERT_FALSE(committed.ok());
    EXPECT_NE(committed.error().message.find("mixes/1/x/taken.mp3"), std::string::npos);
    EXPECT_EQ(committed.error().message.find(dir_.string()), std::string::npos)
        << committed.error().message;
  }
  EXPECT_TRUE(fs::is_directory(dir_ / "mixes/1/x/taken.mp3")) << "not ours to remove";
}

TEST_F(LocalStorageTest, RefusesKeysThatEscapeTheDataDirectory) {
  for (const char* key : {"../etc/passwd", "/etc/passwd", "mixes/../../x", "a//b", ".signing-key",
                          "mixes/.hidden", "a/b/", "", "a\\b", "a b"}) {
    EXPECT_FALSE(is_valid_storage_key(key)) << key;
    EXPECT_FALSE(storage_->put(key, bytes("x"), "text/plain").ok()) << key;
  }
  EXPECT_TRUE(is_valid_storage_key("mixes/1779/best-of/20260101-abc.mp3"));
}

TEST_F(LocalStorageTest, SignedLinksVerifyAndRefuseTamperingOrExpiry) {
  auto url = storage_->download_url("mixes/1/best-of/a.mp3", std::chrono::hours(24));
  ASSERT_TRUE(url.ok());
  const std::string prefix = "http://h:1/files/mixes/1/best-of/a.mp3?expires=";
  ASSERT_EQ(url->rfind(prefix, 0), 0u) << *url;
  const auto amp = url->find("&sig=");
  ASSERT_NE(amp, std::string::npos);
  const std::string expires = url->substr(prefix.size(), amp - prefix.size());
  const std::string sig = url->substr(amp + 5);
  EXPECT_EQ(sig.size(), 64u);  // hex of a SHA-256 HMAC
  const std::int64_t now = std::stoll(expires) - 24 * 3600;

  EXPECT_TRUE(storage_->verify_download("mixes/1/best-of/a.mp3", expires, sig, now).ok());
  std::string tampered = sig;
  tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(storage_->verify_download("mixes/1/best-of/a.mp3", expires, tampered, now).error().code,
            Errc::forbidden);
  EXPECT_FALSE(storage_->verify_download("mixes/1/best-of/b.mp3", expires, sig, now).ok());
  EXPECT_FALSE(storage_
                   ->verify_download("mixes/1/best-of/a.mp3",
                                     std::to_string(std::stoll(expires) + 1), sig, now)
                   .ok());
  EXPECT_FALSE(
      storage_->verify_download("mixes/1/best-of/a.mp3", expires, sig, std::stoll(expires) + 1)
          .ok())
      << "an expired link must be refused";
  EXPECT_FALSE(storage_->verify_download("mixes/1/best-of/a.mp3", "", sig, now).ok());
  EXPECT_FALSE(storage_->verify_download("mixes/1/best-of/a.mp3", "12x", sig, now).ok());
}

TEST(LocalStorageSecret, RandomSecretPersistsAcrossRestarts) {
  const fs::path dir =
      fs::temp_directory_path() / ("namix-store-secret-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto first = LocalStorage::open({dir.string(), "", ""});
  ASSERT_TRUE(first.ok());
  auto second = LocalStorage::open({dir.string(), "", ""});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*first)->sign("k", 1), (*second)->sign("k", 1));
  auto other = LocalStorage::open({dir.string(), "another-secret", ""});
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*first)->sign("k", 1), (*other)->sign("k", 1));
  EXPECT_EQ(fs::status(dir / ".signing-key").permissions() & fs::perms::others_read,
            fs::perms::none);
  fs::remove_all(dir);
}

TEST(LocalStorageRecovery, OpeningRemovesPartFilesOfDeadProcessesOnly) {
  const fs::path dir =
      fs::temp_directory_path() / ("namix-store-parts-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "mixes" / "1779" / "best-of");
  // A process that has exited (and been reaped) stands for one killed mid-write.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  const fs::path orphan =
      dir / "mixes" / "1779" / "best-of" / ("m.mp3.part-" + std::to_string(child) + "-abc");
  const fs::path live = dir / "mixes" / ("n.mp3.part-" + std::to_string(::getpid()) + "-def");
  const fs::path object = dir / "mixes" / "1779" / "best-of" / "m.json";
  for (const fs::path& p : {orphan, live, object}) std::ofstream(p) << "x";
  auto storage = LocalStorage::open({dir.string(), "", ""});
  ASSERT_TRUE(storage.ok());
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(live)) << "a running process's part file is still being written";
  EXPECT_TRUE(fs::exists(object));
  fs::remove_all(dir);
}

TEST_F(LocalStorageTest, ConditionalPutsLetExactlyOneWriterWin) {
  auto created = storage_->put_if("claims/a.json", bytes("one"), "application/json", "");
  ASSERT_TRUE(created.ok() && created->has_value());
  auto again = storage_->put_if("claims/a.json", bytes("two"), "application/json", "");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "only while absent";
  auto read = storage_->get_versioned("claims/a.json");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->bytes, "one");
  EXPECT_EQ(read->version, **created);
  auto swapped =
      storage_->put_if("claims/a.json", bytes("three"), "application/json", read->version);
  ASSERT_TRUE(swapped.ok() && swapped->has_value());
  EXPECT_NE(**swapped, read->version);
  auto stale = storage_->put_if("claims/a.json", bytes("four"), "application/json", read->version);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->has_value()) << "a superseded version loses";
  EXPECT_EQ(*storage_->get("claims/a.json"), "three");
  EXPECT_EQ(storage_->get_versioned("claims/none.json").error().code, Errc::not_found);
  auto listed = storage_->list("");
  ASSERT_TRUE(listed.ok());
  for (const auto& info : *listed) EXPECT_EQ(info.key.find("lock"), std::string::npos) << info.key;

  // Processes race to create one key: exactly one wins.
  std::vector<pid_t> children;
  for (int i = 0; i < 6; ++i) {
    const pid_t child = ::fork();
    if (child == 0) {
      auto opened = LocalStorage::open({dir_.string(), "test-secret", ""});
      if (!opened) ::_exit(2);
      auto made =
          (*opened)->put_if("claims/raced.json", bytes(std::to_string(i)), "text/plain", "");
      ::_exit(!made ? 2 : made->has_value() ? 0 : 1);
    }
    children.push_back(child);
  }
  int winners = 0;
  for (pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_NE(WEXITSTATUS(status), 2);
    winners += WEXITSTATUS(status) == 0 ? 1 : 0;
  }
  EXPECT_EQ(winners, 1);
}

}  // namespace
}  // namespace namix
