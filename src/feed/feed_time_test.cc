#include "feed/feed_time.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

std::string iso(std::string_view rfc822) {
  const auto t = parse_rfc822_date(rfc822);
  return t ? format_iso8601(*t) : "none";
}

TEST(Rfc822Date, ReadsTheRfcForm) {
  // RFC 822 section 5 and RFC 2822 section 3.3; expected values worked out by hand.
  EXPECT_EQ(iso("Sun, 12 Nov 2023 21:41:17 GMT"), "2023-11-12T21:41:17Z");
  EXPECT_EQ(iso("Sun, 12 Nov 2023 21:41:17 +0000"), "2023-11-12T21:41:17Z");
  EXPECT_EQ(iso("Mon, 06 Nov 2023 08:00:00 -0500"), "2023-11-06T13:00:00Z");
  EXPECT_EQ(iso("Tue, 14 Nov 2023 09:30:00 +0130"), "2023-11-14T08:00:00Z");
  EXPECT_EQ(iso("Thu, 01 Jan 1970 00:00:00 UT"), "1970-01-01T00:00:00Z");
}

TEST(Rfc822Date, ReadsTheVariantsFeedsPublish) {
  EXPECT_EQ(iso("12 Nov 2023 21:41:17 GMT"), "2023-11-12T21:41:17Z");            // no weekday
  EXPECT_EQ(iso("Sunday, 12 November 2023 21:41 GMT"), "2023-11-12T21:41:00Z");  // full names, no s
  EXPECT_EQ(iso("Tue, 5 Sept. 2023 10:00:00 EDT"), "2023-09-05T14:00:00Z");
  EXPECT_EQ(iso("13 Nov 23 18:00 PST"), "2023-11-14T02:00:00Z");               // two-digit year
  EXPECT_EQ(iso("Wed, 15 Nov 2023 10:00:00 +01:00"), "2023-11-15T09:00:00Z");  // colon in zone
  EXPECT_EQ(iso("Wed, 15 Nov 2023 10:00:00"), "2023-11-15T10:00:00Z");         // no zone: UTC
  EXPECT_EQ(iso("Nov 15, 2023 10:00 pm CST"), "2023-11-16T04:00:00Z");         // month first, pm
  EXPECT_EQ(iso("Wed,15 Nov 2023 10:00:00 GMT"), "2023-11-15T10:00:00Z");      // no space
  EXPECT_EQ(iso("  wed, 15 nov 2023 10:00:00 gmt (Greenwich)  "), "2023-11-15T10:00:00Z");
  EXPECT_EQ(iso("Wed, 15-Nov-2023 10:00:00 GMT"), "2023-11-15T10:00:00Z");
  EXPECT_EQ(iso("2023-11-12T21:41:17Z"), "2023-11-12T21:41:17Z");  // ISO 8601
  EXPECT_EQ(iso("2023-11-12T21:41:17-08:00"), "2023-11-13T05:41:17Z");
  EXPECT_EQ(iso("2023-11-12"), "2023-11-12T00:00:00Z");
  EXPECT_EQ(iso("Thu, 29 Feb 2024 12:00:00 GMT"), "2024-02-29T12:00:00Z");
}

TEST(Rfc822Date, RefusesWhatIsNoDate) {
  EXPECT_EQ(iso(""), "none");
  EXPECT_EQ(iso("yesterday"), "none");
  EXPECT_EQ(iso("Sun, 12 Nov"), "none");                    // no year
  EXPECT_EQ(iso("Thu, 29 Feb 2023 12:00:00 GMT"), "none");  // not a leap year
  EXPECT_EQ(iso("Sun, 12 Nov 2023 25:00:00 GMT"), "none");
  EXPECT_EQ(iso("Sun, 32 Nov 2023 10:00:00 GMT"), "none");
  EXPECT_EQ(iso("2023-13-01T00:00:00Z"), "none");
}

TEST(ItunesDuration, ReadsSecondsMinutesAndHours) {
  EXPECT_EQ(parse_itunes_duration("3725"), 3725.0);
  EXPECT_EQ(parse_itunes_duration(" 3725.5 "), 3725.5);
  EXPECT_EQ(parse_itunes_duration("59:30"), 3570.0);
  EXPECT_EQ(parse_itunes_duration("1:02:03"), 3723.0);
  EXPECT_EQ(parse_itunes_duration("03:11:25"), 11485.0);
  EXPECT_EQ(parse_itunes_duration("00:00:07.25"), 7.25);
  EXPECT_FALSE(parse_itunes_duration(""));
  EXPECT_FALSE(parse_itunes_duration("0"));
  EXPECT_FALSE(parse_itunes_duration("1:2:3:4"));
  EXPECT_FALSE(parse_itunes_duration("1.5:00"));
  EXPECT_FALSE(parse_itunes_duration("an hour"));
  EXPECT_FALSE(parse_itunes_duration("10:"));
  EXPECT_FALSE(parse_itunes_duration("-5"));
}

TEST(Rfc822Date, WritesWhatValidatorsWantAndReadsItBack) {
  using namespace std::chrono;
  // 2023-11-12 was a Sunday; `date -u -R -d @1699825277` prints the same.
  const sys_seconds t{seconds{1699825277}};
  EXPECT_EQ(format_rfc822_date(t), "Sun, 12 Nov 2023 21:41:17 +0000");
  EXPECT_EQ(format_rfc822_date(sys_seconds{seconds{0}}), "Thu, 01 Jan 1970 00:00:00 +0000");
  // 2024-02-29, a leap day, and a date in every month round-trip.
  for (int month = 1; month <= 12; ++month) {
    const sys_seconds when = sys_days(year(2024) / month / 29) + hours(7) + minutes(5);
    EXPECT_EQ(parse_rfc822_date(format_rfc822_date(when)), when) << format_rfc822_date(when);
  }
}

TEST(Iso8601, ReadsWhatFormatIso8601Writes) {
  using namespace std::chrono;
  const sys_seconds t{seconds{1699825277}};
  EXPECT_EQ(parse_iso8601(format_iso8601(t)), t);
  EXPECT_EQ(parse_iso8601("2023-11-12T22:41:17+01:00"), t);
  EXPECT_FALSE(parse_iso8601("Sun, 12 Nov 2023 21:41:17 GMT"));
  EXPECT_FALSE(parse_iso8601(""));
}

}  // namespace
}  // namespace namix
