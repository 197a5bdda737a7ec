// Chooses the storage behind --storage: a local directory (the embedded
// default) or s3://BUCKET[/PREFIX] on AWS or any S3-compatible endpoint.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "store/storage.h"

namespace namix {

struct StorageOpenOptions {
  // S3: endpoint (--s3-endpoint; else NAMIX_S3_ENDPOINT; else AWS) and region
  // (else AWS_REGION); credentials always from the AWS_* variables.
  std::string s3_endpoint;
  std::string s3_region;
  // S3: put namix's lifecycle rules (spec_lifecycle_rules()) on the bucket while opening
  // (`namix serve --apply-lifecycle`); normally done once with
  // `namix s3 lifecycle s3://BUCKET`.
  bool apply_lifecycle = false;
  // Local: download link base and signing key (see LocalStorageOptions).
  std::string public_base_url;
  std::string signing_key;
  // Where warnings go (temporary credentials, ...); nullptr = nowhere.
  std::ostream* warnings = nullptr;
  // OutputObject: the option that named the destination, for messages.
  std::string option_name = "--out";
};

Result<std::unique_ptr<Storage>> open_storage(const std::string& spec,
                                              const StorageOpenOptions& options = {});

// `namix mix ... --out s3://BUCKET/KEY`: a pending upload to one object.
// Nothing appears under the key until commit(); dropping it aborts.
Result<std::unique_ptr<PendingObject>> begin_put_to_s3_url(const std::string& url,
                                                           const std::string& content_type,
                                                           const StorageOpenOptions& options = {});

// Where `namix mix --out` writes: a local OutputFile (a file renamed into
// place on commit; a FIFO, a character device or "-" for standard output
// written on commit) or s3://BUCKET/KEY (multipart upload from memory,
// aborted unless committed).
class OutputObject {
 public:
  static Result<OutputObject> open(const std::string& destination, const std::string& content_type,
                                   const StorageOpenOptions& options = {});
  OutputObject(OutputObject&&) noexcept;
  OutputObject& operator=(OutputObject&&) noexcept;
  ~OutputObject();

  ByteSink& sink();
  Result<void> commit();

  // For the result JSON's "download": after commit, an absolute path ("-"
  // for standard output) or a presigned URL valid 24 h; the key; "local" or
  // the bucket.
  Result<std::string> download_url() const;
  const std::string& key() const { return key_; }
  const std::string& bucket() const { return bucket_; }
  int expires_in_hours() const { return is_s3_ ? 24 : 0; }

 private:
  OutputObject() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::string key_;
  std::string bucket_;
  bool is_s3_ = false;
};

}  // namespace namix
