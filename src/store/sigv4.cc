#include "store/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <map>

#include "core/ascii_text.h"

namespace namix {
namespace {

// SigV4 canonical header values: trimmed, runs of spaces collapsed to one.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : value) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string canonical_query_string(const NameValueList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

namespace {

std::string date_part(const std::string& amz_datetime) { return amz_datetime.substr(0, 8); }

std::string credential_scope(const SigningScope& scope) {
  return date_part(scope.amz_datetime) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

}  // namespace

Result<AwsCredentials> AwsCredentials::from_environment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (id == nullptr || *id == '\0' || secret == nullptr || *secret == '\0')
    return make_error(Errc::invalid_argument,
                      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                      "(and AWS_SESSION_TOKEN for temporary credentials)");
  AwsCredentials credentials{id, secret, ""};
  if (const char* token = std::getenv("AWS_SESSION_TOKEN"); token != nullptr)
    credentials.session_token = token;
  return credentials;
}

std::string hex_encode(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string base64_encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  if (clean.size() % 4 != 0)
    return make_error(Errc::invalid_argument, "invalid base64: length is not a multiple of 4");
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return make_error(Errc::invalid_argument, "invalid base64 text");
  // EVP_DecodeBlock counts the '=' padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  if (!clean.empty() && clean.back() == '=') --size;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::string md5_base64(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string format_amz_datetime(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[20];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

Result<std::chrono::system_clock::time_point> parse_amz_datetime(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::invalid_argument, "invalid time '" + quoted_input(text) +
                                                  "': use YYYYMMDDTHHMMSSZ, e.g. 20130524T000000Z");
  };
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return bad();
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
  auto num = [&](std::size_t pos, std::size_t len) {
    return std::stoi(std::string(text.substr(pos, len)));
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  // system_clock counts nanoseconds in 64 bits: years past 2262 do not fit.
  if (tm.tm_year < 70 || tm.tm_year > 2200 - 1900 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
      tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
    return bad();
  // timegm() rolls a day the month does not have (20130231) into the next
  // month; such a time is not the one written, so it is refused.
  const int asked_mday = tm.tm_mday;
  const int asked_mon = tm.tm_mon;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != asked_mday || tm.tm_mon != asked_mon) return bad();
  return std::chrono::system_clock::from_time_t(t);
}

Signature sign_request(const SignableRequest& request, const AwsCredentials& credentials,
                       const SigningScope& scope) {
  // Lower-cased names, sorted; repeated headers joined with ',' in the order given.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    auto [it, inserted] = headers.emplace(ascii_lower(name), canonical_header_value(value));
    if (!inserted) it->second += "," + canonical_header_value(value);
  }
  Signature sig;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!sig.signed_headers.empty()) sig.signed_headers.push_back(';');
    sig.signed_headers += name;
  }
  sig.canonical_request = request.method + "\n" + uri_encode(request.path, true) + "\n" +
                          canonical_query_string(request.query) + "\n" + canonical_headers + "\n" +
                          sig.signed_headers + "\n" + request.payload_sha256;
  const std::string scope_text = credential_scope(scope);
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + scope.amz_datetime + "\n" + scope_text + "\n" +
                       sha256_hex(sig.canonical_request);
  std::string key =
      hmac_sha256("AWS4" + credentials.secret_access_key, date_part(scope.amz_datetime));
  key = hmac_sha256(key, scope.region);
  key = hmac_sha256(key, scope.service);
  key = hmac_sha256(key, "aws4_request");
  sig.signature = hex_encode(hmac_sha256(key, sig.string_to_sign));
  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                      scope_text + ", SignedHeaders=" + sig.signed_headers +
                      ", Signature=" + sig.signature;
  return sig;
}

PresignedQuery presign_request(SignableRequest request, const AwsCredentials& credentials,
                               const SigningScope& scope, std::chrono::seconds expires_in) {
  NameValueList host_only;
  for (const auto& header : request.headers)
    if (ascii_lower(header.first) == "host") host_only.push_back(header);
  request.headers = std::move(host_only);
  request.payload_sha256 = "UNSIGNED-PAYLOAD";
  request.query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  request.query.emplace_back("X-Amz-Credential",
                             credentials.access_key_id + "/" + credential_scope(scope));
  request.query.emplace_back("X-Amz-Date", scope.amz_datetime);
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires_in.count()));
  request.query.emplace_back("X-Amz-SignedHeaders", "host");
  // S3 wants the token inside the signed query, unlike services that append it after.
  if (credentials.temporary())
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  PresignedQuery out;
  out.signature = sign_request(request, credentials, scope);
  out.query_string =
      canonical_query_string(request.query) + "&X-Amz-Signature=" + out.signature.signature;
  return out;
}

}  // namespace namix
