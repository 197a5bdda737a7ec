// Where mixes, their result JSON and job state live: a local directory
// (embedded default) or S3. Keys look like mixes/{episode}/{theme-slug}/{id}.mp3.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::int64_t last_modified_unix = 0;
};

// An object with the version a conditional write compares against: the
// ETag on S3, a digest of the bytes in a local directory.
struct VersionedObject {
  std::string bytes;
  std::string version;
};

// A write in progress; nothing is visible under the key until commit().
// Dropping it without commit() leaves nothing behind (no temp file, no
// orphaned multipart parts).
class PendingObject : public ByteSink {
 public:
  virtual Result<void> commit() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::string describe() const = 0;  // "local:/srv/namix-data" or "s3://bucket/prefix"
  virtual std::string bucket() const = 0;    // "local" for local storage

  virtual Result<std::unique_ptr<PendingObject>> begin_put(const std::string& key,
                                                           const std::string& content_type) = 0;
  virtual Result<void> put(const std::string& key, std::span<const std::uint8_t> bytes,
                           const std::string& content_type) = 0;
  virtual Result<std::string> get(const std::string& key) = 0;  // not_found when absent
  virtual Result<ObjectInfo> head(const std::string& key) = 0;  // not_found when absent
  // get() and the object's version; not_found when absent.
  virtual Result<VersionedObject> get_versioned(const std::string& key) = 0;
  // Compare-and-swap: writes only while the object is still at
  // `expected_version`, or, when that is empty, only while there is no
  // object at all. The new version, or nullopt when the condition failed
  // because another writer got there first. This is what keeps two
  // processes sharing a bucket or a directory from both winning a claim.
  virtual Result<std::optional<std::string>> put_if(const std::string& key,
                                                    std::span<const std::uint8_t> bytes,
                                                    const std::string& content_type,
                                                    const std::string& expected_version) = 0;
  virtual Result<std::vector<ObjectInfo>> list(const std::string& prefix) = 0;
  virtual Result<void> remove(const std::string& key) = 0;
  // A link a browser can GET: S3 presigned URL or a signed /files/{key} URL.
  virtual Result<std::string> download_url(const std::string& key,
                                           std::chrono::seconds expires_in) = 0;
  virtual Result<void> check_reachable() = 0;  // for /mix/health
};

}  // namespace namix
