#include "store/s3_storage.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace namix {
namespace {

// Part 1 stays in memory until commit(), because the MP3 encoder rewrites its
// info frame at the start of the file once the end is known (write_at);
// parts 2..N go out as soon as they fill, so memory stays at about two parts
// whatever the length of the mix.
class S3PendingObject final : public PendingObject {
 public:
  S3PendingObject(std::shared_ptr<S3Client> client, std::shared_ptr<S3AbortLedger> ledger,
                  std::string bucket, std::string key, std::string content_type,
                  std::size_t part_size)
      : client_(std::move(client)),
        ledger_(std::move(ledger)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        content_type_(std::move(content_type)),
        part_size_(part_size) {}

  ~S3PendingObject() override {
    if (!committed_) abort_upload();
  }

  Result<void> write(std::span<const std::uint8_t> bytes) override {
    if (failure_) return *failure_;
    if (committed_)
      return make_error(Errc::internal, "write after commit to s3://" + bucket_ + "/" + key_);
    while (!bytes.empty()) {
      std::vector<std::uint8_t>& target = first_part_.size() < part_size_ ? first_part_ : tail_;
      const std::size_t room =
          &target == &first_part_ ? part_size_ - first_part_.size() : bytes.size();
      const std::size_t n = std::min(room, bytes.size());
      target.insert(target.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      bytes = bytes.subspan(n);
      size_ += n;
      if (tail_.size() >= part_size_) {
        if (auto sent = send_tail(); !sent) return fail(sent.error());
      }
    }
    return {};
  }

  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    if (failure_) return *failure_;
    assert(offset + bytes.size() <= size_);
    const std::uint64_t tail_start = size_ - tail_.size();
    for (std::size_t i = 0; i < bytes.size();) {
      const std::uint64_t at = offset + i;
      if (at < first_part_.size()) {
        const std::size_t n = std::min<std::size_t>(
            bytes.size() - i, static_cast<std::size_t>(first_part_.size() - at));
        std::memcpy(first_part_.data() + at, bytes.data() + i, n);
        i += n;
      } else if (at >= tail_start) {
        const std::size_t n = bytes.size() - i;
        std::memcpy(tail_.data() + (at - tail_start), bytes.data() + i, n);
        i += n;
      } else {
        return make_error(Errc::internal, "write_at offset " + std::to_string(at) +
                                              " falls in a part already uploaded to s3://" +
                                              bucket_ + "/" + key_);
      }
    }
    return {};
  }

  std::uint64_t size() const override { return size_; }

  Result<void> commit() override {
    if (failure_) return *failure_;
    if (committed_) return {};
    if (tail_.empty() && upload_id_.empty()) {
      // Fits in one part: one PutObject, nothing to clean up on failure.
      auto put = client_->put_object(bucket_, key_, first_part_, content_type_);
      if (!put) return fail(put.error());
      committed_ = true;
      release_buffers();
      return {};
    }
    if (!tail_.empty()) {
      if (auto sent = send_tail(); !sent) return fail(sent.error());
    }
    auto first = client_->upload_part(bucket_, key_, upload_id_, 1, first_part_);
    if (!first) return fail(first.error());
    parts_.push_back({1, *first});
    std::sort(parts_.begin(), parts_.end(), [](const S3UploadedPart& a, const S3UploadedPart& b) {
      return a.part_number < b.part_number;
    });
    auto done = client_->complete_multipart_upload(bucket_, key_, upload_id_, parts_);
    if (!done) return fail(done.error());
    committed_ = true;
    release_buffers();
    return {};
  }

 private:
  Result<void> send_tail() {
    if (upload_id_.empty()) {
      auto created = client_->create_multipart_upload(bucket_, key_, content_type_);
      if (!created) return created.error();
      upload_id_ = *created;
    }
    auto etag = client_->upload_part(bucket_, key_, upload_id_, next_part_number_, tail_);
    if (!etag) return etag.error();
    parts_.push_back({next_part_number_, *etag});
    ++next_part_number_;
    tail_.clear();
    return {};
  }

  // Any failure ends the upload: abort at once so no parts linger, and make
  // every later call report the same error.
  Error fail(Error error) {
    abort_upload();
    release_buffers();
    failure_ = error;
    return error;
  }

  void abort_upload() {
    if (upload_id_.empty()) return;
    if (!client_->abort_multipart_upload(bucket_, key_, upload_id_)) {
      std::lock_guard lock(ledger_->mutex);
      ledger_->uploads.push_back({key_, upload_id_});
    }
    upload_id_.clear();
  }

  void release_buffers() {
    std::vector<std::uint8_t>().swap(first_part_);
    std::vector<std::uint8_t>().swap(tail_);
  }

  std::shared_ptr<S3Client> client_;
  std::shared_ptr<S3AbortLedger> ledger_;
  std::string bucket_;
  std::string key_;
  std::string content_type_;
  std::size_t part_size_;
  std::vector<std::uint8_t> first_part_;
  std::vector<std::uint8_t> tail_;
  std::uint64_t size_ = 0;
  std::string upload_id_;
  std::vector<S3UploadedPart> parts_;
  int next_part_number_ = 2;
  bool committed_ = false;
  std::optional<Error> failure_;
};

}  // namespace

std::vector<S3LifecycleRule> spec_lifecycle_rules() {
  return {
      {"temp-expires-after-7-days", "temp/", true, 7, 0, "", 0},
      {"jobs-expire-after-7-days", "jobs/", true, 7, 0, "", 0},
      {"mixes-to-glacier-after-90-days", "mixes/", true, 0, 90, "GLACIER", 0},
      {"abort-incomplete-uploads-after-1-day", "", true, 0, 0, "", 1},
  };
}

S3Storage::S3Storage(std::shared_ptr<S3Client> client, S3Location root, S3StorageOptions options)
    : client_(std::move(client)),
      bucket_(std::move(root.bucket)),
      prefix_(std::move(root.key)),
      options_(options),
      ledger_(std::make_shared<S3AbortLedger>()) {
  assert(options_.part_size_bytes >= kMinPartSizeBytes);
  if (!prefix_.empty() && prefix_.back() != '/') prefix_.push_back('/');
}

std::string S3Storage::describe() const {
  std::string prefix = prefix_;
  if (!prefix.empty()) prefix.pop_back();
  return "s3://" + bucket_ + (prefix.empty() ? "" : "/" + prefix);
}

void S3Storage::retry_failed_aborts() {
  std::vector<S3MultipartUpload> uploads;
  {
    std::lock_guard lock(ledger_->mutex);
    uploads.swap(ledger_->uploads);
  }
  std::vector<S3MultipartUpload> still_failing;
  for (const auto& upload : uploads) {
    auto aborted = client_->abort_multipart_upload(bucket_, upload.key, upload.upload_id);
    if (!aborted && aborted.error().code != Errc::not_found) still_failing.push_back(upload);
  }
  if (still_failing.empty()) return;
  std::lock_guard lock(ledger_->mutex);
  ledger_->uploads.insert(ledger_->uploads.end(), still_failing.begin(), still_failing.end());
}

std::size_t S3Storage::uploads_awaiting_abort() const {
  std::lock_guard lock(ledger_->mutex);
  return ledger_->uploads.size();
}

Result<std::unique_ptr<PendingObject>> S3Storage::begin_put(const std::string& key,
                                                            const std::string& content_type) {
  retry_failed_aborts();
  return std::unique_ptr<PendingObject>(std::make_unique<S3PendingObject>(
      client_, ledger_, bucket_, full_key(key), content_type, options_.part_size_bytes));
}

Result<void> S3Storage::put(const std::string& key, std::span<const std::uint8_t> bytes,
                            const std::string& content_type) {
  auto pending = begin_put(key, content_type);
  if (!pending) return pending.error();
  NAMIX_TRY((*pending)->write(bytes));
  return (*pending)->commit();
}

Result<std::string> S3Storage::get(const std::string& key) {
  retry_failed_aborts();
  return client_->get_object(bucket_, full_key(key));
}

Result<VersionedObject> S3Storage::get_versioned(const std::string& key) {
  retry_failed_aborts();
  auto object = client_->get_object_with_etag(bucket_, full_key(key));
  if (!object) return object.error();
  return VersionedObject{std::move(object->body), std::move(object->etag)};
}

Result<std::optional<std::string>> S3Storage::put_if(const std::string& key,
                                                     std::span<const std::uint8_t> bytes,
                                                     const std::string& content_type,
                                                     const std::string& expected_version) {
  S3PutCondition condition;
  condition.if_match = expected_version;
  condition.if_none_match_any = expected_version.empty();
  return client_->put_object_if(bucket_, full_key(key), bytes, content_type, condition);
}

Result<ObjectInfo> S3Storage::head(const std::string& key) {
  auto head = client_->head_object(bucket_, full_key(key));
  if (!head) return head.error();
  return ObjectInfo{key, head->size, head->last_modified_unix};
}

Result<std::vector<ObjectInfo>> S3Storage::list(const std::string& prefix) {
  retry_failed_aborts();
  auto objects = client_->list_objects(bucket_, full_key(prefix));
  if (!objects) return objects.error();
  std::vector<ObjectInfo> out;
  out.reserve(objects->size());
  for (auto& object : *objects)
    out.push_back({object.key.substr(prefix_.size()), object.size, object.last_modified_unix});
  return out;
}

Result<void> S3Storage::remove(const std::string& key) {
  return client_->delete_object(bucket_, full_key(key));
}

Result<std::string> S3Storage::download_url(const std::string& key,
                                            std::chrono::seconds expires_in) {
  // SigV4 caps presigned URLs at 7 days.
  if (expires_in.count() < 1 || expires_in > std::chrono::hours(24 * 7))
    return make_error(Errc::invalid_argument,
                      "a presigned URL lasts 1 s to 7 days (604800 s); got " +
                          std::to_string(expires_in.count()) + " s");
  return client_->presign_get(bucket_, full_key(key), expires_in, std::chrono::system_clock::now());
}

Result<void> S3Storage::check_reachable() {
  retry_failed_aborts();
  return client_->head_bucket(bucket_);
}

}  // namespace namix
