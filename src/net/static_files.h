// The web page: GET of any path outside the API serves a file from the web
// directory. Nothing outside that directory, and no hidden file, is served.
#pragma once

#include <string>

#include "net/http_types.h"

namespace namix {

// The media type for a file name's extension; application/octet-stream
// when it is not one the web page or a mix uses.
std::string content_type_for(const std::string& path);

// 404 for anything that is not a regular file under `web_dir` (an empty
// `web_dir`: no web page).
HttpResponse static_file_response(const HttpRequest& request, const std::string& web_dir);

}  // namespace namix
