// A mix's result JSON (status, mix_metadata, download, analysis, segments,
// processing_chain, timings_ms), the contract of the CLI (--json), the HTTP
// API and Lambda alike: clients read these keys.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mix/pipeline.h"

namespace namix {

struct DownloadInfo {
  std::string url;     // file path (CLI), signed /files link, or S3 presigned URL
  std::string s3_key;  // the storage key
  std::string bucket;  // S3 bucket, or "local"
  double expires_in_hours = 24.0;
};

nlohmann::json result_json(const MixReport& report, const DownloadInfo& download,
                           const std::string& session_id);

}  // namespace namix
