// Storage on S3 (or any S3-compatible endpoint): keys live under
// s3://BUCKET/PREFIX, writes are multipart uploads straight from memory, and
// download links are presigned GET URLs.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/s3_client.h"
#include "store/s3_url.h"
#include "store/storage.h"

namespace namix {

struct S3StorageOptions {
  // S3 needs every part but the last to be >= 5 MiB; 8 MiB keeps a 12 MiB
  // mix at two parts and memory per upload at two parts.
  std::size_t part_size_bytes = 8 * 1024 * 1024;
};

// The bucket's lifecycle: temp/ (uploaded episodes, inputs of a job)
// expires after 7 days; mixes/ moves to the cheaper GLACIER class after 90
// days; incomplete multipart uploads are aborted after 1 day, the backstop
// against orphan parts when a process dies mid-upload.
std::vector<S3LifecycleRule> spec_lifecycle_rules();

// Uploads whose abort could not reach the server (it was down). They are
// aborted again before the next operation on the storage; the lifecycle rule
// "abort-incomplete-uploads" (`namix s3 lifecycle`) is the backstop for a
// process that exits before the server is back.
struct S3AbortLedger {
  std::mutex mutex;
  std::vector<S3MultipartUpload> uploads;
};

class S3Storage final : public Storage {
 public:
  static constexpr std::size_t kMinPartSizeBytes = 5 * 1024 * 1024;

  S3Storage(std::shared_ptr<S3Client> client, S3Location root, S3StorageOptions options = {});

  std::string describe() const override;
  std::string bucket() const override { return bucket_; }

  Result<std::unique_ptr<PendingObject>> begin_put(const std::string& key,
                                                   const std::string& content_type) override;
  Result<void> put(const std::string& key, std::span<const std::uint8_t> bytes,
                   const std::string& content_type) override;
  Result<std::string> get(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<VersionedObject> get_versioned(const std::string& key) override;
  Result<std::optional<std::string>> put_if(const std::string& key,
                                            std::span<const std::uint8_t> bytes,
                                            const std::string& content_type,
                                            const std::string& expected_version) override;
  Result<std::vector<ObjectInfo>> list(const std::string& prefix) override;
  Result<void> remove(const std::string& key) override;
  Result<std::string> download_url(const std::string& key,
                                   std::chrono::seconds expires_in) override;
  Result<void> check_reachable() override;

  std::size_t uploads_awaiting_abort() const;
  S3Client& client() { return *client_; }

 private:
  std::string full_key(const std::string& key) const { return prefix_ + key; }
  void retry_failed_aborts();

  std::shared_ptr<S3Client> client_;
  std::string bucket_;
  std::string prefix_;  // "" or ending in '/'
  S3StorageOptions options_;
  std::shared_ptr<S3AbortLedger> ledger_;
};

}  // namespace namix
