// Mix orders, as POST /mix/professional and /mix/jobs read them and as a
// handed-off job's record is read back: a JSON body, a multipart/form-data
// body (the episode written to a temporary file), or a stored order. Input:
// a first line naming the form ("json", "stored", or the multipart
// Content-Type value), the body after it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "net/mix_order.h"
#include "select/theme.h"

namespace {

namespace fs = std::filesystem;

const namix::ThemeCatalog& shipped_themes() {
  static const namix::ThemeCatalog themes = [] {
    auto loaded = namix::ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    if (!loaded.ok()) std::abort();
    return std::move(*loaded);
  }();
  return themes;
}

const std::string& upload_dir() {
  // Never destroyed: the exit handler that removes it runs after static
  // objects are gone.
  static const std::string* const dir = [] {
    const fs::path path =
        fs::temp_directory_path() / ("namix-mix-order-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(*dir, ignored);
    });
    return new std::string(path.string());
  }();
  return *dir;
}

void check_error(const namix::Error& error, std::string_view sent) {
  // One line, quoting at most a bounded part of what was sent, no path
  // (unless the input itself carried it, and the message quotes it back).
  const bool one_line = error.message.find('\n') == std::string::npos;
  const bool bounded = error.message.size() < 2048;
  const bool no_path = sent.find(upload_dir()) != std::string_view::npos ||
                       error.message.find(upload_dir()) == std::string::npos;
  if (!one_line || !bounded || !no_path)
    std::fprintf(stderr, "message: %s\n", error.message.c_str());
  NAMIX_FUZZ_CHECK(one_line);
  NAMIX_FUZZ_CHECK(bounded);
  NAMIX_FUZZ_CHECK(no_path);
}

void check_order(const namix::MixOrder& order, const namix::OrderLimits& limits) {
  NAMIX_FUZZ_CHECK(order.theme != nullptr);
  NAMIX_FUZZ_CHECK(!order.target_s || (*order.target_s >= limits.min_target_s &&
                                       *order.target_s <= limits.max_target_s));
  NAMIX_FUZZ_CHECK(!order.target_lufs || (*order.target_lufs >= limits.min_target_lufs &&
                                          *order.target_lufs <= limits.max_target_lufs));
  NAMIX_FUZZ_CHECK(order.episode_url.empty() != (order.upload == nullptr));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view form = input.substr(0, newline);
  const namix::OrderLimits limits;
  if (form == "stored") {
    const nlohmann::json stored = nlohmann::json::parse(input.substr(newline + 1), nullptr, false);
    if (stored.is_discarded()) return 0;
    auto order = namix::MixOrder::from_json(stored, shipped_themes(), limits);
    if (!order.ok()) {
      check_error(order.error(), input);
      return 0;
    }
    // A stored order reads back to the same record.
    auto again = namix::MixOrder::from_json(order->to_json(), shipped_themes(), limits);
    NAMIX_FUZZ_CHECK(again.ok());
    NAMIX_FUZZ_CHECK(again->to_json() == order->to_json());
    return 0;
  }
  namix::HttpRequest request;
  request.method = "POST";
  request.headers["Content-Type"] = form == "json" ? "application/json" : std::string(form);
  request.body = std::string(input.substr(newline + 1));
  {
    auto order = namix::parse_mix_order(request, shipped_themes(), limits, upload_dir());
    if (order.ok()) {
      check_order(*order, limits);
    } else {
      check_error(order.error(), input);
    }
  }
  // Whatever happened, the upload's temporary file went with the order.
  NAMIX_FUZZ_CHECK(fs::is_empty(upload_dir()));
  return 0;
}
