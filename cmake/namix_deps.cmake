# All dependencies are Debian -dev packages (see `make deps`); nothing is
# vendored or downloaded at build time.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(MPG123 REQUIRED IMPORTED_TARGET libmpg123)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(EBUR128 REQUIRED IMPORTED_TARGET libebur128)
pkg_check_modules(TAGLIB REQUIRED IMPORTED_TARGET taglib)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)
# expat reads XML (feeds, S3 responses); see core/xml_document.h for why.
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
# LAME ships no pkg-config file or CMake config.
find_library(MP3LAME_LIBRARY NAMES mp3lame REQUIRED)
find_path(MP3LAME_INCLUDE_DIR lame/lame.h REQUIRED)
add_library(namix_lame INTERFACE)
target_link_libraries(namix_lame INTERFACE ${MP3LAME_LIBRARY})
target_include_directories(namix_lame SYSTEM INTERFACE ${MP3LAME_INCLUDE_DIR})
# Snowball stemmers (libstemmer-dev) ship no pkg-config file or CMake config:
# selection compares words by their stems.
find_library(STEMMER_LIBRARY NAMES stemmer REQUIRED)
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
add_library(namix_stemmer INTERFACE)
target_link_libraries(namix_stemmer INTERFACE ${STEMMER_LIBRARY})
target_include_directories(namix_stemmer SYSTEM INTERFACE ${STEMMER_INCLUDE_DIR})
