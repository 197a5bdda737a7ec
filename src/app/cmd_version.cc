// `namix version`: the namix version and the version of every library it is
// built with, so a bug report says exactly what produced a mix.
#include <curl/curl.h>
#include <ebur128.h>
#include <expat.h>
#include <fftw3.h>
#include <httplib.h>
#include <lame/lame.h>
#include <openssl/crypto.h>
#include <sndfile.h>
#include <soxr.h>
#include <taglib/taglib.h>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "app/command.h"
#include "core/version.h"

namespace namix {
namespace {

std::string without_prefix(std::string_view text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) == prefix) text.remove_prefix(prefix.size());
  return std::string(text);
}

std::string dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

struct LibraryVersion {
  const char* name;
  std::string version;
  // The library has no call that reports the version running: this is the
  // version of the headers namix was compiled with.
  bool build_time = false;
};

std::vector<LibraryVersion> library_versions() {
  int ebur_major = 0, ebur_minor = 0, ebur_patch = 0;
  ebur128_get_version(&ebur_major, &ebur_minor, &ebur_patch);
  // fftwf_version reads "fftw-3.3.10-sse2-avx": the number, then the build's SIMD.
  const std::string fftw = without_prefix(fftwf_version, "fftw-");
  return {
      // libmpg123 before 1.32 has no version call; CMake passes pkg-config's.
      {"libmpg123", NAMIX_MPG123_BUILD_VERSION, true},
      {"LAME", get_lame_version()},
      {"libsndfile", without_prefix(sf_version_string(), "libsndfile-")},
      {"libsoxr", without_prefix(soxr_version(), "libsoxr-")},
      {"libebur128", dotted(ebur_major, ebur_minor, ebur_patch)},
      {"TagLib", dotted(TAGLIB_MAJOR_VERSION, TAGLIB_MINOR_VERSION, TAGLIB_PATCH_VERSION), true},
      {"FFTW", fftw.substr(0, fftw.find('-'))},
      {"libcurl", curl_version_info(CURLVERSION_NOW)->version},
      {"expat", without_prefix(XML_ExpatVersion(), "expat_")},
      {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
      {"cpp-httplib", CPPHTTPLIB_VERSION, true},
      {"nlohmann_json",
       dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
              NLOHMANN_JSON_VERSION_PATCH),
       true},
      {"toml++", dotted(TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH), true},
      {"CLI11", CLI11_VERSION, true},
  };
}

std::function<int()> add_version(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("version", "Print the namix version and the versions of its libraries");
  return [cmd]() -> int {
    if (!cmd->parsed()) return -1;
    std::cout << "namix " << kNamixVersion << "\n";
    for (const auto& library : library_versions()) {
      std::cout << "  " << library.name << " " << library.version
                << (library.build_time ? " (built with)" : "") << "\n";
    }
    return kExitOk;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(version, add_version);
}  // namespace namix
