// ID3v2.4 tags for namix's MP3s: title/artist/album/date and CHAP/CTOC
// chapters, written by Mp3Encoder and read back by tests and the mix stage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/mp3_encoder.h"
#include "core/error.h"

namespace namix {

// A complete ID3v2.4 tag (header, frames, padding): TIT2/TPE1/TALB/TDRC
// text frames, one CHAP per chapter (element ids "chp0", "chp1", ..., each
// with a TIT2 sub-frame) and one top-level, ordered CTOC listing them.
std::vector<std::uint8_t> render_id3v2_tag(const Mp3Tags& tags);

// Reads those fields back; chapters come in CTOC order (CHAP order when
// there is no CTOC). A file without an ID3v2 tag gives empty tags.
Result<Mp3Tags> read_mp3_tags(const std::string& path);

}  // namespace namix
