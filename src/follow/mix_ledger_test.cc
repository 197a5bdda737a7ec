#include "follow/mix_ledger.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "follow/claim_owner.h"
#include "follow/follow_test_support.h"
#include "store/local_storage.h"

namespace namix {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::chrono::milliseconds kLease{60'000};

class MixLedgerTest : public follow_test::StorageTest {
 protected:
  static LedgerEntry fresh(const std::string& mix_id) {
    LedgerEntry e;
    e.subscription_id = "show";
    e.output_slug = "best-of";
    e.theme = "Best Of";
    e.item.guid = "show-12";
    e.item.key = "0123456789abcdef01234567";
    e.item.enclosure_url = "https://cdn.example.com/ep12.mp3";
    e.mix_id = mix_id;
    e.key_stem = "mixes/12/best-of/" + mix_id;
    return e;
  }
};

TEST_F(MixLedgerTest, OneClaimWinsAndASettledMixIsDone) {
  MixLedger mine(*storage_, this_claim_owner(), kLease, 3);
  MixLedger other(*storage_, "another-boot/1/1", kLease, 3);
  auto first = mine.claim(fresh("mix-a"), kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->verdict, ClaimVerdict::mine);
  EXPECT_EQ(first->entry.attempts, 1);
  auto second = other.claim(fresh("mix-b"), kNow + 1000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->verdict, ClaimVerdict::busy);
  EXPECT_EQ(second->entry.mix_id, "mix-a");

  LedgerEntry done = first->entry;
  done.state = LedgerState::done;
  auto settled = mine.settle(*first, done);
  ASSERT_TRUE(settled.ok());
  EXPECT_TRUE(*settled);
  auto after = other.claim(fresh("mix-c"), kNow + 10 * kLease.count());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->verdict, ClaimVerdict::done);
}

TEST_F(MixLedgerTest, AnExpiredLeaseIsTakenOverUnderTheSameMixId) {
  MixLedger dead(*storage_, "another-boot/1/1", kLease, 3);
  MixLedger alive(*storage_, this_claim_owner(), kLease, 3);
  auto first = dead.claim(fresh("mix-a"), kNow);
  ASSERT_TRUE(first.ok());
  auto early = alive.claim(fresh("mix-b"), kNow + kLease.count() - 1);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->verdict, ClaimVerdict::busy);
  auto late = alive.claim(fresh("mix-b"), kNow + kLease.count() + 1);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->verdict, ClaimVerdict::mine);
  EXPECT_TRUE(late->taken_over);
  EXPECT_EQ(late->entry.mix_id, "mix-a");
  EXPECT_EQ(late->entry.attempts, 2);
  // The first owner's outcome no longer counts.
  LedgerEntry done = first->entry;
  done.state = LedgerState::done;
  auto settled = dead.settle(*first, done);
  ASSERT_TRUE(settled.ok());
  EXPECT_FALSE(*settled);
}

TEST_F(MixLedgerTest, AClaimOfAProcessThatDiedIsTakenOverAtOnce) {
  const pid_t child = ::fork();
  if (child == 0) {
    MixLedger ledger(*storage_, this_claim_owner(), kLease, 3);
    auto claimed = ledger.claim(fresh("mix-a"), kNow);
    ::_exit(claimed.ok() && claimed->verdict == ClaimVerdict::mine ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  MixLedger ledger(*storage_, this_claim_owner(), kLease, 3);
  auto claimed = ledger.claim(fresh("mix-b"), kNow + 1000);  // well within the lease
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->verdict, ClaimVerdict::mine);
  EXPECT_TRUE(claimed->taken_over);
  EXPECT_EQ(claimed->entry.mix_id, "mix-a");
}

TEST_F(MixLedgerTest, AFailedMixWaitsForItsRetryAndStopsAtTheLimit) {
  MixLedger ledger(*storage_, this_claim_owner(), kLease, 2);
  auto first = ledger.claim(fresh("mix-a"), kNow);
  ASSERT_TRUE(first.ok());
  LedgerEntry failed = first->entry;
  failed.state = LedgerState::failed;
  failed.retry_at_ms = kNow + 5000;
  ASSERT_TRUE(*ledger.settle(*first, failed));
  EXPECT_EQ(ledger.claim(fresh("x"), kNow + 4999)->verdict, ClaimVerdict::waiting);
  auto second = ledger.claim(fresh("x"), kNow + 5000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->verdict, ClaimVerdict::mine);
  EXPECT_EQ(second->entry.attempts, 2);
  failed = second->entry;
  failed.state = LedgerState::failed;
  failed.retry_at_ms = kNow + 10'000;
  ASSERT_TRUE(*ledger.settle(*second, failed));
  EXPECT_EQ(ledger.claim(fresh("x"), kNow + 20'000)->verdict, ClaimVerdict::given_up);
}

TEST_F(MixLedgerTest, ThreadsRacingForOneItemLeaveOneWinner) {
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      MixLedger ledger(*storage_, "boot-" + std::to_string(i) + "/1/1", kLease, 3);
      auto claimed = ledger.claim(fresh("mix-" + std::to_string(i)), kNow);
      if (claimed.ok() && claimed->verdict == ClaimVerdict::mine) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

}  // namespace
}  // namespace namix
