// One parser for every form an order comes in: a JSON body, a form upload,
// and the stored order of a handed-off job.
#include "net/mix_order.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace namix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kAudioBytes = std::string("ID3\x04\0\0\0\0\0\0", 10) + std::string(64, '\x55');

class MixOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto themes = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    ASSERT_TRUE(themes.ok()) << themes.error().message;
    themes_ = std::make_unique<ThemeCatalog>(std::move(*themes));
    upload_dir_ =
        (fs::temp_directory_path() / ("namix_mix_order_test_" + std::to_string(::getpid())))
            .string();
  }
  void TearDown() override { fs::remove_all(upload_dir_); }

  Result<MixOrder> from_body(const json& body) {
    HttpRequest request;
    request.method = "POST";
    request.headers["Content-Type"] = "application/json";
    request.body = body.dump();
    return parse_mix_order(request, *themes_, limits_, upload_dir_);
  }

  Result<MixOrder> from_form(const std::map<std::string, std::string>& fields) {
    const std::string boundary = "order-test";
    HttpRequest request;
    request.method = "POST";
    request.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    for (const auto& [name, value] : fields) {
      request.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                      "\"\r\n\r\n" + value + "\r\n";
    }
    request.body += "--" + boundary +
                    "\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"NA-1802-2026.mp3\"\r\n\r\n" +
                    kAudioBytes + "\r\n--" + boundary + "--\r\n";
    return parse_mix_order(request, *themes_, limits_, upload_dir_);
  }

  std::unique_ptr<ThemeCatalog> themes_;
  OrderLimits limits_;
  std::string upload_dir_;
};

TEST_F(MixOrderTest, JsonBodyAndFormReadTheSameFields) {
  auto body = from_body({{"episode_url", "https://example.com/NA-1779-final.mp3"},
                         {"theme", "Media Meltdown"},
                         {"target_duration", 600},
                         {"target_lufs", -18},
                         {"mp3_quality", 5},
                         {"session_id", "sess-a"}});
  ASSERT_TRUE(body.ok()) << body.error().message;
  auto form = from_form({{"theme", "media meltdown"},
                         {"target_duration", "600"},
                         {"target_lufs", "-18"},
                         {"mp3_quality", "5"},
                         {"session_id", "sess-a"}});
  ASSERT_TRUE(form.ok()) << form.error().message;
  for (const MixOrder* order : {&*body, &*form}) {
    EXPECT_EQ(order->theme->name, "Media Meltdown");
    EXPECT_EQ(order->target_s, 600.0);
    EXPECT_EQ(order->target_lufs, -18.0);
    EXPECT_EQ(order->mp3_quality, 5);
    EXPECT_EQ(order->session_id, "sess-a");
  }
  // The episode number comes from the URL's or the upload's name.
  EXPECT_EQ(body->episode_number, "1779");
  EXPECT_EQ(form->episode_number, "1802");
  EXPECT_EQ(body->source(), "https://example.com/NA-1779-final.mp3");
  EXPECT_EQ(form->source(), "upload:NA-1802-2026.mp3");
  ASSERT_NE(form->upload, nullptr);
  EXPECT_EQ(fs::file_size(form->upload->path()), kAudioBytes.size());
}

TEST_F(MixOrderTest, AWordForADurationIsQuotedOnOneLine) {
  // Found by fuzz/mix_order: a form value with line breaks was quoted whole.
  auto form = from_form({{"theme", "best of"}, {"target_duration", "600\r\n\r\n-18"}});
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.error().code, Errc::invalid_argument);
  EXPECT_EQ(form.error().message.find('\n'), std::string::npos) << form.error().message;
  EXPECT_NE(form.error().message.find("got the string \"600??"), std::string::npos)
      << form.error().message;
}

TEST_F(MixOrderTest, FormTakesItsLoudnessRangeFromTheLimits) {
  limits_.min_target_lufs = -30.0;
  limits_.max_target_lufs = -10.0;
  for (const char* sent : {"-35", "-9", "loud"}) {
    auto form = from_form({{"theme", "Best Of"}, {"target_duration", "60"}, {"target_lufs", sent}});
    ASSERT_FALSE(form.ok()) << sent;
    EXPECT_EQ(form.error().message, "target_lufs must be a number from -30 to -10");
  }
  auto inside =
      from_form({{"theme", "Best Of"}, {"target_duration", "60"}, {"target_lufs", "-25"}});
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  EXPECT_EQ(inside->target_lufs, -25.0);
}

TEST_F(MixOrderTest, OnlyFormTextCountsAsANumber) {
  auto form = from_form({{"theme", "Best Of"}, {"target_duration", "full"}, {"mp3_quality", "7"}});
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->mp3_quality, 7);
  EXPECT_FALSE(form->target_s.has_value());
  auto body = from_body({{"episode_url", "https://example.com/a.mp3"},
                         {"theme", "Best Of"},
                         {"target_duration", 60},
                         {"mp3_quality", "7"}});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().message.find("mp3_quality must be a whole number"), std::string::npos);
}

TEST_F(MixOrderTest, ARequestWithoutSessionIdIsGivenOne) {
  auto order = from_body({{"episode_url", "https://example.com/a.mp3"},
                          {"theme", "Best Of"},
                          {"target_duration", 60}});
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->session_id.rfind("sess-", 0), 0u);
  EXPECT_GT(order->session_id.size(), 10u);
}

TEST_F(MixOrderTest, StoredOrderReadsBackAsSent) {
  auto sent = from_body({{"episode_url", "https://example.com/show.mp3"},
                         {"theme", "Conspiracy Corner"},
                         {"target_duration", 1234.5},
                         {"target_lufs", -14},
                         {"mp3_quality", 0},
                         {"episode_number", "42"},
                         {"session_id", "sess-stored"}});
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  auto back = MixOrder::from_json(sent->to_json(), *themes_, limits_);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->theme, sent->theme);
  EXPECT_EQ(back->target_s, 1234.5);
  EXPECT_EQ(back->target_lufs, -14.0);
  EXPECT_EQ(back->mp3_quality, 0);
  EXPECT_EQ(back->episode_number, "42");
  EXPECT_EQ(back->session_id, "sess-stored");
  EXPECT_EQ(back->episode_url, "https://example.com/show.mp3");
  EXPECT_EQ(back->to_json(), sent->to_json());

  auto upload = from_form({{"theme", "Best Of"}, {"target_duration", "full"}});
  ASSERT_TRUE(upload.ok()) << upload.error().message;
  upload->upload_key = "temp/uploads/job-1";
  const json stored = upload->to_json();
  EXPECT_FALSE(stored.contains("episode_url"));
  auto upload_back = MixOrder::from_json(stored, *themes_, limits_);
  ASSERT_TRUE(upload_back.ok()) << upload_back.error().message;
  EXPECT_EQ(upload_back->upload_key, "temp/uploads/job-1");
  EXPECT_EQ(upload_back->upload_name, "NA-1802-2026.mp3");
  EXPECT_EQ(upload_back->upload, nullptr);  // still in storage
  EXPECT_FALSE(upload_back->target_s.has_value());
  EXPECT_EQ(upload_back->to_json(), stored);
}

TEST_F(MixOrderTest, StoredOrderIsCheckedAsARequestIs) {
  json stored = {{"episode_url", "https://example.com/show.mp3"},
                 {"theme", "Best Of"},
                 {"target_duration", 60}};
  stored["theme"] = "Retired Theme";
  auto unknown = MixOrder::from_json(stored, *themes_, limits_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown theme"), std::string::npos);
  stored["theme"] = "Best Of";
  stored["target_duration"] = 2;
  EXPECT_FALSE(MixOrder::from_json(stored, *themes_, limits_).ok());
  EXPECT_FALSE(MixOrder::from_json(json::array(), *themes_, limits_).ok());
}

TEST_F(MixOrderTest, TranscriptAndChaptersComeAsUrlsOrFiles) {
  auto by_url = from_body({{"episode_url", "https://example.com/NA-1802.mp3"},
                           {"theme", "Best Of"},
                           {"target_duration", 90},
                           {"transcript_url", "https://example.com/1802.srt"},
                           {"chapters_url", "https://example.com/1802.chapters.json"},
                           {"about", "gas stoves"}});
  ASSERT_TRUE(by_url.ok()) << by_url.error().message;
  EXPECT_EQ(by_url->transcript_url, "https://example.com/1802.srt");
  EXPECT_EQ(by_url->chapters_url, "https://example.com/1802.chapters.json");
  EXPECT_EQ(by_url->mix_request().about, "gas stoves");

  const std::string srt = "1\n00:00:01,000 --> 00:00:02,500\nHello there.\n";
  auto by_file = from_form({{"theme", "Best Of"}, {"target_duration", "60"}, {"transcript", srt}});
  ASSERT_TRUE(by_file.ok()) << by_file.error().message;
  ASSERT_TRUE(by_file->transcript);
  EXPECT_EQ(by_file->transcript->cues.size(), 1u);
  ASSERT_TRUE(by_file->mix_request().transcript);
  EXPECT_EQ(by_file->mix_request().transcript->cues.front().text, "Hello there.");
  // A job's record keeps the file's text; read back, it is the same order.
  by_file->upload_key = "temp/uploads/x.mp3";
  auto stored = MixOrder::from_json(by_file->to_json(), *themes_, limits_);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->transcript);
  EXPECT_EQ(stored->transcript->cues, by_file->transcript->cues);
}

TEST_F(MixOrderTest, BadTranscriptsAndAboutAloneAreRefused) {
  const json base = {{"episode_url", "https://example.com/NA-1802.mp3"},
                     {"theme", "Best Of"},
                     {"target_duration", 90}};
  json about = base;
  about["about"] = "gas stoves";
  auto refused = from_body(about);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_EQ(refused.error().message, kAboutNeedsTranscript);
  json ftp = base;
  ftp["transcript_url"] = "ftp://example.com/t.srt";
  EXPECT_EQ(from_body(ftp).error().code, Errc::invalid_argument);
  for (const std::string& bad : {std::string(""), std::string("just notes"),
                                 std::string("1\n00:00:01,000 --> 00:00:02,000\n\xff\n")}) {
    auto r = from_form({{"theme", "Best Of"}, {"target_duration", "60"}, {"transcript", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::undecodable) << r.error().message;
  }
  auto chapters = from_form({{"theme", "Best Of"}, {"target_duration", "60"}, {"chapters", "{"}});
  ASSERT_FALSE(chapters.ok());
  EXPECT_EQ(chapters.error().code, Errc::undecodable);
}

}  // namespace
}  // namespace namix
