#include "store/storage_factory.h"

#include <filesystem>
#include <optional>
#include <ostream>

#include "core/output_file.h"
#include "store/local_storage.h"

#include "store/s3_storage.h"
#include "store/s3_url.h"

namespace namix {
namespace {

Result<std::unique_ptr<S3Storage>> open_s3(const std::string& spec,
                                           const StorageOpenOptions& options) {
  auto location = parse_s3_url(spec);
  if (!location) return location.error();
  auto config = S3Config::from_environment(options.s3_endpoint, options.s3_region);
  if (!config) return config.error();
  if (config->credentials.temporary() && options.warnings != nullptr)
    *options.warnings << "namix: warning: temporary AWS credentials (AWS_SESSION_TOKEN): "
                         "presigned download links stop working when the session expires, "
                         "even before their 24 h\n";
  auto client = std::make_shared<S3Client>(std::move(*config));
  auto storage = std::make_unique<S3Storage>(client, std::move(*location));
  if (options.apply_lifecycle) {
    if (auto applied = client->put_bucket_lifecycle(storage->bucket(), spec_lifecycle_rules());
        !applied)
      return applied.error();
  }
  return storage;
}

}  // namespace

Result<std::unique_ptr<Storage>> open_storage(const std::string& spec,
                                              const StorageOpenOptions& options) {
  if (spec.empty())
    return make_error(Errc::invalid_argument,
                      "empty --storage: give a directory or s3://BUCKET/PREFIX");
  if (is_s3_url(spec)) {
    auto s3 = open_s3(spec, options);
    if (!s3) return s3.error();
    return std::unique_ptr<Storage>(std::move(*s3));
  }
  if (spec.find("://") != std::string::npos)
    return make_error(Errc::invalid_argument, "unsupported storage '" + quoted_input(spec) +
                                                  "': use a directory or s3://BUCKET/PREFIX");
  LocalStorageOptions local;
  local.data_dir = spec;
  local.signing_key = options.signing_key;
  local.public_base_url = options.public_base_url;
  auto opened = LocalStorage::open(local);
  if (!opened) return opened.error();
  return std::unique_ptr<Storage>(std::move(*opened));
}

Result<std::unique_ptr<PendingObject>> begin_put_to_s3_url(const std::string& url,
                                                           const std::string& content_type,
                                                           const StorageOpenOptions& options) {
  auto location = parse_s3_url(url);
  if (!location) return location.error();
  if (location->key.empty() || location->key.back() == '/')
    return make_error(
        Errc::invalid_argument,
        "'" + quoted_input(url) + "' names no object: use s3://BUCKET/KEY, e.g. s3://b/mix.mp3");
  const std::string key = location->key;
  auto storage = open_s3("s3://" + location->bucket, options);
  if (!storage) return storage.error();
  // The pending upload shares the client, so the storage may go.
  return (*storage)->begin_put(key, content_type);
}

struct OutputObject::State {
  std::optional<OutputFile> file;
  std::unique_ptr<S3Storage> storage;
  std::unique_ptr<PendingObject> pending;
};

OutputObject::OutputObject(OutputObject&&) noexcept = default;
OutputObject& OutputObject::operator=(OutputObject&&) noexcept = default;
OutputObject::~OutputObject() = default;

Result<OutputObject> OutputObject::open(const std::string& destination,
                                        const std::string& content_type,
                                        const StorageOpenOptions& options) {
  OutputObject out;
  out.state_ = std::make_unique<State>();
  if (!is_s3_url(destination)) {
    auto file = OutputFile::open(destination, options.option_name);
    if (!file) return file.error();
    out.key_ = file->to_stdout() ? "-" : std::filesystem::path(destination).filename().string();
    out.state_->file.emplace(std::move(*file));
    out.bucket_ = "local";
    return out;
  }
  auto location = parse_s3_url(destination);
  if (!location) return location.error();
  if (location->key.empty() || location->key.back() == '/')
    return make_error(Errc::invalid_argument, "'" + quoted_input(destination) +
                                                  "' names no object: use s3://BUCKET/KEY.mp3");
  auto storage = open_s3("s3://" + location->bucket, options);
  if (!storage) return storage.error();
  auto pending = (*storage)->begin_put(location->key, content_type);
  if (!pending) return pending.error();
  out.state_->storage = std::move(*storage);
  out.state_->pending = std::move(*pending);
  out.key_ = location->key;
  out.bucket_ = location->bucket;
  out.is_s3_ = true;
  return out;
}

ByteSink& OutputObject::sink() {
  if (state_->file) return *state_->file;
  return *state_->pending;
}

Result<void> OutputObject::commit() {
  if (state_->file) return state_->file->commit();
  return state_->pending->commit();
}

Result<std::string> OutputObject::download_url() const {
  if (!is_s3_) return state_->file->destination();
  return state_->storage->download_url(key_, std::chrono::hours(24));
}

}  // namespace namix
