#include "transcript/cue_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/ascii_text.h"
#include "core/input_file.h"
#include "core/utf8.h"
#include "transcript/cue_timing.h"

namespace namix {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits only, 1..max_digits of them.
std::optional<std::uint64_t> parse_digits(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The text a character reference stands for, or nullopt when `name` (what
// lies between '&' and ';') is not one.
std::optional<std::string> entity_text(std::string_view name) {
  if (name == "amp") return "&";
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "quot") return "\"";
  if (name == "apos") return "'";
  if (name == "nbsp") return " ";
  if (name == "lrm" || name == "rlm") return "";  // invisible direction marks
  if (name.size() < 2 || name[0] != '#') return std::nullopt;
  std::uint32_t cp = 0;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return std::nullopt;
  for (char c : digits) {
    std::uint32_t d = 0;
    if (is_digit(c)) {
      d = static_cast<std::uint32_t>(c - '0');
    } else if (hex && c >= 'a' && c <= 'f') {
      d = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (hex && c >= 'A' && c <= 'F') {
      d = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    cp = cp * (hex ? 16u : 10u) + d;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  std::string out;
  append_utf8(cp, out);
  return out;
}

struct Run {
  std::string speaker;
  double at_s = kNaN;  // a timestamp tag opened this run
  std::string text;
};

bool is_voice_tag(std::string_view tag) {
  return !tag.empty() && tag[0] == 'v' &&
         (tag.size() == 1 || tag[1] == ' ' || tag[1] == '\t' || tag[1] == '.');
}

// Markup is a tag only when it is one of the tags captions use: "<3",
// "a < b" and "<now>" in a SubRip line are text. Attributes follow only the
// tags that take them (<v Name>, <lang en>, <font color=...>).
bool looks_like_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 200) return false;
  if (is_digit(tag[0])) return parse_clock_time(tag).has_value();
  const bool closing = tag[0] == '/';
  const std::string_view name = tag.substr(closing ? 1 : 0);
  const std::size_t stop = name.find_first_of(". \t");
  const std::string base = ascii_lower(name.substr(0, stop));
  static constexpr std::string_view kTags[] = {"b",    "i",    "u",  "s",    "c",   "v",
                                               "lang", "ruby", "rt", "font", "span"};
  if (std::find(std::begin(kTags), std::end(kTags), base) == std::end(kTags)) return false;
  if (stop == std::string_view::npos || name[stop] == '.') return true;
  return !closing && (base == "v" || base == "lang" || base == "font" || base == "span");
}

std::vector<Run> scan_runs(std::string_view body) {
  std::vector<Run> runs(1);
  bool in_ruby_text = false;  // <rt> annotates the base text; it is not spoken twice
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '<') {
      const std::size_t close = body.find_first_of("<>", i + 1);
      if (close != std::string_view::npos && body[close] == '>' &&
          looks_like_tag(body.substr(i + 1, close - i - 1))) {
        const std::string_view tag = body.substr(i + 1, close - i - 1);
        if (is_voice_tag(tag)) {
          const std::size_t space = tag.find_first_of(" \t");
          const std::string_view name =
              space == std::string_view::npos ? std::string_view{} : tag.substr(space + 1);
          runs.push_back({decode_entities(trim_whitespace(name)), kNaN, {}});
        } else if (tag == "/v") {
          runs.push_back({{}, kNaN, {}});
        } else if (auto t = parse_clock_time(tag)) {
          runs.push_back({runs.back().speaker, *t, {}});
        } else if (tag == "rt" || tag == "/rt") {
          in_ruby_text = tag == "rt";
        }
        i = close;
        continue;
      }
    } else if (c == '{' && i + 1 < body.size() && body[i + 1] == '\\') {
      // SubRip styling overrides borrowed from SSA: {\an8}, {\i1}.
      const std::size_t close = body.find('}', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    if (!in_ruby_text) runs.back().text += c;
  }
  return runs;
}

}  // namespace

Result<std::string_view> checked_text(std::string_view bytes, std::string_view display_name,
                                      std::string_view expected, std::int64_t size) {
  const auto fail = [&](std::string what) {
    return make_error(Errc::undecodable, std::string(display_name) + what);
  };
  const std::uint64_t bytes_in = size >= 0 ? static_cast<std::uint64_t>(size) : bytes.size();
  if (bytes_in > kMaxTranscriptBytes) {
    return fail(" is over 20 MB, far more than a transcript or chapters file; check the file");
  }
  if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF") {
    return fail(" is UTF-16 text; save it as UTF-8");
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (is_blank(bytes)) return fail(" is empty; " + std::string(expected));
  if (const auto bad = first_invalid_utf8(bytes)) {
    return fail(" is not valid UTF-8 (at byte " + std::to_string(*bad) + "); save it as UTF-8");
  }
  if (bytes.find('\0') != std::string_view::npos) {
    return fail(" is binary, not text; " + std::string(expected));
  }
  return trim_whitespace(bytes);
}

bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const std::size_t end = text_.find_first_of("\r\n", pos_);
  if (end == std::string_view::npos) {
    line = text_.substr(pos_);
    pos_ = text_.size();
    return true;
  }
  line = text_.substr(pos_, end - pos_);
  pos_ = end + 1;
  if (text_[end] == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  return true;
}

bool is_blank(std::string_view s) { return trim_whitespace(s).empty(); }

std::optional<double> parse_clock_time(std::string_view s) {
  s = trim_whitespace(s);
  std::string_view fields[3];
  std::size_t count = 0;
  while (true) {
    const std::size_t colon = s.find(':');
    if (count == 3) return std::nullopt;
    fields[count++] = s.substr(0, colon);
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  if (count < 2) return std::nullopt;
  std::string_view seconds = fields[count - 1];
  std::string_view fraction;
  if (const std::size_t dot = seconds.find_first_of(".,"); dot != std::string_view::npos) {
    fraction = seconds.substr(dot + 1);
    seconds = seconds.substr(0, dot);
    if (fraction.empty()) return std::nullopt;
  }
  const auto sec = parse_digits(seconds, 2);
  const auto min = parse_digits(fields[count - 2], count == 3 ? 2 : 4);
  const auto hours = count == 3 ? parse_digits(fields[0], 7) : std::optional<std::uint64_t>(0);
  if (!sec || !min || !hours) return std::nullopt;
  double frac = 0.0;
  if (!fraction.empty()) {
    const auto f = parse_digits(fraction, 9);
    if (!f) return std::nullopt;
    frac = static_cast<double>(*f) / std::pow(10.0, static_cast<double>(fraction.size()));
  }
  return static_cast<double>(*hours) * 3600.0 + static_cast<double>(*min) * 60.0 +
         static_cast<double>(*sec) + frac;
}

std::optional<CueTiming> parse_cue_timing(std::string_view line) {
  const std::size_t arrow = line.find("-->");
  if (arrow == std::string_view::npos) return std::nullopt;
  const auto start = parse_clock_time(line.substr(0, arrow));
  std::string_view rest = trim_whitespace(line.substr(arrow + 3));
  rest = rest.substr(0, rest.find_first_of(" \t"));
  const auto end = parse_clock_time(rest);
  if (!start || !end) return std::nullopt;
  return CueTiming{*start, *end};
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const std::size_t semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        if (auto decoded = entity_text(text.substr(i + 1, semi - i - 1))) {
          out += *decoded;
          i = semi;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

void append_cue_body(double start_s, double end_s, std::string_view body, std::vector<Cue>& out) {
  Cue whole{start_s, end_s, {}, {}, {}};
  std::vector<std::string> speakers;  // per word
  for (const Run& run : scan_runs(body)) {
    const auto words = split_words(decode_entities(run.text));
    for (std::size_t k = 0; k < words.size(); ++k) {
      const double t = k == 0 ? run.at_s : kNaN;
      whole.words.push_back({t, kNaN, words[k]});
      speakers.push_back(run.speaker);
    }
  }
  if (whole.words.empty()) {
    out.push_back(std::move(whole));  // counted and dropped by tidy_cues()
    return;
  }
  std::size_t first = 0;
  for (std::size_t i = 1; i <= speakers.size(); ++i) {
    if (i < speakers.size() && speakers[i] == speakers[first]) continue;
    if (first == 0 && i == speakers.size()) {
      whole.speaker = speakers[0];
      out.push_back(std::move(whole));
      return;
    }
    if (first == 0) fill_word_times(whole);  // one voice's span ends where the next one's starts
    Cue part{whole.words[first].start_s,
             i < speakers.size() ? whole.words[i].start_s : whole.end_s,
             speakers[first],
             {},
             {}};
    part.words.assign(whole.words.begin() + static_cast<std::ptrdiff_t>(first),
                      whole.words.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(std::move(part));
    first = i;
  }
}

Result<std::string> read_text_file(const std::string& path, std::string_view expected) {
  auto size = input_file_size(path, expected);
  if (!size.ok()) return size.error();
  if (*size > kMaxTranscriptBytes) {
    return checked_text({}, path, expected, static_cast<std::int64_t>(*size)).error();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::unreadable, path + " cannot be read; check its permissions");
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(Errc::unreadable, path + " cannot be read (I/O error)");
  return bytes;
}

}  // namespace namix
