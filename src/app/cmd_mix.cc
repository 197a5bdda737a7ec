// `namix mix INPUT|URL|--feed URL [--item latest|GUID|N] --theme T --duration S|full --out
// mix.mp3|- [--json R] [--target-lufs L]
// [--transcript FILE|URL] [--chapters FILE|URL] [--about TEXT] [--transcript-out PATH]
// [--chapters-out PATH] [--allow-private-urls] [--quiet]`
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/command.h"
#include "app/exit_code.h"
#include "app/progress_bar.h"
#include "codec/mp3_encoder.h"
#include "core/output_file.h"
#include "core/partial_files.h"
#include "core/scoped_temp_file.h"
#include "feed/media_url.h"
#include "mix/mix_companions.h"
#include "mix/pipeline.h"
#include "mix/result_json.h"
#include "net/episode_documents.h"
#include "net/feed_episode.h"
#include "select/loudness_target.h"
#include "select/theme.h"
#include "store/s3_url.h"
#include "store/storage_factory.h"
#include "transcript/transcript_writer.h"

namespace namix {
namespace {

struct MixOptions {
  std::string input;  // a file or an http(s) URL; empty with --feed
  std::string feed;
  std::string item = "latest";
  std::string theme = "Best Of";
  std::string duration = "90";
  std::string out;
  std::string json_path;
  std::optional<double> target_lufs;
  double mp3_quality = kDefaultMp3Quality;
  std::string themes_dir;
  std::string episode;
  std::string s3_endpoint;
  std::string transcript;  // a file or an http(s) URL
  std::string chapters;    // a file or an http(s) URL
  std::string about;
  std::string transcript_out;
  std::string chapters_out;
  bool allow_private_urls = false;
  bool quiet = false;
};

// An output beside the MP3, as the user named it, and its file.
struct CompanionOutput {
  CompanionFile file;
  std::optional<OutputFile> output;
};

// "90", "90.5" -> seconds; "full" -> nullopt (whole-episode remaster).
Result<std::optional<double>> parse_duration(const std::string& text) {
  if (text == "full") return std::optional<double>{};
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) {
    return make_error(Errc::invalid_argument, "--duration '" + quoted_input(text) +
                                                  "' is not a number of seconds or \"full\"");
  }
  if (v <= 0) {
    return make_error(Errc::invalid_argument,
                      "--duration must be more than 0 seconds (got " + quoted_input(text) + ")");
  }
  return std::optional<double>{v};
}

// Every output must be a place of its own, and at most one of them standard
// output. `outputs` pairs each option with its path ("" when not given).
Result<void> check_distinct_outputs(
    const std::vector<std::pair<std::string, std::string>>& outputs) {
  std::vector<std::pair<std::string, std::filesystem::path>> seen;
  bool stdout_taken = false;
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    if (path == "-") {
      if (stdout_taken) {
        return make_error(Errc::invalid_argument,
                          "only one output can be standard output (-); give " + option + " a file");
      }
      stdout_taken = true;
      continue;
    }
    if (is_s3_url(path)) continue;
    std::error_code ec;
    const auto canonical =
        std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
    for (const auto& [other, other_path] : seen) {
      if (other_path == canonical) {
        return make_error(Errc::invalid_argument,
                          other + " and " + option + " name the same file; give each its own path");
      }
    }
    seen.emplace_back(option, canonical);
  }
  return {};
}

// The episode a feed names, with the transcript and chapters it publishes
// (those the user gave override them; ones that fail are warnings).
struct FeedChoice {
  EpisodeSource source;
  FeedWords words;
};

Result<FeedChoice> choose_from_feed(const MixOptions& o, const FetchOptions& fetch_options) {
  auto source = resolve_feed_episode(o.feed, o.item, fetch_options);
  if (!source.ok()) return source.error();
  FeedChoice choice{*source, {}};
  if (!o.chapters.empty()) choice.source.chapters_url.clear();
  choice.words = read_feed_words(choice.source, o.transcript.empty(), fetch_options);
  if (!o.transcript.empty()) choice.source.transcript_url = o.transcript;
  if (!o.chapters.empty()) choice.source.chapters_url = o.chapters;
  return choice;
}

// Downloads an episode URL to a temporary file (removed when the run ends):
// the mix seeks in it.
Result<ScopedTempFile> download_episode(const std::string& url, const FetchOptions& options) {
  const char* tmpdir = std::getenv("TMPDIR");
  auto file = ScopedTempFile::create(tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp", "namix-fetch");
  if (!file.ok()) return file.error();
  auto fetched = fetch_episode(url, options, *file);
  if (!fetched.ok()) return fetched.error();
  return std::move(*file);
}

// --about and --transcript-out need a transcript to work on.
Result<void> check_words_wanted(const MixOptions& o, bool has_transcript) {
  if (!o.transcript_out.empty() && !has_transcript) {
    return make_error(Errc::invalid_argument,
                      "--transcript-out needs a transcript: add --transcript FILE|URL (or a feed "
                      "that publishes one)");
  }
  return check_about_has_transcript(o.about, has_transcript);
}

Result<void> write_text(ByteSink& sink, const std::string& text) {
  return sink.write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

int run(const MixOptions& o) {
  // Before any thread starts: an interrupted mix leaves no partial output,
  // and a reader that closes the --out pipe is an error, not a silent death.
  exit_on_signals_leaving_no_partial_files("the mix was", "no partial output was left");
  ::signal(SIGPIPE, SIG_IGN);
  auto duration = parse_duration(o.duration);
  if (!duration.ok()) return report_error(duration.error());
  auto mp3_quality = checked_mp3_quality(o.mp3_quality, "--mp3-quality");
  if (!mp3_quality.ok()) return report_error(mp3_quality.error());
  if (o.target_lufs) {
    auto target = checked_target_lufs(*o.target_lufs, "--target-lufs");
    if (!target.ok()) return report_error(target.error());
  }
  auto catalog = load_theme_catalog(o.themes_dir);
  if (!catalog.ok()) return report_error(catalog.error());
  auto theme = catalog->find(o.theme);
  if (!theme.ok()) return report_error(theme.error());
  std::optional<TranscriptFormat> transcript_format;
  if (!o.transcript_out.empty()) {
    transcript_format = transcript_format_for_path(o.transcript_out);
    if (!transcript_format) {
      return report_error(make_error(Errc::invalid_argument,
                                     "--transcript-out " + quoted_input(o.transcript_out) +
                                         " must end in .vtt (WebVTT), .srt (SubRip) or .json "
                                         "(Podcasting 2.0 JSON)"));
    }
  }
  if (o.input.empty() == o.feed.empty()) {
    return report_error(make_error(
        Errc::invalid_argument, o.input.empty() ? "give an episode (a file or an http(s) URL), or "
                                                  "--feed URL"
                                                : "give either an episode or --feed, not both"));
  }
  // With a feed, whether there is a transcript is known once it is read.
  if (o.feed.empty()) {
    if (auto checked = check_words_wanted(o, !o.transcript.empty()); !checked.ok()) {
      return report_error(checked.error());
    }
  }
  const bool input_is_url = is_http_url(o.input);
  std::error_code ec;
  if (o.feed.empty() && !input_is_url && !std::filesystem::exists(o.input, ec)) {
    return report_error(make_error(
        Errc::not_found,
        "input " + o.input + " does not exist; give the path of an MP3, WAV or FLAC episode"));
  }
  if (auto distinct = check_distinct_outputs({{"--out", o.out},
                                              {"--json", o.json_path},
                                              {"--transcript-out", o.transcript_out},
                                              {"--chapters-out", o.chapters_out}});
      !distinct.ok()) {
    return report_error(distinct.error());
  }
  // The episode's words, read and checked before any audio is decoded.
  FetchOptions fetch_options;
  fetch_options.allow_private_urls = o.allow_private_urls;
  std::optional<Transcript> transcript;
  if (!o.transcript.empty()) {
    auto read = read_transcript_source(o.transcript, fetch_options);
    if (!read.ok()) return report_error(read.error());
    transcript = std::move(*read);
  }
  std::optional<Chapters> chapters;
  if (!o.chapters.empty()) {
    auto read = read_chapters_source(o.chapters, fetch_options);
    if (!read.ok()) return report_error(read.error());
    chapters = std::move(*read);
  }
  std::optional<FeedChoice> from_feed;
  if (!o.feed.empty()) {
    auto chosen = choose_from_feed(o, fetch_options);
    if (!chosen.ok()) return report_error(chosen.error());
    from_feed.emplace(std::move(*chosen));
    if (!transcript) transcript = std::move(from_feed->words.transcript);
    if (!chapters) chapters = std::move(from_feed->words.chapters);
    if (auto checked = check_words_wanted(o, transcript.has_value()); !checked.ok()) {
      return report_error(checked.error());
    }
  }

  // Every output is opened before the work starts, so that one that cannot
  // be written fails in milliseconds and leaves the others unwritten.
  StorageOpenOptions storage_options;
  storage_options.s3_endpoint = o.s3_endpoint;
  storage_options.warnings = &std::cerr;
  auto out = OutputObject::open(o.out, "audio/mpeg", storage_options);
  if (!out.ok()) return report_error(out.error());
  std::optional<OutputFile> json_out;
  if (!o.json_path.empty()) {
    auto opened = OutputFile::open(o.json_path, "--json");
    if (!opened.ok()) return report_error(opened.error());
    json_out.emplace(std::move(*opened));
  }
  std::vector<CompanionOutput> companions;
  if (transcript_format) {
    auto opened = OutputFile::open(o.transcript_out, "--transcript-out");
    if (!opened.ok()) return report_error(opened.error());
    companions.push_back({transcript_companion(*transcript_format), std::move(*opened)});
  }
  if (!o.chapters_out.empty()) {
    auto opened = OutputFile::open(o.chapters_out, "--chapters-out");
    if (!opened.ok()) return report_error(opened.error());
    companions.push_back({chapters_companion(), std::move(*opened)});
  }
  // The episode: the file itself, or a download of the URL or the feed's enclosure.
  const std::string episode_url = from_feed ? from_feed->source.episode_url : o.input;
  std::optional<ScopedTempFile> episode_file;
  if (from_feed || input_is_url) {
    auto fetched = download_episode(episode_url, fetch_options);
    if (!fetched.ok()) return report_error(fetched.error());
    episode_file.emplace(std::move(*fetched));
  }
  const std::string episode_name =
      from_feed ? url_file_name(from_feed->source.media_url)
                : (input_is_url ? url_file_name(o.input)
                                : std::filesystem::path(o.input).filename().string());
  ProgressBar bar(!o.quiet && ::isatty(STDERR_FILENO));
  MixRequest request;
  request.input_path = episode_file ? episode_file->path() : o.input;
  // A downloaded episode is named by its URL in tags and messages, never by
  // the temporary file it was saved to; a local file by the path given.
  if (episode_file) request.source_name = episode_name;
  if (from_feed) request.source = from_feed->source;
  request.theme = *theme;
  request.target_s = *duration;
  request.target_lufs = o.target_lufs;
  request.mp3_quality = *mp3_quality;
  request.episode_number = !o.episode.empty() ? o.episode
                           : from_feed && !from_feed->source.episode.empty()
                               ? from_feed->source.episode
                               : episode_number_from_name(episode_name);
  request.transcript = std::move(transcript);
  request.chapters = std::move(chapters);
  request.about = o.about;
  request.progress = [&bar](std::string_view stage, double f) { bar.update(stage, f); };
  auto report = run_mix(request, out->sink());
  bar.finish();
  if (!report.ok()) return report_error(report.error());
  if (from_feed) {
    for (const std::string& w : from_feed->words.warnings) report->warnings.push_back(w);
  }
  // Every companion is written in full before anything is committed.
  for (CompanionOutput& companion : companions) {
    const std::string text = companion_text(companion.file, *report);
    if (auto written = write_text(*companion.output, text); !written.ok()) {
      return report_error(written.error());
    }
  }
  if (auto committed = out->commit(); !committed.ok()) return report_error(committed.error());
  for (CompanionOutput& companion : companions) {
    if (auto committed = companion.output->commit(); !committed.ok()) {
      return report_error(committed.error());
    }
  }

  auto url = out->download_url();
  if (!url.ok()) return report_error(url.error());
  DownloadInfo download;
  download.url = *url;
  download.s3_key = out->key();
  download.bucket = out->bucket();
  download.expires_in_hours = out->expires_in_hours();
  for (const CompanionOutput& companion : companions) {
    download.companions.push_back(
        {companion.file.name, companion.output->destination(), "", companion.file.content_type});
  }
  const std::string session = "cli-" + std::to_string(::getpid());
  if (json_out) {
    const std::string text = result_json(*report, download, session).dump(2) + "\n";
    if (auto written = write_text(*json_out, text); !written.ok()) {
      return report_error(written.error());
    }
    if (auto committed = json_out->commit(); !committed.ok())
      return report_error(committed.error());
  }
  if (!o.quiet) {
    // Standard output may be carrying the MP3 or the JSON.
    std::FILE* summary = o.out == "-" || o.json_path == "-" ? stderr : stdout;
    std::fprintf(summary, "%s: %zu segments, %.1f s, %.1f LUFS, %.1f dBTP, %.2f MB\n",
                 o.out.c_str(), report->edit_list.segments.size(), report->duration_s,
                 report->integrated_lufs, report->true_peak_dbtp,
                 static_cast<double>(report->file_size_bytes) / 1048576.0);
    for (const std::string& w : report->warnings)
      std::fprintf(stderr, "namix: warning: %s\n", w.c_str());
  }
  return kExitOk;
}

std::function<int()> add_mix(CLI::App& app) {
  auto o = std::make_shared<MixOptions>();
  CLI::App* cmd = app.add_subcommand("mix", "Mix an episode into a themed, mastered MP3");
  cmd->add_option("input", o->input,
                  "The episode: a file (MP3, WAV or FLAC) or an http(s) URL (or give --feed)");
  cmd->add_option("--feed", o->feed,
                  "A podcast RSS feed's URL: mix the item --item names, with the transcript and "
                  "chapters it publishes");
  cmd->add_option("--item", o->item, "With --feed: latest, an item's GUID, or an episode number")
      ->capture_default_str();
  cmd->add_option("--theme", o->theme, "Theme name (see `namix themes`)")->capture_default_str();
  cmd->add_option("--duration", o->duration, "Mix length in seconds, or \"full\"")
      ->capture_default_str();
  cmd->add_option("--out", o->out,
                  "Output MP3: a path (a FIFO or a device such as /dev/null is written into), - "
                  "for standard output, or s3://BUCKET/KEY")
      ->required();
  cmd->add_option("--s3-endpoint", o->s3_endpoint, "S3-compatible endpoint for s3:// outputs")
      ->envname("NAMIX_S3_ENDPOINT");
  cmd->add_option("--json", o->json_path, "Also write the result JSON here (a path, or -)");
  cmd->add_option("--target-lufs", o->target_lufs,
                  "Integrated loudness target (default: the theme's, -16)");
  cmd->add_option("--mp3-quality", o->mp3_quality,
                  "LAME's algorithm quality, as lame -q and ffmpeg -compression_level: 0 best "
                  "and slowest, 9 fastest (at 320 kbps CBR, 8 and 9 encode as 7). 7 skips "
                  "noise shaping: a whole-episode remaster takes about a third less time")
      ->type_name("INT")  // read as a number so that 3.5 gets our message, not CLI11's
      ->capture_default_str();
  cmd->add_option("--themes-dir", o->themes_dir,
                  "Extra directory of theme files (also NAMIX_THEMES_DIR)");
  cmd->add_option("--episode", o->episode,
                  "Episode number for tags and keys (default: from the file name)");
  cmd->add_option("--transcript", o->transcript,
                  "The episode's published transcript (SRT, WebVTT or Podcasting 2.0 JSON), a "
                  "file or an http(s) URL: aligned to the audio, it lets the theme choose by "
                  "the words");
  cmd->add_option("--chapters", o->chapters,
                  "The episode's JSON chapters, a file or an http(s) URL: those inside the mix "
                  "go into its chapters");
  cmd->add_option("--about", o->about,
                  "Mix the passages that talk about this (\"gas stoves, electric car "
                  "mandate\"); needs --transcript");
  cmd->add_option("--transcript-out", o->transcript_out,
                  "Write the mix's own transcript here: .vtt, .srt or .json (Podcasting 2.0)");
  cmd->add_option("--chapters-out", o->chapters_out,
                  "Write the mix's chapters here (JSON chapters 1.2)");
  cmd->add_flag("--allow-private-urls", o->allow_private_urls,
                "Allow loopback, private and link-local addresses in URLs (refused by default, "
                "as in namix serve)");
  cmd->add_flag("--quiet", o->quiet, "No progress bar or summary");
  return [cmd, o]() -> int {
    if (!cmd->parsed()) return -1;
    return run(*o);
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(mix, add_mix);
}  // namespace namix
