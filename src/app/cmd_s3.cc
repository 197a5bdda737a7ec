// `namix s3 ...`: presigned links, the bucket's lifecycle rules (temp/ and
// jobs/ expire, mixes/ go to GLACIER), listing, copying and bucket creation, against AWS or
// any S3-compatible endpoint.
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "app/command.h"
#include "app/exit_code.h"
#include "store/s3_client.h"
#include "store/s3_storage.h"
#include "store/s3_url.h"

namespace namix {
namespace {

struct S3Options {
  std::string url;
  std::string endpoint;
  std::string region;
};

void add_connection_options(CLI::App* cmd, S3Options& options) {
  cmd->add_option("--endpoint,--s3-endpoint", options.endpoint,
                  "S3-compatible endpoint, e.g. http://127.0.0.1:7480 (default: "
                  "NAMIX_S3_ENDPOINT, else AWS)");
  cmd->add_option("--region", options.region, "AWS region (default: AWS_REGION, else us-east-1)");
}

Result<std::pair<std::unique_ptr<S3Client>, S3Location>> connect(const S3Options& options) {
  auto location = parse_s3_url(options.url);
  if (!location) return location.error();
  auto config = S3Config::from_environment(options.endpoint, options.region);
  if (!config) return config.error();
  return std::make_pair(std::make_unique<S3Client>(std::move(*config)), std::move(*location));
}

std::string describe_rule(const S3LifecycleRule& rule) {
  std::string text = rule.id + ": " + (rule.prefix.empty() ? "(whole bucket)" : rule.prefix);
  if (rule.expiration_days > 0)
    text += " expires after " + std::to_string(rule.expiration_days) + " days";
  if (rule.transition_days > 0)
    text += " moves to " + rule.transition_storage_class + " after " +
            std::to_string(rule.transition_days) + " days";
  if (rule.abort_incomplete_multipart_days > 0)
    text += " incomplete uploads aborted after " +
            std::to_string(rule.abort_incomplete_multipart_days) + " day(s)";
  if (!rule.enabled) text += " (disabled)";
  return text;
}

int run_presign(const S3Options& options, long expires_s, const std::string& at) {
  auto connected = connect(options);
  if (!connected) return report_error(connected.error());
  auto& [client, location] = *connected;
  if (location.key.empty())
    return report_error(
        make_error(Errc::invalid_argument,
                   "'" + quoted_input(options.url) + "' names no object: use s3://BUCKET/KEY"));
  // SigV4 caps presigned URLs at 7 days.
  if (expires_s < 1 || expires_s > 604800)
    return report_error(make_error(
        Errc::invalid_argument,
        "--expires must be 1 to 604800 seconds (7 days); got " + std::to_string(expires_s)));
  auto signed_at = std::chrono::system_clock::now();
  if (!at.empty()) {
    auto parsed = parse_amz_datetime(at);
    if (!parsed) return report_error(parsed.error());
    signed_at = *parsed;
  }
  if (client->config().credentials.temporary())
    std::cerr << "namix: warning: signed with temporary credentials (AWS_SESSION_TOKEN); the "
                 "link stops working when they expire, whatever --expires says\n";
  std::cout << client->presign_get(location.bucket, location.key, std::chrono::seconds(expires_s),
                                   signed_at)
            << "\n";
  return kExitOk;
}

int run_lifecycle(const S3Options& options, bool show_only, bool no_transition) {
  auto connected = connect(options);
  if (!connected) return report_error(connected.error());
  auto& [client, location] = *connected;
  if (!show_only) {
    auto rules = spec_lifecycle_rules();
    if (no_transition)
      std::erase_if(rules, [](const S3LifecycleRule& r) { return r.transition_days > 0; });
    auto put = client->put_bucket_lifecycle(location.bucket, rules);
    if (!put) {
      Error error = put.error();
      if (error.message.find("InvalidStorageClass") != std::string::npos ||
          (error.message.find("InvalidArgument") != std::string::npos && !no_transition))
        error.message +=
            ". The endpoint has no GLACIER storage class: on Ceph RGW add one with "
            "`radosgw-admin zonegroup placement add --placement-id default-placement "
            "--storage-class GLACIER` (and `zone placement add`), or apply only the "
            "expiry rules with --no-transition";
      return report_error(error);
    }
  }
  auto rules = client->get_bucket_lifecycle(location.bucket);
  if (!rules) return report_error(rules.error());
  std::cout << "lifecycle of s3://" << location.bucket << ":\n";
  for (const auto& rule : *rules) std::cout << "  " << describe_rule(rule) << "\n";
  return kExitOk;
}

int run_ls(const S3Options& options, bool uploads) {
  auto connected = connect(options);
  if (!connected) return report_error(connected.error());
  auto& [client, location] = *connected;
  if (uploads) {
    // What a write that was cut off left (its parts take space until aborted).
    auto in_progress = client->list_multipart_uploads(location.bucket, location.key);
    if (!in_progress) return report_error(in_progress.error());
    for (const auto& upload : *in_progress)
      std::cout << upload.upload_id << " " << upload.key << "\n";
    return kExitOk;
  }
  auto objects = client->list_objects(location.bucket, location.key);
  if (!objects) return report_error(objects.error());
  for (const auto& object : *objects) {
    const std::time_t t = static_cast<std::time_t>(object.last_modified_unix);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::cout << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ") << " " << std::setw(12) << object.size
              << " " << object.key << "\n";
  }
  return kExitOk;
}

// Upload (local -> s3://) goes through S3Storage, so a big file is a
// multipart upload from memory exactly as a mix is; download is one GET.
int run_cp(const S3Options& options, const std::string& from, const std::string& to) {
  const bool upload = !is_s3_url(from) && is_s3_url(to);
  const bool download = is_s3_url(from) && !is_s3_url(to);
  if (!upload && !download)
    return report_error(make_error(Errc::invalid_argument,
                                   "cp copies a local file to s3://BUCKET/KEY or back; got '" +
                                       quoted_input(from) + "' -> '" + quoted_input(to) + "'"));
  S3Options located = options;
  located.url = upload ? to : from;
  auto connected = connect(located);
  if (!connected) return report_error(connected.error());
  auto& [client, location] = *connected;
  if (location.key.empty() || location.key.back() == '/')
    return report_error(
        make_error(Errc::invalid_argument,
                   "'" + quoted_input(located.url) + "' names no object: use s3://BUCKET/KEY"));
  if (download) {
    auto bytes = client->get_object(location.bucket, location.key);
    if (!bytes) return report_error(bytes.error());
    std::ofstream out(to, std::ios::binary | std::ios::trunc);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    if (!out)
      return report_error(make_error(Errc::io_error, "cannot write " + to + ": check the path"));
    std::cout << "downloaded " << bytes->size() << " bytes to " << to << "\n";
    return kExitOk;
  }
  std::ifstream in(from, std::ios::binary);
  if (!in)
    return report_error(make_error(Errc::not_found, "cannot read " + from + ": no such file"));
  const std::string content_type = from.size() > 4 && from.substr(from.size() - 4) == ".mp3"
                                       ? "audio/mpeg"
                                       : "application/octet-stream";
  std::shared_ptr<S3Client> shared(std::move(client));
  S3Storage storage(shared, {location.bucket, ""});
  auto pending = storage.begin_put(location.key, content_type);
  if (!pending) return report_error(pending.error());
  std::vector<std::uint8_t> buffer(1 << 20);
  std::uint64_t total = 0;
  while (in) {
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (auto written = (*pending)->write(std::span(buffer.data(), n)); !written)
      return report_error(written.error());
    total += n;
  }
  if (auto committed = (*pending)->commit(); !committed) return report_error(committed.error());
  std::cout << "uploaded " << total << " bytes to " << location.to_string() << "\n";
  return kExitOk;
}

int run_mb(const S3Options& options) {
  auto connected = connect(options);
  if (!connected) return report_error(connected.error());
  auto& [client, location] = *connected;
  auto created = client->create_bucket(location.bucket);
  if (!created) return report_error(created.error());
  std::cout << "created s3://" << location.bucket << "\n";
  return kExitOk;
}

std::function<int()> add_s3(CLI::App& app) {
  CLI::App* s3 = app.add_subcommand("s3", "S3 helpers: presigned links, lifecycle rules, listing");
  s3->require_subcommand(1);

  struct State {
    S3Options presign, lifecycle, ls, mb, cp;
    std::string cp_from, cp_to;
    long expires_s = 86400;
    std::string at;
    bool show_only = false;
    bool no_transition = false;
    bool uploads = false;
  };
  auto state = std::make_shared<State>();

  CLI::App* presign = s3->add_subcommand("presign", "Print a presigned GET URL for an object");
  presign->add_option("url", state->presign.url, "s3://BUCKET/KEY")->required();
  presign->add_option("--expires", state->expires_s, "Seconds the link lasts (default 86400)");
  presign->add_option("--at", state->at,
                      "Signing time YYYYMMDDTHHMMSSZ, for reproducible output (default: now)");
  add_connection_options(presign, state->presign);

  CLI::App* lifecycle = s3->add_subcommand(
      "lifecycle",
      "Apply the lifecycle rules (temp/ and jobs/ expire after 7 days, mixes/ to GLACIER after "
      "90 days, incomplete uploads aborted after 1 day) and print what the bucket holds");
  lifecycle->add_option("url", state->lifecycle.url, "s3://BUCKET")->required();
  lifecycle->add_flag("--show", state->show_only, "Only print the bucket's current rules");
  lifecycle->add_flag("--no-transition", state->no_transition,
                      "Leave out the GLACIER transition (endpoints without that storage class)");
  add_connection_options(lifecycle, state->lifecycle);

  CLI::App* ls = s3->add_subcommand("ls", "List objects under s3://BUCKET/PREFIX");
  ls->add_option("url", state->ls.url, "s3://BUCKET[/PREFIX]")->required();
  ls->add_flag("--uploads", state->uploads,
               "List the multipart uploads in progress instead (upload id and key)");
  add_connection_options(ls, state->ls);

  CLI::App* cp = s3->add_subcommand("cp", "Copy a local file to s3://BUCKET/KEY, or back");
  cp->add_option("from", state->cp_from, "Local file or s3://BUCKET/KEY")->required();
  cp->add_option("to", state->cp_to, "s3://BUCKET/KEY or local file")->required();
  add_connection_options(cp, state->cp);

  CLI::App* mb = s3->add_subcommand("mb", "Create a bucket");
  mb->add_option("url", state->mb.url, "s3://BUCKET")->required();
  add_connection_options(mb, state->mb);

  return [=]() -> int {
    if (!s3->parsed()) return -1;
    if (presign->parsed()) return run_presign(state->presign, state->expires_s, state->at);
    if (lifecycle->parsed())
      return run_lifecycle(state->lifecycle, state->show_only, state->no_transition);
    if (ls->parsed()) return run_ls(state->ls, state->uploads);
    if (mb->parsed()) return run_mb(state->mb);
    if (cp->parsed()) return run_cp(state->cp, state->cp_from, state->cp_to);
    return kExitUsage;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(s3, add_s3);
}  // namespace namix
