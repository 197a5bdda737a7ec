#include "codec/mp3_decoder.h"

#include <mpg123.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/mpeg_frame.h"

namespace namix {
namespace {

// Garbage shorter than this inside a stream is skipped (resync); a longer run
// stops decoding, and the length check at open() then reports the damage.
constexpr long kResyncLimitBytes = 64 * 1024;
constexpr std::size_t kReadBufferBytes = 256 * 1024;
// Layer III frames may borrow up to 511 bytes of main data from earlier
// frames (the bit reservoir); at 32 kbit/s that is five frames back, and the
// IMDCT overlap needs one more. Decoding this many frames ahead after a seek
// restores all decoder state; a multiple of kSynthPhaseFrames (see seek()).
constexpr long kSeekPrerollFrames = 16;
// See Mp3Decoder::seek(). The synthesis ring buffer has 16 slots and each
// frame advances it by a whole number of slots, so its phase repeats every
// 16 frames at most.
constexpr std::int64_t kSynthPhaseFrames = 16;
constexpr std::int64_t kSeekSettleFrames = 1;
// Decoded output in a foreign format (see read()) tolerated before a stream
// counts as a concatenation of different streams: about 2 s of 48 kHz stereo.
constexpr std::size_t kMaxForeignBytes = 2 * 48000 * 2 * sizeof(float);
// How much shorter than promised a stream may be before it counts as
// truncated: encoders' frame counts and size estimates are a little loose.
constexpr double kTruncationSlackS = 2.0;
constexpr double kTruncationSlackFraction = 0.05;
// Below this share of the bytes after the ID3v2 tag in valid frames, a file
// is junk with some MP3 in it rather than an MP3 with some junk.
constexpr double kMinFrameFraction = 0.5;

std::string mpg123_message(mpg123_handle* mh, int code) {
  return mh != nullptr && code == MPG123_ERR ? mpg123_strerror(mh) : mpg123_plain_strerror(code);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

// Byte-level facts read directly from the file (libmpg123 keeps them private).
struct Mp3Layout {
  std::uint64_t file_bytes = 0;
  std::uint64_t first_frame_offset = 0;
  std::uint64_t audio_bytes = 0;  // first frame to the end, less an ID3v1 tag
  std::optional<MpegFrameHeader> first_frame;
  std::optional<std::int64_t> info_frames;  // from a Xing/Info/VBRI header
  std::uint64_t frame_bytes = 0;  // bytes in chains of consistent frames (the rest is junk)
};

// Sequential access to a file through a window, for walking frame headers
// without holding (or mapping) the whole file. The window is 1 MiB, or
// less for a smaller file (no less than the 64 KiB one at() may ask for),
// and left uninitialised: fread() fills what is read.
class FileWindow {
 public:
  FileWindow(std::FILE* f, std::uint64_t file_bytes)
      : f_(f),
        size_(static_cast<std::size_t>(std::clamp<std::uint64_t>(file_bytes, 64 << 10, 1 << 20))),
        buf_(new std::uint8_t[size_]) {}
  // Pointer to bytes [pos, pos + n) or nullptr past the end; n <= 64 KiB.
  const std::uint8_t* at(std::uint64_t pos, std::size_t n) {
    if (pos < start_ || pos + n > start_ + len_) {
      if (::fseeko(f_, static_cast<off_t>(pos), SEEK_SET) != 0) return nullptr;
      start_ = pos;
      len_ = std::fread(buf_.get(), 1, size_, f_);
      if (pos + n > start_ + len_) return nullptr;
    }
    return buf_.get() + (pos - start_);
  }

 private:
  std::FILE* f_;
  std::size_t size_;
  std::unique_ptr<std::uint8_t[]> buf_;
  std::uint64_t start_ = 0;
  std::size_t len_ = 0;
};

// Follows the chain of frames from `first`, each at the previous one's
// length; over junk it moves byte by byte to the next pair of consistent
// headers. Returns the bytes that lie inside frames.
std::uint64_t bytes_in_frames(FileWindow& window, std::uint64_t first, std::uint64_t end,
                              const MpegFrameHeader& stream) {
  std::uint64_t covered = 0;
  std::uint64_t pos = first;
  bool in_chain = true;
  while (pos + 4 <= end) {
    const std::uint8_t* p = window.at(pos, 4);
    if (p == nullptr) break;
    const auto h = parse_mpeg_frame_header(p);
    if (h && h->same_stream(stream)) {
      const std::uint64_t next = pos + static_cast<std::uint64_t>(h->frame_bytes);
      bool accept = in_chain || next >= end;
      if (!accept) {  // resyncing: a lone header in junk is likely chance
        const std::uint8_t* q = window.at(next, 4);
        const auto h2 = q != nullptr ? parse_mpeg_frame_header(q) : std::nullopt;
        accept = h2 && h2->same_stream(stream);
      }
      if (accept) {
        covered += std::min(next, end) - pos;
        pos = next;
        in_chain = true;
        continue;
      }
    }
    in_chain = false;
    ++pos;
  }
  return covered;
}

// Where the audio starts: behind an ID3v2 tag, the first run of three
// consistent frames (else a lone frame) in the next kAudioStartWindowBytes.
constexpr std::size_t kAudioStartWindowBytes = 64 * 1024;
struct AudioStart {
  std::uint64_t tag_end = 0;
  std::vector<std::uint8_t> window;        // the bytes from tag_end on
  std::optional<std::size_t> first_frame;  // in window
};

std::optional<std::size_t> first_frame_in(std::span<const std::uint8_t> audio) {
  auto start = find_mpeg_frames(audio, 0, 3);
  if (!start) start = find_mpeg_frames(audio, 0, 1);
  return start;
}

AudioStart find_audio_start(std::FILE* f) {
  AudioStart start;
  start.window.resize(kAudioStartWindowBytes);
  start.window.resize(std::fread(start.window.data(), 1, start.window.size(), f));
  start.tag_end = id3v2_tag_size(start.window);
  if (start.tag_end > 0) {
    start.window.resize(kAudioStartWindowBytes);
    start.window.resize(::fseeko(f, static_cast<off_t>(start.tag_end), SEEK_SET) == 0
                            ? std::fread(start.window.data(), 1, start.window.size(), f)
                            : 0);
  }
  start.first_frame = first_frame_in(start.window);
  return start;
}

// The sample rate of the file's first frame, if it has one.
std::optional<long> first_frame_rate(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  const AudioStart start = find_audio_start(f);
  std::fclose(f);
  if (!start.first_frame) return std::nullopt;
  return parse_mpeg_frame_header(&start.window[*start.first_frame])->sample_rate;
}

// libmpg123 synthesises only at its standard rates; asked to reduce to
// another, it fails, and prints an error line on stderr that MPG123_QUIET
// does not silence (libmpg123 1.31's last-resort format message). So the
// reduction is chosen from the stream's own rate before a handle is made:
// the largest up to `requested` that lands on a standard rate.
long down_sample_for(long source_rate, long requested) {
  const long* rates = nullptr;
  std::size_t count = 0;
  mpg123_rates(&rates, &count);
  for (long down_sample = requested; down_sample > 0; --down_sample) {
    if (std::find(rates, rates + count, source_rate >> down_sample) != rates + count) {
      return down_sample;
    }
  }
  return 0;
}

Mp3Layout read_layout(const std::string& path) {
  Mp3Layout layout;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return layout;
  struct stat st {};
  if (::fstat(fileno(f), &st) == 0) layout.file_bytes = static_cast<std::uint64_t>(st.st_size);
  const AudioStart start = find_audio_start(f);
  if (start.first_frame) {
    const std::size_t at = *start.first_frame;
    layout.first_frame_offset = start.tag_end + at;
    layout.first_frame = parse_mpeg_frame_header(&start.window[at]);
    layout.info_frames = info_frame_count(std::span(start.window).subspan(at));
  }
  std::uint64_t end = layout.file_bytes;
  std::uint8_t tail[3] = {};
  if (end >= 128 && std::fseek(f, static_cast<long>(end - 128), SEEK_SET) == 0 &&
      std::fread(tail, 1, 3, f) == 3 && tail[0] == 'T' && tail[1] == 'A' && tail[2] == 'G') {
    end -= 128;
  }
  layout.audio_bytes = end > layout.first_frame_offset ? end - layout.first_frame_offset : 0;
  if (layout.first_frame) {
    FileWindow window(f, layout.file_bytes);
    layout.frame_bytes =
        bytes_in_frames(window, layout.first_frame_offset, end, *layout.first_frame);
  }
  std::fclose(f);
  return layout;
}

std::once_flag g_mpg123_init;

mpg123_ssize_t read_file(void* file, void* buffer, std::size_t bytes) {
  auto* f = static_cast<std::FILE*>(file);
  const std::size_t got = std::fread(buffer, 1, bytes, f);
  if (got == 0 && std::ferror(f)) return -1;
  return static_cast<mpg123_ssize_t>(got);
}

off_t seek_file(void* file, off_t offset, int whence) {
  auto* f = static_cast<std::FILE*>(file);
  if (::fseeko(f, offset, whence) != 0) return -1;
  return ::ftello(f);
}

void close_file(void* file) { std::fclose(static_cast<std::FILE*>(file)); }

// A new handle set up for float output at the requested reduction, not yet
// given any input.
Result<mpg123_handle*> new_handle(const DecodeOptions& options, long down_sample) {
  std::call_once(g_mpg123_init, [] { mpg123_init(); });
  int err = MPG123_OK;
  mpg123_handle* mh = mpg123_new(nullptr, &err);
  if (mh == nullptr) {
    return make_error(Errc::internal, "libmpg123 could not start: " + mpg123_message(nullptr, err));
  }
  long flags = MPG123_GAPLESS | MPG123_FORCE_FLOAT | MPG123_QUIET | MPG123_SKIP_ID3V2;
  if (options.force_mono) flags |= MPG123_MONO_MIX;
  if (mpg123_param(mh, MPG123_ADD_FLAGS, flags, 0.0) != MPG123_OK ||
      mpg123_param(mh, MPG123_DOWN_SAMPLE, down_sample, 0.0) != MPG123_OK ||
      mpg123_param(mh, MPG123_RESYNC_LIMIT, kResyncLimitBytes, 0.0) != MPG123_OK ||
      mpg123_param(mh, MPG123_PREFRAMES, kSeekPrerollFrames, 0.0) != MPG123_OK ||
      mpg123_format_all(mh) != MPG123_OK) {
    Error error = make_error(
        Errc::internal, std::string("libmpg123 rejected our settings: ") + mpg123_strerror(mh));
    mpg123_delete(mh);
    return error;
  }
  return mh;
}

// A new handle for `path`, set up for float output at the requested reduction.
Result<mpg123_handle*> open_handle(const std::string& path, const DecodeOptions& options,
                                   long down_sample) {
  auto handle = new_handle(options, down_sample);
  if (!handle) return handle.error();
  mpg123_handle* mh = *handle;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    mpg123_delete(mh);
    return make_error(Errc::unreadable, path + " cannot be opened (" + std::strerror(errno) +
                                            "); check its permissions");
  }
  // libmpg123's own reader issues a read() per frame header and body; stdio
  // with a large buffer cuts the system calls (15 % of decode time) to a few.
  std::setvbuf(file, nullptr, _IOFBF, kReadBufferBytes);
  if (mpg123_replace_reader_handle(mh, read_file, seek_file, close_file) != MPG123_OK) {
    std::fclose(file);
    mpg123_delete(mh);
    return make_error(Errc::internal, "libmpg123 refused our reader");
  }
  if (mpg123_open_handle(mh, file) != MPG123_OK) {
    Error error = make_error(Errc::undecodable, path + " cannot be decoded as MP3 (" +
                                                    mpg123_strerror(mh) + "); re-download it");
    mpg123_delete(mh);  // closes `file` through close_file()
    return error;
  }
  return mh;
}

// A ByteSource read by libmpg123, which sees a stream it cannot seek: it
// decodes linearly and takes the length from the Xing/Info frame, if any.
struct SourceReader {
  std::unique_ptr<ByteSource> source;
  std::optional<Error> error;  // the source's own error, kept for the message
};

mpg123_ssize_t read_source(void* handle, void* buffer, std::size_t bytes) {
  auto* r = static_cast<SourceReader*>(handle);
  auto got = r->source->read({static_cast<std::uint8_t*>(buffer), bytes});
  if (!got) {
    r->error = got.error();
    return -1;
  }
  return static_cast<mpg123_ssize_t>(*got);
}

// A stream whose first bytes are read ahead, to learn its sample rate before
// libmpg123 is asked for a reduced rate, and are then read again as they were.
class LookaheadSource final : public ByteSource {
 public:
  explicit LookaheadSource(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}

  // The first frame's rate: from kAudioStartWindowBytes read ahead, behind
  // an ID3v2 tag of up to kMaxTagBytes.
  std::optional<long> first_frame_rate() {
    read_ahead(kAudioStartWindowBytes);
    const std::size_t tag = id3v2_tag_size(head_);
    if (tag > kMaxTagBytes) return std::nullopt;
    read_ahead(tag + kAudioStartWindowBytes);
    if (tag >= head_.size()) return std::nullopt;
    const std::span<const std::uint8_t> audio = std::span(head_).subspan(tag);
    const auto first = first_frame_in(audio);
    if (!first) return std::nullopt;
    return parse_mpeg_frame_header(&audio[*first])->sample_rate;
  }

  Result<std::size_t> read(std::span<std::uint8_t> out) override {
    if (replayed_ < head_.size()) {
      const std::size_t n = std::min(out.size(), head_.size() - replayed_);
      std::memcpy(out.data(), head_.data() + replayed_, n);
      replayed_ += n;
      return n;
    }
    if (error_) return *error_;
    if (ended_) return std::size_t{0};
    return source_->read(out);
  }

 private:
  // Album art makes tags of a few hundred KiB; a larger one is not waited for.
  static constexpr std::size_t kMaxTagBytes = 4 << 20;

  void read_ahead(std::size_t bytes) {
    while (head_.size() < bytes && !ended_ && !error_) {
      const std::size_t had = head_.size();
      head_.resize(bytes);
      auto got = source_->read(std::span(head_).subspan(had));
      head_.resize(had + (got.ok() ? *got : 0));
      if (!got.ok()) error_ = got.error();
      if (got.ok() && *got == 0) ended_ = true;
    }
  }

  std::unique_ptr<ByteSource> source_;
  std::vector<std::uint8_t> head_;
  std::size_t replayed_ = 0;
  std::optional<Error> error_;  // the source's, given to read() after the head
  bool ended_ = false;
};

off_t no_seek(void*, off_t, int) { return -1; }
void keep_source(void*) {}  // SourceReader is owned by the decoder

// What a scan of a file found: enough to open more decoders of it without
// scanning again (siblings, and reopens through the scan cache).
struct Scan {
  StreamInfo info;
  std::int64_t samples_per_frame = 1152;  // of the decoded stream
  std::vector<off_t> index;               // byte offsets of every index_step-th frame
  off_t index_step = 1;
};

Result<std::unique_ptr<AudioDecoder>> open_scanned(const std::string& path,
                                                   const DecodeOptions& options, long down_sample,
                                                   const Scan& scan);

class Mp3Decoder final : public AudioDecoder {
 public:
  explicit Mp3Decoder(mpg123_handle* mh) : mh_(mh) {}
  ~Mp3Decoder() override {
    mpg123_close(mh_);
    mpg123_delete(mh_);
  }
  Mp3Decoder(const Mp3Decoder&) = delete;
  Mp3Decoder& operator=(const Mp3Decoder&) = delete;

  const StreamInfo& info() const override { return scan_.info; }

  // A second decoder of the same file that reuses this one's scan.
  Result<std::unique_ptr<AudioDecoder>> sibling() const {
    return open_scanned(path_, options_, down_sample_, scan_);
  }

  Result<void> seek(std::int64_t frame) override {
    assert(frame >= 0);
    if (stream_) {
      return make_error(Errc::internal, path_ + " is read as a stream and cannot seek");
    }
    frame = std::min(frame, scan_.info.num_frames);
    // libmpg123's synthesis filterbank writes a ring buffer whose phase
    // advances with every decoded frame and is not reset by mpg123_seek();
    // a different phase rounds differently (1 ulp, but not bit-identical). So
    // a seek starts a fresh handle (phase 0, like a linear decode from the
    // start) and lands on a frame whose preroll begins at a multiple of the
    // phase period, then decodes forward to `frame`.
    NAMIX_TRY(restart());
    std::int64_t land = frame / scan_.samples_per_frame - kSeekSettleFrames - kSeekPrerollFrames;
    land = std::max<std::int64_t>(0, land) / kSynthPhaseFrames * kSynthPhaseFrames;
    if (land > 0) {
      const off_t r =
          mpg123_seek_frame(mh_, static_cast<off_t>(land + kSeekPrerollFrames), SEEK_SET);
      if (r < 0) {
        if (mpg123_errcode(mh_) == MPG123_BAD_OUTFORMAT) return format_change();
        return make_error(Errc::undecodable, path_ + ": seeking failed (" + mpg123_strerror(mh_) +
                                                 "); the file may be damaged");
      }
    }
    const std::int64_t at = std::max<std::int64_t>(0, mpg123_tell(mh_));
    assert(at <= frame);
    position_ = at;
    std::int64_t skip = frame - at;
    while (skip > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::int64_t>(skip, 8192));
      discard_.resize(scan_.info.channels, n);
      auto got = read(discard_.view());
      if (!got) return got.error();
      if (*got == 0) break;
      skip -= static_cast<std::int64_t>(*got);
    }
    return {};
  }

  // Replaces the handle with a fresh one that knows the scanned frame index.
  Result<void> restart() {
    auto handle = open_handle(path_, options_, down_sample_);
    if (!handle) return handle.error();
    mpg123_close(mh_);
    mpg123_delete(mh_);
    mh_ = *handle;
    foreign_format_ = false;
    position_ = 0;
    if (!scan_.index.empty() && mpg123_set_index(mh_, scan_.index.data(), scan_.index_step,
                                                 scan_.index.size()) != MPG123_OK) {
      return make_error(Errc::internal, std::string("libmpg123 refused its own frame index: ") +
                                            mpg123_strerror(mh_));
    }
    return {};
  }

  Result<std::size_t> read(AudioView out) override {
    assert(out.num_channels == scan_.info.channels);
    const auto channels = static_cast<std::size_t>(scan_.info.channels);
    // A fresh handle trims the end by the LAME tag rather than by the scan;
    // should the two disagree, the scan (info().num_frames) wins.
    // A stream's length is only a promise (its Info frame), so it reads to the end.
    const auto limit =
        stream_
            ? out.num_frames
            : static_cast<std::size_t>(std::clamp<std::int64_t>(
                  scan_.info.num_frames - position_, 0, static_cast<std::int64_t>(out.num_frames)));
    std::size_t done = 0;
    while (done < limit) {
      const std::size_t want = limit - done;
      scratch_.resize(want * channels);
      std::size_t got_bytes = 0;
      const int rc = mpg123_read(mh_, reinterpret_cast<unsigned char*>(scratch_.data()),
                                 want * channels * sizeof(float), &got_bytes);
      const std::size_t got = foreign_format_ ? 0 : got_bytes / (channels * sizeof(float));
      if (channels == 1) {
        std::copy_n(scratch_.data(), got, out[0] + done);
      } else {
        float* left = out[0] + done;
        float* right = out[1] + done;
        for (std::size_t i = 0; i < got; ++i) {
          left[i] = scratch_[2 * i];
          right[i] = scratch_[2 * i + 1];
        }
      }
      done += got;
      if (rc == MPG123_DONE) break;
      if (rc == MPG123_NEW_FORMAT) {
        // Junk inside a stream can pass for a frame header of another rate or
        // channel count; its "audio" is dropped until the real frames return.
        long rate = 0;
        int ch = 0;
        int enc = 0;
        mpg123_getformat(mh_, &rate, &ch, &enc);
        foreign_format_ = rate != scan_.info.sample_rate || ch != scan_.info.channels;
        continue;
      }
      if (foreign_format_) {
        dropped_bytes_ += got_bytes;
        if (dropped_bytes_ > kMaxForeignBytes) return format_change();
      }
      if (rc != MPG123_OK) {
        if (stream_ && stream_->error) return *stream_->error;
        if (mpg123_errcode(mh_) == MPG123_BAD_OUTFORMAT) return format_change();
        return make_error(Errc::undecodable, path_ + " is damaged (" + mpg123_message(mh_, rc) +
                                                 "); re-download the file");
      }
    }
    position_ += static_cast<std::int64_t>(done);
    return done;
  }

  // Frames of another sample rate or channel count that are audio, not
  // junk: more of them than kMaxForeignBytes, or of a rate libmpg123
  // cannot reduce as asked (22.05 kHz frames in a 44.1 kHz stream read at
  // a quarter of the rate, say: an ad stitched in from another encoder).
  Error format_change() const {
    return make_error(Errc::undecodable,
                      path_ +
                          " changes sample rate or channels mid-stream; convert it to a "
                          "uniform MP3, WAV or FLAC first (ffmpeg -i IN -ar 44100 OUT.mp3)");
  }

  std::string path_;
  DecodeOptions options_;
  long down_sample_ = 0;
  Scan scan_;
  std::unique_ptr<SourceReader> stream_;  // set when reading a ByteSource, not a file

 private:
  AudioBuffer discard_;
  bool foreign_format_ = false;
  std::int64_t position_ = 0;  // next frame read() returns
  std::size_t dropped_bytes_ = 0;
  mpg123_handle* mh_;
  std::vector<float> scratch_;
};

}  // namespace

namespace {

// What a scan of a file found, kept for the next open of the same file with
// the same settings: a mix opens the episode at full rate twice (hum
// detection beside the analysis, then the renderer), and each scan of a
// 3-hour file reads all of its 170 MB (~0.1 s, on the critical path for the
// renderer). Keyed by the file's identity, so a file that is replaced or
// rewritten (inode, size or mtime) is scanned again.
struct ScanKey {
  std::string path;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  long down_sample = 0;
  bool mono = false;
  bool operator==(const ScanKey&) const = default;
};

std::optional<ScanKey> scan_key(const std::string& path, const DecodeOptions& options,
                                long down_sample) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return ScanKey{path,
                 st.st_dev,
                 st.st_ino,
                 st.st_size,
                 std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                 down_sample,
                 options.force_mono};
}

// The last few scans (a service mixes one episode at a time per job).
class ScanCache {
 public:
  std::shared_ptr<const Scan> find(const ScanKey& key) {
    const std::lock_guard lock(mutex_);
    for (const auto& [k, scan] : entries_)
      if (k == key) return scan;
    return nullptr;
  }
  void put(ScanKey key, std::shared_ptr<const Scan> scan) {
    const std::lock_guard lock(mutex_);
    if (entries_.size() >= kEntries) entries_.erase(entries_.begin());
    entries_.emplace_back(std::move(key), std::move(scan));
  }

 private:
  static constexpr std::size_t kEntries = 4;
  std::mutex mutex_;
  std::vector<std::pair<ScanKey, std::shared_ptr<const Scan>>> entries_;
};

ScanCache& scan_cache() {
  static ScanCache cache;
  return cache;
}

Result<std::unique_ptr<AudioDecoder>> open_scanned(const std::string& path,
                                                   const DecodeOptions& options, long down_sample,
                                                   const Scan& scan) {
  auto handle = open_handle(path, options, down_sample);
  if (!handle) return handle.error();
  auto decoder = std::make_unique<Mp3Decoder>(*handle);
  decoder->path_ = path;
  decoder->options_ = options;
  decoder->down_sample_ = down_sample;
  decoder->scan_ = scan;
  NAMIX_TRY(decoder->restart());
  return std::unique_ptr<AudioDecoder>(std::move(decoder));
}

Result<std::unique_ptr<AudioDecoder>> open_with_down_sample(const std::string& path,
                                                            const DecodeOptions& options,
                                                            long down_sample) {
  const std::optional<ScanKey> key = scan_key(path, options, down_sample);
  if (key) {
    if (auto scan = scan_cache().find(*key)) return open_scanned(path, options, down_sample, *scan);
  }
  auto handle = open_handle(path, options, down_sample);
  if (!handle) return handle.error();
  mpg123_handle* mh = *handle;
  auto decoder = std::make_unique<Mp3Decoder>(mh);
  decoder->path_ = path;
  decoder->options_ = options;
  decoder->down_sample_ = down_sample;
  long rate = 0;
  int channels = 0;
  int encoding = 0;
  if (mpg123_getformat(mh, &rate, &channels, &encoding) != MPG123_OK) {
    return make_error(Errc::undecodable,
                      path + " has no decodable MP3 frames; give a complete MP3, WAV or FLAC file");
  }
  if (encoding != MPG123_ENC_FLOAT_32) {
    return make_error(Errc::internal, "libmpg123 was built without 32-bit float output");
  }
  mpg123_frameinfo frame_info{};
  mpg123_info(mh, &frame_info);

  // Scanning every frame header once makes the length exact and gives seek a
  // complete frame index, so seeking is sample-accurate with or without a
  // Xing TOC.
  if (mpg123_scan(mh) != MPG123_OK) {
    return make_error(Errc::undecodable,
                      path + " could not be scanned (" + mpg123_strerror(mh) + "); re-download it");
  }
  const off_t length = mpg123_length(mh);
  if (length <= 0) {
    return make_error(Errc::undecodable,
                      path + " has no decodable MP3 frames; give a complete MP3, WAV or FLAC file");
  }
  const Mp3Layout layout = read_layout(path);
  const int samples_per_frame = frame_info.layer == 1 ? 384
                                : (frame_info.layer == 3 && frame_info.version != MPG123_1_0)
                                    ? 576
                                    : 1152;
  double mean_frame_bytes = layout.first_frame ? layout.first_frame->frame_bytes : 0.0;
  {
    off_t* offsets = nullptr;
    off_t step = 0;
    std::size_t fill = 0;
    if (mpg123_index(mh, &offsets, &step, &fill) == MPG123_OK && fill > 0) {
      decoder->scan_.index.assign(offsets, offsets + fill);
      decoder->scan_.index_step = step;
      if (fill >= 2 && step > 0) {
        mean_frame_bytes = static_cast<double>(offsets[fill - 1] - offsets[0]) /
                           static_cast<double>(static_cast<off_t>(fill - 1) * step);
      }
    }
  }

  StreamInfo& info = decoder->scan_.info;
  info.codec = "mp3";
  info.sample_rate = static_cast<int>(rate);
  info.channels = channels;
  info.num_frames = static_cast<std::int64_t>(length);
  info.source_sample_rate = static_cast<int>(frame_info.rate);
  info.source_channels = frame_info.mode == MPG123_M_MONO ? 1 : 2;
  decoder->scan_.samples_per_frame = samples_per_frame >> down_sample;
  const auto source_rate = static_cast<double>(frame_info.rate);
  const double frames_per_s = source_rate / samples_per_frame;
  const double mean_kbps = mean_frame_bytes * 8.0 * frames_per_s / 1000.0;
  info.vbr = frame_info.vbr != MPG123_CBR ||
             std::abs(mean_kbps - frame_info.bitrate) > 0.02 * frame_info.bitrate;
  info.bitrate_kbps = info.vbr ? static_cast<int>(std::lround(mean_kbps)) : frame_info.bitrate;

  if (static_cast<double>(layout.frame_bytes) <
      kMinFrameFraction * static_cast<double>(layout.audio_bytes)) {
    const auto percent = static_cast<int>(100.0 * static_cast<double>(layout.frame_bytes) /
                                          static_cast<double>(layout.audio_bytes));
    return make_error(Errc::undecodable, path + " is damaged: only " + std::to_string(percent) +
                                             " % of it is MP3 audio; re-download the file");
  }
  // What the file promises: the Xing/Info/VBRI frame count, else its size
  // divided by the mean frame size seen while scanning. Damage that stopped
  // the scan shows up here as a short stream.
  const double present_s = info.duration_s();
  double promised_s = 0.0;
  if (layout.info_frames) {
    promised_s = static_cast<double>(*layout.info_frames) / frames_per_s;
  } else if (mean_frame_bytes > 0) {
    promised_s = static_cast<double>(layout.audio_bytes) / mean_frame_bytes / frames_per_s;
  }
  if (promised_s - present_s > std::max(kTruncationSlackS, kTruncationSlackFraction * promised_s)) {
    return make_error(Errc::undecodable, path + " is truncated: " + seconds_text(present_s) +
                                             " s of " + seconds_text(promised_s) +
                                             " s present; re-download the file");
  }
  // Linear reads start from a fresh handle too, so they share seek()'s phase.
  NAMIX_TRY(decoder->restart());
  if (key) {
    scan_cache().put(*key, std::make_shared<const Scan>(decoder->scan_));
  }
  return std::unique_ptr<AudioDecoder>(std::move(decoder));
}

}  // namespace

Result<std::unique_ptr<AudioDecoder>> open_mp3_decoder(const std::string& path,
                                                       const DecodeOptions& options) {
  // libmpg123 only synthesises at its list of standard rates, so an MPEG-2
  // file at 16 kHz cannot go to 4 kHz: a smaller reduction, chosen from the
  // first frame's rate (down_sample_for), and info() says what the stream
  // really is. Should the first frame mislead (junk that passes for one), a
  // handle that fails is retried with less.
  const long requested = options.rate_divisor == 4 ? 2 : options.rate_divisor == 2 ? 1 : 0;
  const std::optional<long> rate = first_frame_rate(path);
  for (long down_sample = rate ? down_sample_for(*rate, requested) : requested;; --down_sample) {
    auto decoder = open_with_down_sample(path, options, down_sample);
    if (decoder.ok() || down_sample == 0 || decoder.error().code != Errc::undecodable) {
      return decoder;
    }
  }
}

Result<std::unique_ptr<AudioDecoder>> open_mp3_stream_decoder(std::unique_ptr<ByteSource> source,
                                                              const DecodeOptions& options,
                                                              const std::string& name) {
  // The reduction from the first frame's rate, as for files (down_sample_for).
  auto lookahead = std::make_unique<LookaheadSource>(std::move(source));
  const long requested = options.rate_divisor == 4 ? 2 : options.rate_divisor == 2 ? 1 : 0;
  const std::optional<long> source_rate = lookahead->first_frame_rate();
  const long down_sample = source_rate ? down_sample_for(*source_rate, requested) : requested;
  auto handle = new_handle(options, down_sample);
  if (!handle) return handle.error();
  auto decoder = std::make_unique<Mp3Decoder>(*handle);
  decoder->path_ = name;
  decoder->options_ = options;
  decoder->down_sample_ = down_sample;
  decoder->stream_ = std::make_unique<SourceReader>();
  decoder->stream_->source = std::move(lookahead);
  mpg123_handle* mh = *handle;
  if (mpg123_replace_reader_handle(mh, read_source, no_seek, keep_source) != MPG123_OK) {
    return make_error(Errc::internal, "libmpg123 refused our reader");
  }
  const auto source_error = [&](const std::string& fallback) {
    if (decoder->stream_->error) return *decoder->stream_->error;
    return make_error(Errc::undecodable, name + fallback);
  };
  if (mpg123_open_handle(mh, decoder->stream_.get()) != MPG123_OK) {
    return source_error(" cannot be decoded as MP3 (" + std::string(mpg123_strerror(mh)) + ")");
  }
  long rate = 0;
  int channels = 0;
  int encoding = 0;
  if (mpg123_getformat(mh, &rate, &channels, &encoding) != MPG123_OK) {
    return source_error(" has no decodable MP3 frames at the start");
  }
  if (encoding != MPG123_ENC_FLOAT_32) {
    return make_error(Errc::internal, "libmpg123 was built without 32-bit float output");
  }
  mpg123_frameinfo frame_info{};
  mpg123_info(mh, &frame_info);
  StreamInfo& info = decoder->scan_.info;
  info.codec = "mp3";
  info.sample_rate = static_cast<int>(rate);
  info.channels = channels;
  // From the Info frame when there is one; 0 (unknown) otherwise.
  info.num_frames = std::max<std::int64_t>(0, mpg123_length(mh));
  info.source_sample_rate = static_cast<int>(frame_info.rate);
  info.source_channels = frame_info.mode == MPG123_M_MONO ? 1 : 2;
  info.vbr = frame_info.vbr != MPG123_CBR;
  info.bitrate_kbps = frame_info.bitrate;
  return std::unique_ptr<AudioDecoder>(std::move(decoder));
}

Result<std::unique_ptr<AudioDecoder>> sibling_mp3_decoder(const AudioDecoder& opened) {
  const auto* mp3 = dynamic_cast<const Mp3Decoder*>(&opened);
  assert(mp3 != nullptr);
  return mp3->sibling();
}

}  // namespace namix
