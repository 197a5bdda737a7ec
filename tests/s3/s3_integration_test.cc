// The S3 client and S3Storage against a real S3 server: Ceph RADOS Gateway
// on loopback, started by scripts/rgw.sh for this binary and stopped after.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <numeric>
#include <thread>

#include "follow/mix_ledger.h"
#include "rgw_fixture.h"
#include "store/s3_client.h"
#include "store/s3_storage.h"
#include "store/storage_factory.h"

namespace namix {
namespace {

using testing::run_command;

testing::RgwServer* g_rgw = nullptr;
constexpr const char* kBucket = "namix-test";

class RgwEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_rgw = new testing::RgwServer();
    ASSERT_TRUE(g_rgw->start()) << "scripts/rgw.sh could not start RGW:\n" << g_rgw->error();
    auto client = make_client();
    auto created = client->create_bucket(kBucket);
    ASSERT_TRUE(created.ok()) << created.error().message;
  }
  void TearDown() override {
    if (g_rgw != nullptr) g_rgw->stop();
    delete g_rgw;
    g_rgw = nullptr;
  }

  static std::shared_ptr<S3Client> make_client() {
    auto config = S3Config::from_environment();
    EXPECT_TRUE(config.ok());
    // Short retries so the outage test stays quick; the policy is the same code.
    config->retry.max_attempts = 3;
    config->retry.base_delay = std::chrono::milliseconds(50);
    config->connect_timeout = std::chrono::milliseconds(1000);
    return std::make_shared<S3Client>(*config);
  }
};

}  // namespace

void PrintTo(const S3LifecycleRule& rule, std::ostream* os) { *os << lifecycle_to_xml({rule}); }

namespace {

std::vector<std::uint8_t> pattern_bytes(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> bytes(n);
  std::uint32_t x = seed;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;  // Numerical Recipes LCG: cheap, non-repeating per part
    b = static_cast<std::uint8_t>(x >> 24);
  }
  return bytes;
}

std::string as_string(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("namix-s3-" + std::to_string(getpid()) + "-" + name))
      .string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// curl -o FILE URL; returns the HTTP status.
int curl_get(const std::string& url, const std::string& out_file) {
  const auto result = run_command("curl -s -o '" + out_file + "' -w '%{http_code}' '" + url + "'");
  return std::atoi(result.output.c_str());
}

TEST(S3Client, PutHeadGetRangeDelete) {
  auto client = RgwEnvironment::make_client();
  const auto bytes = pattern_bytes(1000, 1);
  auto etag = client->put_object(kBucket, "basic/one.bin", bytes, "application/octet-stream");
  ASSERT_TRUE(etag.ok()) << etag.error().message;
  EXPECT_EQ(etag->size(), 32u);  // MD5 hex for a single PUT

  auto head = client->head_object(kBucket, "basic/one.bin");
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->size, 1000u);
  EXPECT_EQ(head->etag, *etag);
  EXPECT_EQ(head->content_type, "application/octet-stream");
  EXPECT_NEAR(static_cast<double>(head->last_modified_unix),
              static_cast<double>(std::time(nullptr)), 120.0);

  auto whole = client->get_object(kBucket, "basic/one.bin");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, as_string(bytes));
  auto range = client->get_object(kBucket, "basic/one.bin", S3ByteRange{10, 19});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, as_string(bytes).substr(10, 10));

  ASSERT_TRUE(client->delete_object(kBucket, "basic/one.bin").ok());
  auto gone = client->get_object(kBucket, "basic/one.bin");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Errc::not_found);
  EXPECT_NE(gone.error().message.find("NoSuchKey"), std::string::npos) << gone.error().message;
  auto gone_head = client->head_object(kBucket, "basic/one.bin");
  ASSERT_FALSE(gone_head.ok());
  EXPECT_EQ(gone_head.error().code, Errc::not_found);
}

TEST(S3Client, KeysWithSpacesAndUnicodeRoundTrip) {
  auto client = RgwEnvironment::make_client();
  const std::string key = "odd keys/épisode 12 (final)+mix.mp3";
  const auto bytes = pattern_bytes(64, 2);
  ASSERT_TRUE(client->put_object(kBucket, key, bytes, "audio/mpeg").ok());
  auto got = client->get_object(kBucket, key);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, as_string(bytes));
  auto listed = client->list_objects(kBucket, "odd keys/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().key, key);
}

TEST(S3Client, WrongSecretIsForbidden) {
  auto config = S3Config::from_environment();
  ASSERT_TRUE(config.ok());
  config->credentials.secret_access_key += "x";
  S3Client client(*config);
  auto result = client.get_object(kBucket, "anything");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::forbidden);
  EXPECT_NE(result.error().message.find("SignatureDoesNotMatch"), std::string::npos)
      << result.error().message;
}

TEST(S3Client, ListObjectsV2Paginates) {
  auto client = RgwEnvironment::make_client();
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(
        client->put_object(kBucket, "paged/k" + std::to_string(i), pattern_bytes(10, 3), "").ok());
  ASSERT_TRUE(client->put_object(kBucket, "paged-not/x", pattern_bytes(10, 3), "").ok());
  auto first = client->list_objects_page(kBucket, "paged/", "", 3);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->objects.size(), 3u);
  EXPECT_FALSE(first->next_continuation_token.empty());
  auto all = client->list_objects(kBucket, "paged/", 3);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ((*all)[static_cast<std::size_t>(i)].key, "paged/k" + std::to_string(i));
    EXPECT_EQ((*all)[static_cast<std::size_t>(i)].size, 10u);
  }
}

TEST(S3Client, CompleteWithWrongPartFailsAndAbortLeavesNoUpload) {
  auto client = RgwEnvironment::make_client();
  const std::string key = "bad-complete/x.bin";
  auto upload = client->create_multipart_upload(kBucket, key, "");
  ASSERT_TRUE(upload.ok()) << upload.error().message;
  ASSERT_TRUE(client->upload_part(kBucket, key, *upload, 1, pattern_bytes(1000, 4)).ok());
  auto completed = client->complete_multipart_upload(kBucket, key, *upload,
                                                     {{1, "00000000000000000000000000000000"}});
  ASSERT_FALSE(completed.ok());
  EXPECT_NE(completed.error().message.find("InvalidPart"), std::string::npos)
      << completed.error().message;
  ASSERT_TRUE(client->abort_multipart_upload(kBucket, key, *upload).ok());
  auto uploads = client->list_multipart_uploads(kBucket, "bad-complete/");
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
  EXPECT_EQ(client->head_object(kBucket, key).error().code, Errc::not_found);
}

TEST(S3Client, LifecycleRulesPutAndReadBack) {
  auto client = RgwEnvironment::make_client();
  const auto rules = spec_lifecycle_rules();
  auto put = client->put_bucket_lifecycle(kBucket, rules);
  ASSERT_TRUE(put.ok()) << put.error().message;
  auto got = client->get_bucket_lifecycle(kBucket);
  ASSERT_TRUE(got.ok()) << got.error().message;
  // Rule order carries no meaning in S3; RGW answers sorted by ID.
  auto by_id = [](std::vector<S3LifecycleRule> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return v;
  };
  EXPECT_EQ(by_id(*got), by_id(rules));
}

TEST(S3Storage, TwelveMiBIsATwoPartUploadFromMemory) {
  auto client = RgwEnvironment::make_client();
  S3Storage storage(client, {kBucket, "tenant"});
  auto bytes = pattern_bytes(12 * 1024 * 1024, 5);
  auto pending = storage.begin_put("mixes/12/big.mp3", "audio/mpeg");
  ASSERT_TRUE(pending.ok());
  // Odd write sizes, as the encoder produces them (MP3 frames, not parts).
  for (std::size_t at = 0; at < bytes.size(); at += 1000003) {
    const std::size_t n = std::min<std::size_t>(1000003, bytes.size() - at);
    ASSERT_TRUE((*pending)->write(std::span(bytes).subspan(at, n)).ok());
  }
  // The encoder rewrites its info frame at the start once the end is known.
  const std::vector<std::uint8_t> header(417, 0xAB);
  ASSERT_TRUE((*pending)->write_at(0, header).ok());
  std::copy(header.begin(), header.end(), bytes.begin());
  EXPECT_EQ(storage.head("mixes/12/big.mp3").error().code, Errc::not_found)
      << "nothing may be visible before commit";
  auto committed = (*pending)->commit();
  ASSERT_TRUE(committed.ok()) << committed.error().message;

  auto head = client->head_object(kBucket, "tenant/mixes/12/big.mp3");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, bytes.size());
  EXPECT_EQ(head->etag.substr(head->etag.size() - 2), "-2") << head->etag;
  auto got = storage.get("mixes/12/big.mp3");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == as_string(bytes));
  auto listed = storage.list("mixes/12/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().key, "mixes/12/big.mp3");
  EXPECT_EQ(storage.describe(), "s3://namix-test/tenant");
}

TEST(S3Storage, SmallObjectIsOnePutAndDroppedWriteLeavesNothing) {
  auto client = RgwEnvironment::make_client();
  S3Storage storage(client, {kBucket, ""});
  const auto bytes = pattern_bytes(4096, 6);
  ASSERT_TRUE(storage.put("small/result.json", bytes, "application/json").ok());
  auto head = client->head_object(kBucket, "small/result.json");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->etag.find('-'), std::string::npos) << "a single PutObject, not multipart";

  {  // 17 MiB written (part 2 sent), never committed: the multipart upload must be aborted.
    auto pending = storage.begin_put("small/dropped.mp3", "audio/mpeg");
    ASSERT_TRUE(pending.ok());
    ASSERT_TRUE((*pending)->write(pattern_bytes(17 * 1024 * 1024, 7)).ok());
  }
  auto uploads = client->list_multipart_uploads(kBucket, "small/");
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
  EXPECT_EQ(storage.head("small/dropped.mp3").error().code, Errc::not_found);
}

// Conditional writes are what keeps two overlapping pollers from both
// claiming an item; RGW must honour If-None-Match: * and If-Match on PUT.
TEST(S3Storage, ConditionalPutsLetExactlyOneWriterWin) {
  auto client = RgwEnvironment::make_client();
  S3Storage storage(client, {kBucket, "cas"});
  const auto first = pattern_bytes(64, 11);
  auto created = storage.put_if("claims/item.json", first, "application/json", "");
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_TRUE(created->has_value());
  auto again = storage.put_if("claims/item.json", first, "application/json", "");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->has_value()) << "If-None-Match: * over an existing object must fail";

  auto read = storage.get_versioned("claims/item.json");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, **created);
  const auto second = pattern_bytes(64, 12);
  auto swapped = storage.put_if("claims/item.json", second, "application/json", read->version);
  ASSERT_TRUE(swapped.ok()) << swapped.error().message;
  ASSERT_TRUE(swapped->has_value()) << "If-Match " << read->version;
  auto stale = storage.put_if("claims/item.json", first, "application/json", read->version);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->has_value()) << "If-Match with a superseded ETag must fail";
  auto now = storage.get("claims/item.json");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(*now, std::string(second.begin(), second.end()));

  // Eight writers race to create the same key: exactly one wins.
  std::atomic<int> winners{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i) {
    racers.emplace_back([&, i] {
      auto made =
          storage.put_if("claims/raced.json", pattern_bytes(32, 20 + i), "application/json", "");
      if (!made.ok())
        ++failures;
      else if (made->has_value())
        ++winners;
    });
  }
  for (auto& t : racers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

// Overlapping scheduled invocations on AWS: each round claims its mixes in
// the mix ledger, in the bucket. Invocations of other sandboxes (other
// owners) racing for the same item: one mixes it, the rest see it busy,
// and once it is settled everyone sees it done.
TEST(S3Storage, OverlappingPollersClaimAnItemOnce) {
  auto client = RgwEnvironment::make_client();
  S3Storage storage(client, {kBucket, "ledger"});
  const std::int64_t now_ms = 1'700'000'000'000;
  LedgerEntry fresh;
  fresh.subscription_id = "show";
  fresh.output_slug = "best-of";
  fresh.item.guid = "show-12";
  fresh.item.key = "0123456789abcdef01234567";
  fresh.key_stem = "mixes/12/best-of/m";
  std::atomic<int> mine{0};
  std::atomic<int> busy{0};
  std::vector<Claim> won(1);
  std::mutex won_mutex;
  std::vector<std::thread> pollers;
  for (int i = 0; i < 6; ++i) {
    pollers.emplace_back([&, i] {
      MixLedger ledger(storage, "sandbox-" + std::to_string(i) + "/1/1", std::chrono::minutes(30),
                       3);
      LedgerEntry entry = fresh;
      entry.mix_id = "mix-" + std::to_string(i);
      auto claimed = ledger.claim(entry, now_ms);
      if (!claimed.ok()) return;
      if (claimed->verdict == ClaimVerdict::mine) {
        ++mine;
        std::lock_guard lock(won_mutex);
        won[0] = *claimed;
      } else if (claimed->verdict == ClaimVerdict::busy) {
        ++busy;
      }
    });
  }
  for (auto& t : pollers) t.join();
  EXPECT_EQ(mine.load(), 1);
  EXPECT_EQ(busy.load(), 5);
  MixLedger winner(storage, won[0].entry.owner, std::chrono::minutes(30), 3);
  LedgerEntry done = won[0].entry;
  done.state = LedgerState::done;
  auto settled = winner.settle(won[0], done);
  ASSERT_TRUE(settled.ok()) << settled.error().message;
  EXPECT_TRUE(*settled);
  MixLedger late(storage, "sandbox-late/1/1", std::chrono::minutes(30), 3);
  auto after = late.claim(fresh, now_ms + 3'600'000);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->verdict, ClaimVerdict::done);
}

TEST(S3Storage, PresignedGetWorksTamperedAndExpiredLinksAreRefused) {
  auto client = RgwEnvironment::make_client();
  S3Storage storage(client, {kBucket, "links"});
  const auto bytes = pattern_bytes(300000, 8);
  ASSERT_TRUE(storage.put("mixes/1/a.mp3", bytes, "audio/mpeg").ok());
  auto url = storage.download_url("mixes/1/a.mp3", std::chrono::hours(24));
  ASSERT_TRUE(url.ok());
  EXPECT_NE(url->find("X-Amz-Expires=86400"), std::string::npos);
  const std::string out = temp_file("presigned.bin");
  EXPECT_EQ(curl_get(*url, out), 200);
  EXPECT_TRUE(read_file(out) == as_string(bytes));

  std::string tampered = *url;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(curl_get(tampered, out), 403);
  EXPECT_NE(read_file(out).find("SignatureDoesNotMatch"), std::string::npos) << read_file(out);

  // Signed two hours ago for one minute.
  const std::string expired =
      client->presign_get(kBucket, "links/mixes/1/a.mp3", std::chrono::seconds(60),
                          std::chrono::system_clock::now() - std::chrono::hours(2));
  EXPECT_EQ(curl_get(expired, out), 403);
  EXPECT_NE(read_file(out).find("AccessDenied"), std::string::npos) << read_file(out);

  EXPECT_EQ(curl_get("http" + url->substr(4, url->find('?') - 4), out), 403)
      << "anonymous GET must be refused";
  EXPECT_FALSE(storage.download_url("mixes/1/a.mp3", std::chrono::hours(24 * 8)).ok());
  std::filesystem::remove(out);
}

TEST(NamixS3Command, PresignLsAndLifecycleAgainstTheGateway) {
  auto client = RgwEnvironment::make_client();
  const auto bytes = pattern_bytes(5000, 11);
  ASSERT_TRUE(client->put_object(kBucket, "cli/ep 1.mp3", bytes, "audio/mpeg").ok());
  const std::string namix = NAMIX_BINARY;
  // NAMIX_S3_ENDPOINT and the keys come from the environment rgw.sh printed.
  auto presigned =
      run_command(namix + " s3 presign 's3://" + kBucket + "/cli/ep 1.mp3' --expires 600");
  ASSERT_EQ(presigned.exit_code, 0) << presigned.output;
  const std::string url = presigned.output.substr(0, presigned.output.find('\n'));
  EXPECT_NE(url.find("/cli/ep%201.mp3?"), std::string::npos) << url;
  EXPECT_NE(url.find("X-Amz-Expires=600"), std::string::npos) << url;
  const std::string out = temp_file("cli.bin");
  EXPECT_EQ(curl_get(url, out), 200);
  EXPECT_TRUE(read_file(out) == as_string(bytes));
  std::filesystem::remove(out);

  // Temporary credentials: the token is signed into the link, with a warning.
  auto temporary = run_command("AWS_SESSION_TOKEN='tok/en+1=' " + namix + " s3 presign s3://" +
                               kBucket + "/cli/x.mp3 2>&1");
  ASSERT_EQ(temporary.exit_code, 0) << temporary.output;
  EXPECT_NE(temporary.output.find("X-Amz-Security-Token=tok%2Fen%2B1%3D"), std::string::npos)
      << temporary.output;
  EXPECT_NE(temporary.output.find("warning: signed with temporary credentials"), std::string::npos);

  auto listed = run_command(namix + " s3 ls s3://" + kBucket + "/cli/");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(" 5000 cli/ep 1.mp3"), std::string::npos) << listed.output;

  auto lifecycle = run_command(namix + " s3 lifecycle s3://" + kBucket);
  ASSERT_EQ(lifecycle.exit_code, 0) << lifecycle.output;
  EXPECT_NE(lifecycle.output.find("temp/ expires after 7 days"), std::string::npos)
      << lifecycle.output;
  EXPECT_NE(lifecycle.output.find("jobs/ expires after 7 days"), std::string::npos)
      << lifecycle.output;
  EXPECT_NE(lifecycle.output.find("mixes/ moves to GLACIER after 90 days"), std::string::npos);

  // cp up (multipart above one part) and back down, byte for byte.
  const auto big = pattern_bytes(9 * 1024 * 1024 + 17, 14);
  const std::string up = temp_file("cp-up.mp3");
  const std::string down = temp_file("cp-down.mp3");
  {
    std::ofstream f(up, std::ios::binary);
    f.write(reinterpret_cast<const char*>(big.data()), static_cast<std::streamsize>(big.size()));
  }
  auto copied_up = run_command(namix + " s3 cp " + up + " s3://" + kBucket + "/cli/big.mp3");
  ASSERT_EQ(copied_up.exit_code, 0) << copied_up.output;
  auto copied_down = run_command(namix + " s3 cp s3://" + kBucket + "/cli/big.mp3 " + down);
  ASSERT_EQ(copied_down.exit_code, 0) << copied_down.output;
  EXPECT_TRUE(read_file(down) == as_string(big));
  auto head = client->head_object(kBucket, "cli/big.mp3");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->etag.substr(head->etag.size() - 2), "-2") << head->etag;
  EXPECT_EQ(head->content_type, "audio/mpeg");
  std::filesystem::remove(up);
  std::filesystem::remove(down);

  auto missing = run_command(namix + " s3 ls s3://no-such-bucket-here 2>&1");
  EXPECT_EQ(missing.exit_code, 3) << missing.output;  // kExitInput: not found
  EXPECT_NE(missing.output.find("NoSuchBucket"), std::string::npos) << missing.output;
}

TEST(StorageFactory, S3SpecOpensS3StorageAndAppliesLifecycleWhenAsked) {
  auto client = RgwEnvironment::make_client();
  ASSERT_TRUE(client->create_bucket("namix-factory").ok());
  StorageOpenOptions options;
  options.apply_lifecycle = true;
  auto storage = open_storage("s3://namix-factory/prod", options);
  ASSERT_TRUE(storage.ok()) << storage.error().message;
  EXPECT_EQ((*storage)->describe(), "s3://namix-factory/prod");
  EXPECT_EQ((*storage)->bucket(), "namix-factory");
  ASSERT_TRUE((*storage)->check_reachable().ok());
  auto rules = client->get_bucket_lifecycle("namix-factory");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(rules->size(), spec_lifecycle_rules().size());

  auto missing = open_storage("s3://namix-no-such-bucket", {});
  ASSERT_TRUE(missing.ok()) << "opening does no network round trip (Lambda cold start)";
  EXPECT_EQ((*missing)->check_reachable().error().code, Errc::not_found);
  EXPECT_EQ(open_storage("ftp://x/y", {}).error().code, Errc::invalid_argument);
  EXPECT_EQ(open_storage("", {}).error().code, Errc::invalid_argument);
}

TEST(OutputObject, MixOutToS3UrlAndToALocalFile) {
  // What `namix mix --out s3://BUCKET/KEY` does with it.
  const auto bytes = pattern_bytes(6 * 1024 * 1024, 15);
  auto out = OutputObject::open(std::string("s3://") + kBucket + "/out/mix.mp3", "audio/mpeg");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->sink().write(bytes).ok());
  EXPECT_EQ(RgwEnvironment::make_client()->head_object(kBucket, "out/mix.mp3").error().code,
            Errc::not_found);
  ASSERT_TRUE(out->commit().ok());
  EXPECT_EQ(out->bucket(), kBucket);
  EXPECT_EQ(out->key(), "out/mix.mp3");
  EXPECT_EQ(out->expires_in_hours(), 24);
  auto url = out->download_url();
  ASSERT_TRUE(url.ok());
  const std::string fetched = temp_file("out.mp3");
  EXPECT_EQ(curl_get(*url, fetched), 200);
  EXPECT_TRUE(read_file(fetched) == as_string(bytes));
  std::filesystem::remove(fetched);

  const std::string local = temp_file("local-out.mp3");
  auto file = OutputObject::open(local, "audio/mpeg");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->sink().write(bytes).ok());
  ASSERT_TRUE(file->commit().ok());
  EXPECT_EQ(file->bucket(), "local");
  EXPECT_EQ(file->download_url().value(), std::filesystem::absolute(local).string());
  EXPECT_TRUE(read_file(local) == as_string(bytes));
  std::filesystem::remove(local);

  EXPECT_EQ(OutputObject::open(std::string("s3://") + kBucket + "/dir/", "audio/mpeg").error().code,
            Errc::invalid_argument);
}

// Only with RGW_LC_DEBUG_INTERVAL=10 (a lifecycle "day" lasts 10 s), as the
// ctest entry s3_lifecycle_effect sets it: the rules must not just be stored
// but act. rgw.sh gives the gateway a GLACIER storage class; without one RGW
// still accepts the rule but cannot carry out the transition.
TEST(S3LifecycleEffect, TempAndJobsExpireAndMixesMoveToGlacier) {
  const char* interval = std::getenv("RGW_LC_DEBUG_INTERVAL");
  if (interval == nullptr || std::string(interval) != "10")
    GTEST_SKIP() << "needs RGW_LC_DEBUG_INTERVAL=10 (ctest -R s3_lifecycle_effect)";
  auto client = RgwEnvironment::make_client();
  const std::string bucket = "namix-lifecycle";
  ASSERT_TRUE(client->create_bucket(bucket).ok());
  ASSERT_TRUE(client->put_object(bucket, "temp/upload.mp3", pattern_bytes(100, 12), "").ok());
  ASSERT_TRUE(client->put_object(bucket, "jobs/a.json", pattern_bytes(100, 11), "").ok());
  ASSERT_TRUE(client->put_object(bucket, "mixes/1/a.mp3", pattern_bytes(100, 13), "").ok());
  // spec_lifecycle_rules() with 1 "day" instead of 7 and 90.
  auto rules = spec_lifecycle_rules();
  for (auto& rule : rules) {
    if (rule.expiration_days > 0) rule.expiration_days = 1;
    if (rule.transition_days > 0) rule.transition_days = 1;
  }
  ASSERT_TRUE(client->put_bucket_lifecycle(bucket, rules).ok());
  bool expired = false;
  bool moved = false;
  for (int i = 0; i < 30 && !(expired && moved); ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    g_rgw->process_lifecycle();
    auto listed = client->list_objects(bucket, "");
    ASSERT_TRUE(listed.ok());
    expired = std::none_of(listed->begin(), listed->end(), [](const S3ListedObject& o) {
      return o.key == "temp/upload.mp3" || o.key == "jobs/a.json";
    });
    moved = std::any_of(listed->begin(), listed->end(), [](const S3ListedObject& o) {
      return o.key == "mixes/1/a.mp3" && o.storage_class == "GLACIER";
    });
  }
  EXPECT_TRUE(expired) << "temp/ or jobs/ object still there after the expiry day";
  EXPECT_TRUE(moved) << "mixes/ object not moved to GLACIER";
}

// Its own suite, declared last, so it runs last: it stops and restarts the gateway.
TEST(S3Outage, GatewayStoppedMidUploadGivesUnavailableAndLeavesNoParts) {
  auto client = RgwEnvironment::make_client();
  S3StorageOptions options;
  options.part_size_bytes = S3Storage::kMinPartSizeBytes;
  S3Storage storage(client, {kBucket, "outage"}, options);
  const std::string key = "mixes/9/cut.mp3";
  {
    auto pending = storage.begin_put(key, "audio/mpeg");
    ASSERT_TRUE(pending.ok());
    // 11 MiB: part 1 held back, part 2 already on the server.
    ASSERT_TRUE((*pending)->write(pattern_bytes(11 * 1024 * 1024, 9)).ok());
    auto uploads = client->list_multipart_uploads(kBucket, "outage/");
    ASSERT_TRUE(uploads.ok());
    ASSERT_EQ(uploads->size(), 1u) << "the upload should be in progress";

    ASSERT_TRUE(g_rgw->stop_gateway());
    const auto t0 = std::chrono::steady_clock::now();
    auto write = (*pending)->write(pattern_bytes(5 * 1024 * 1024, 10));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.error().code, Errc::unavailable);  // -> HTTP 503, exit 5
    EXPECT_NE(write.error().message.find("UploadPart"), std::string::npos) << write.error().message;
    EXPECT_NE(write.error().message.find("storage unavailable"), std::string::npos);
    EXPECT_NE(write.error().message.find("[after 3 attempts]"), std::string::npos)
        << write.error().message;
    EXPECT_LT(seconds, 10.0) << "retries must give up quickly";
    auto commit = (*pending)->commit();
    ASSERT_FALSE(commit.ok());
    EXPECT_EQ(commit.error().code, Errc::unavailable);
  }
  EXPECT_EQ(storage.uploads_awaiting_abort(), 1u) << "abort could not reach the server";
  auto down = storage.check_reachable();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, Errc::unavailable);

  ASSERT_TRUE(g_rgw->start_gateway());
  ASSERT_TRUE(storage.check_reachable().ok());
  EXPECT_EQ(storage.uploads_awaiting_abort(), 0u);
  auto uploads = client->list_multipart_uploads(kBucket, "outage/");
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty()) << "orphan parts left behind";
  EXPECT_EQ(storage.head(key).error().code, Errc::not_found) << "half-written object visible";
}

}  // namespace
}  // namespace namix

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new namix::RgwEnvironment());
  return RUN_ALL_TESTS();
}
