#include "net/mix_execution.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/growing_file.h"
#include "core/scoped_temp_file.h"
#include "feed/media_url.h"
#include "mix/mix_companions.h"
#include "mix/result_json.h"
#include "net/episode_documents.h"
#include "net/feed_episode.h"

namespace namix {
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// What the client calls the episode, for messages and the MP3's title: the
// upload's file name or the URL's last segment; never the temporary file's
// path, which is the server's business.
std::string source_name(const MixOrder& order) {
  if (order.episode_url.empty()) {
    return order.upload_name.empty() || order.upload_name == "upload" ? "the upload"
                                                                      : order.upload_name;
  }
  const std::string name = url_file_name(order.episode_url);
  return name.empty() ? "the episode" : name;
}

}  // namespace

std::string episode_key_segment(const std::string& episode_number) {
  std::string out;
  for (unsigned char c : episode_number) {
    if (std::isalnum(c) || c == '-' || c == '_') out.push_back(static_cast<char>(c));
    if (out.size() >= 32) break;
  }
  return out.empty() ? "unknown" : out;
}

std::string mix_key_stem(const MixOrder& order, const std::string& mix_id) {
  return "mixes/" + episode_key_segment(order.episode_number) + "/" + order.theme->slug + "/" +
         mix_id;
}

MixExecutor::MixExecutor(std::string scratch_dir, FetchOptions fetch, std::chrono::seconds link_ttl,
                         Storage& storage, MixRunner runner, Metrics& metrics)
    : scratch_dir_(std::move(scratch_dir)),
      fetch_(std::move(fetch)),
      link_ttl_(link_ttl),
      storage_(storage),
      runner_(std::move(runner)),
      metrics_(metrics) {}

Result<nlohmann::json> MixExecutor::execute(const std::string& mix_id, MixOrder& order,
                                            const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  MixOutcome outcome;
  outcome.theme = order.theme != nullptr ? order.theme->name : "unknown";
  const auto fail = [&](const Error& e) -> Result<nlohmann::json> {
    outcome.ok = false;
    outcome.error_code = std::string(errc_name(e.code));
    outcome.timings.total_ms = ms_since(started);
    metrics_.record_mix(outcome);
    return e;
  };
  if (!runner_) return fail(make_error(Errc::unavailable, "this server has no mixer wired in"));

  // The transcript and chapters the order links: fetched and read first,
  // since a bad one ends the order before the episode is fetched.
  MixRequest request = order.mix_request();
  // A feed names the episode, and may publish its transcript and chapters.
  std::vector<std::string> feed_warnings;
  if (!order.feed_url.empty()) {
    auto source = resolve_feed_episode(order.feed_url, order.item, fetch_);
    if (!source) return fail(source.error());
    const bool own_transcript = order.transcript != nullptr || !order.transcript_url.empty();
    const bool own_chapters = order.chapters != nullptr || !order.chapters_url.empty();
    if (own_chapters) source->chapters_url.clear();
    FeedWords words = read_feed_words(*source, !own_transcript, fetch_);
    if (words.transcript) request.transcript = std::move(words.transcript);
    if (words.chapters) request.chapters = std::move(words.chapters);
    feed_warnings = std::move(words.warnings);
    if (!order.transcript_url.empty()) source->transcript_url = order.transcript_url;
    if (!order.chapters_url.empty()) source->chapters_url = order.chapters_url;
    order.episode_url = source->episode_url;
    if (order.episode_number.empty() || order.episode_number == "unknown") {
      order.episode_number =
          !source->episode.empty() ? source->episode : episode_number_from_name(source->media_url);
      request.episode_number = order.episode_number;
    }
    request.source = std::move(*source);
  }
  if (!order.transcript_url.empty()) {
    auto transcript = read_transcript_source(order.transcript_url, fetch_);
    if (transcript) {
      request.transcript = std::move(*transcript);
    } else if (order.words_from_feed) {
      feed_warnings.push_back("the feed's transcript could not be used (" +
                              transcript.error().message + "); mixed by sound alone");
    } else {
      return fail(transcript.error());
    }
  }
  if (!order.chapters_url.empty()) {
    auto chapters = read_chapters_source(order.chapters_url, fetch_);
    if (chapters) {
      request.chapters = std::move(*chapters);
    } else if (order.words_from_feed) {
      feed_warnings.push_back("the feed's chapters could not be used (" + chapters.error().message +
                              ")");
    } else {
      return fail(chapters.error());
    }
  }

  // --about needs the words, wherever they came from.
  if (auto about = check_about_has_transcript(request.about, request.transcript.has_value());
      !about) {
    return fail(about.error());
  }

  // A URL is fetched on its own thread into a growing file that the mix
  // starts decoding at once (run_mix waits for the end before rendering).
  std::optional<ScopedTempFile> download;
  std::optional<GrowingFile> growing;
  std::optional<Result<FetchReport>> fetched;
  std::thread fetcher;
  struct JoinFetcher {
    std::optional<GrowingFile>& growing;
    std::thread& thread;
    ~JoinFetcher() {
      if (!thread.joinable()) return;
      if (growing && !growing->finished()) growing->cancel("the mix ended before the download");
      thread.join();
    }
  } join_fetcher{growing, fetcher};
  std::string input_path;
  if (!order.episode_url.empty()) {
    if (progress) progress("fetch", 0.0);
    auto temp = ScopedTempFile::create(scratch_dir_, "download");
    if (!temp) return fail(temp.error());
    download.emplace(std::move(*temp));
    growing.emplace(*download, download->path());
    fetcher = std::thread([&, url = order.episode_url] {
      auto r = fetch_episode(url, fetch_, *growing);
      growing->finish(r.ok() ? Result<void>{} : Result<void>(r.error()));
      fetched.emplace(std::move(r));
    });
    input_path = download->path();
  } else {
    input_path = order.upload->path();
  }
  // The fetch's own outcome once it has ended: its error explains any failure after it.
  const auto fetch_outcome = [&]() -> std::optional<Error> {
    if (!fetcher.joinable()) return std::nullopt;
    if (!growing->finished()) growing->cancel("the mix ended before the download");
    fetcher.join();
    if (!fetched->ok()) return fetched->error();
    metrics_.record_fetch_bytes((*fetched)->bytes);
    return std::nullopt;
  };

  const std::string key_stem = mix_key_stem(order, mix_id);
  auto pending = storage_.begin_put(key_stem + ".mp3", "audio/mpeg");
  if (!pending) {
    if (auto e = fetch_outcome()) return fail(*e);
    return fail(pending.error());
  }
  request.input_path = input_path;
  request.source_name = source_name(order);
  request.download = growing ? &*growing : nullptr;
  request.progress = [&](std::string_view stage, double fraction) {
    if (progress) progress(stage, 0.05 + 0.9 * std::clamp(fraction, 0.0, 1.0));
  };
  auto report = runner_(request, **pending);
  const std::optional<Error> fetch_error = fetch_outcome();
  // The episode is of no further use once mixed (or failed).
  growing.reset();
  download.reset();
  order.upload.reset();
  if (fetch_error) return fail(*fetch_error);
  if (!report) return fail(report.error());
  for (const std::string& w : feed_warnings) report->warnings.push_back(w);

  if (progress) progress("store", 0.95);
  const auto store_started = std::chrono::steady_clock::now();
  auto committed = (*pending)->commit();
  if (!committed) return fail(committed.error());
  auto url = storage_.download_url(key_stem + ".mp3", link_ttl_);
  if (!url) return fail(url.error());
  if (fetched && fetched->ok()) report->timings.fetch_ms = (*fetched)->elapsed_ms;
  report->timings.store_ms = ms_since(store_started);
  report->timings.total_ms = ms_since(started);
  DownloadInfo info{*url,
                    key_stem + ".mp3",
                    storage_.bucket(),
                    static_cast<double>(link_ttl_.count()) / 3600.0,
                    {}};
  // The transcripts and chapters beside the MP3, then the JSON: what history
  // lists, written last so history never shows a mix with a file missing.
  const std::vector<CompanionFile> companions = stored_companions(*report);
  const auto remove_stored = [&] {
    (void)storage_.remove(key_stem + ".mp3");
    for (const CompanionFile& file : companions) (void)storage_.remove(key_stem + file.suffix);
  };
  for (const CompanionFile& file : companions) {
    const std::string key = key_stem + file.suffix;
    const std::string body = companion_text(file, *report);
    auto put = storage_.put(key, {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()},
                            file.content_type);
    auto link = put ? storage_.download_url(key, link_ttl_) : Result<std::string>(put.error());
    if (!link) {
      remove_stored();
      return fail(link.error());
    }
    info.companions.push_back({file.name, *link, key, file.content_type});
  }
  nlohmann::json result = result_json(*report, info, order.session_id);
  result["mix_id"] = mix_id;
  const std::string text = result.dump();
  auto stored = storage_.put(key_stem + ".json",
                             {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                             "application/json");
  if (!stored) {
    remove_stored();
    return fail(stored.error());
  }
  outcome.ok = true;
  outcome.timings = report->timings;
  outcome.file_size_bytes = report->file_size_bytes;
  outcome.segments = report->edit_list.segments.size();
  outcome.duration_s = report->duration_s;
  metrics_.record_mix(outcome);
  mean_mix_s_.store(0.8 * mean_mix_s_.load() + 0.2 * report->timings.total_ms / 1000.0);
  return result;
}

}  // namespace namix
