// The read-only routes behind the router's method, key and CORS checks:
// GET /mix/themes, /metrics, /mix/history, /mix/history/{episode}/{theme}/{id},
// /mix/jobs/{id}, /files/{key} and /feed.
#pragma once

#include <chrono>
#include <string>

#include "net/fetch.h"
#include "net/http_types.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "select/theme.h"
#include "store/local_storage.h"
#include "store/storage.h"

namespace namix {

HttpResponse themes_response(const ThemeCatalog& themes);
// Prometheus text, or CloudWatch EMF JSON with ?format=emf.
HttpResponse metrics_response(const HttpRequest& request, const Metrics& metrics);
// The stored mixes, newest first, with fresh download links; ?episode=N
// narrows to one episode, ?limit=N (1..1000, default 50) caps the count.
HttpResponse history_response(const HttpRequest& request, Storage& storage,
                              std::chrono::seconds link_ttl);
// One stored mix's result JSON, as history lists it, by EPISODE/THEME/ID
// (its mix_key without "mixes/" and ".mp3"): the address a shared page
// reopens. 404 for anything else.
HttpResponse stored_result_response(const std::string& mix_path, Storage& storage,
                                    std::chrono::seconds link_ttl);
// A podcast feed's latest items (feed_listing_json()) for ?url=…, fetched
// under `fetch` (address policy, size and time limits); ?limit=N (1..50,
// default 10). A feed that is not RSS is a 502, as a failed fetch is.
HttpResponse feed_response(const HttpRequest& request, const FetchOptions& fetch);
HttpResponse job_status_response(const std::string& job_id, MixService& service);
// A mix in local storage, through a link signed by LocalStorage (the local
// twin of an S3 presigned URL): 403 for a wrong signature or an expired link.
// `local_files` is null when the storage is not local.
HttpResponse signed_file_response(const HttpRequest& request, const std::string& key,
                                  Storage& storage, const LocalStorage* local_files);

}  // namespace namix
