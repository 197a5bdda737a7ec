// The health probes. GET /health is liveness, cheap enough for a load
// balancer to poll often. GET /mix/health checks each part a mix needs:
// decoder, encoder, storage, the data directory's free disk space, themes
// and the mixers. Both answer 503 while
// the server drains, so traffic moves elsewhere before it stops.
#pragma once

#include <chrono>

#include "net/http_types.h"
#include "net/mix_service.h"
#include "select/theme.h"
#include "store/storage.h"

namespace namix {

HttpResponse health_response(bool draining, std::chrono::steady_clock::time_point started);
HttpResponse mix_health_response(const MixService& service, Storage& storage,
                                 const ThemeCatalog& themes);

}  // namespace namix
