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
  // S3: put the SPEC.md lifecycle rules on the bucket while opening
  // (`namix serve --apply-lifecycle`); normally done once with
  // `namix s3 lifecycle s3://BUCKET`.
  bool apply_lifecycle = false;
  // Local: download link base and signing key (see LocalStorageOptions).
  std::string public_base_url;
  std::string signing_key;
  // Where warnings go (temporary credentials, ...); nullptr = nowhere.
  std::ostream* warnings = nullptr;
};

Result<std::unique_ptr<Storage>> open_storage(const std::string& spec,
                                              const StorageOpenOptions& options = {});

// `namix mix ... --out s3://BUCKET/KEY`: a pending upload to one object.
// Nothing appears under the key until commit(); dropping it aborts.
Result<std::unique_ptr<PendingObject>> begin_put_to_s3_url(const std::string& url,
                                                           const std::string& content_type,
                                                           const StorageOpenOptions& options = {});

}  // namespace namix
