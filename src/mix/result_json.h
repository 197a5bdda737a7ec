// A mix's result JSON (status, mix_metadata, download, analysis, segments,
// processing_chain, timings_ms; with a transcript "transcript" and each
// segment's text, and "downloads" for the files beside the MP3), the contract of the CLI (--json),
// the HTTP API and Lambda alike: clients read these keys.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mix/pipeline.h"

namespace namix {

// A file stored or written beside the MP3: the mix's transcript or chapters.
struct CompanionLink {
  std::string name;  // its key under "downloads": transcript_vtt, transcript_srt, ...
  std::string url;
  std::string s3_key;
  std::string content_type;
};

struct DownloadInfo {
  std::string url;     // file path (CLI), signed /files link, or S3 presigned URL
  std::string s3_key;  // the storage key
  std::string bucket;  // S3 bucket, or "local"
  double expires_in_hours = 24.0;
  std::vector<CompanionLink> companions;  // "downloads" in the result
};

nlohmann::json result_json(const MixReport& report, const DownloadInfo& download,
                           const std::string& session_id);

}  // namespace namix
