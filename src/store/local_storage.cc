#include "store/local_storage.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "core/atomic_file.h"
#include "core/partial_files.h"
#include "store/sigv4.h"

namespace namix {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSigningKeyFile = ".signing-key";
// Conditional writes hold an exclusive flock() on this file: it orders them
// between the threads of one process and between processes alike.
constexpr const char* kConditionalLockFile = ".conditional-writes.lock";

// A local object's version: the digest of its bytes.
std::string content_version(std::string_view bytes) { return sha256_hex(bytes).substr(0, 32); }

class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

// A file's temporary sibling (AtomicFile) or a hidden file is not an object.
bool is_internal_name(const std::string& name) {
  return name.empty() || name[0] == '.' || name.find(".part-") != std::string::npos;
}

Result<std::string> load_or_create_secret(const std::string& root) {
  const std::string path = root + "/" + kSigningKeyFile;
  std::ifstream in(path);
  if (in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return make_error(Errc::internal, "cannot draw a random signing key from OpenSSL");
  }
  const std::string secret = to_hex(random, sizeof random);
  // Written atomically and owner-only: whoever reads it can forge links.
  auto file = AtomicFile::create(path);
  if (!file) return file.error();
  const std::string line = secret + "\n";
  NAMIX_TRY(file->write({reinterpret_cast<const std::uint8_t*>(line.data()), line.size()}));
  ::chmod(file->temp_path().c_str(), 0600);
  NAMIX_TRY(file->commit());
  return secret;
}

}  // namespace

// A file written under a temporary name beside its key's final one. One that
// is dropped uncommitted takes the directories made for it along when they
// are left empty.
class LocalStorage::PendingFile final : public PendingObject {
 public:
  PendingFile(LocalStorage& storage, std::string key, AtomicFile file)
      : storage_(storage), key_(std::move(key)), file_(std::move(file)) {}
  ~PendingFile() override {
    if (committed_) return;
    const std::lock_guard lock(storage_.directories_mutex_);
    file_.reset();  // removes the temporary file
    storage_.remove_empty_parents(key_);
  }
  Result<void> write(std::span<const std::uint8_t> bytes) override { return file_->write(bytes); }
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    return file_->write_at(offset, bytes);
  }
  std::uint64_t size() const override { return file_->size(); }
  Result<void> commit() override {
    NAMIX_TRY(file_->commit());
    committed_ = true;
    return {};
  }

 private:
  LocalStorage& storage_;
  std::string key_;
  std::optional<AtomicFile> file_;
  bool committed_ = false;
};

namespace {

std::string percent_encode_path(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* digits = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

}  // namespace

bool is_valid_storage_key(const std::string& key) {
  if (key.empty() || key.size() > 1024 || key.front() == '/' || key.back() == '/') return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t end = std::min(key.find('/', start), key.size());
    const std::string segment = key.substr(start, end - start);
    if (segment.empty() || segment[0] == '.') return false;
    for (unsigned char c : segment) {
      if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
    }
    start = end + 1;
  }
  return true;
}

namespace {

// The directories between `key` and its top directory (under `root`) that
// are empty: mixes/1779/best-of/x.mp3 tries mixes/1779/best-of, then
// mixes/1779; the top directory (mixes/, jobs/) stays. rmdir() refuses a
// directory that is not empty, which ends the walk.
void remove_empty_parents(const std::string& root, const std::string& key) {
  fs::path dir = fs::path(key).parent_path();
  while (dir.has_parent_path()) {
    if (::rmdir((fs::path(root) / dir).c_str()) != 0) return;
    dir = dir.parent_path();
  }
}

// AtomicFile names its temporary "<final>.part-<pid>-<random>". One whose
// process is gone was being written when that process died (SIGKILL, power
// loss): nothing will ever commit or remove it, so opening the storage does.
void remove_orphaned_parts(const std::string& root) {
  std::vector<std::string> parts;  // their directories go after the walk
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(".part-");
    if (at == std::string::npos || !it->is_regular_file(ec)) continue;
    const long pid = std::strtol(name.c_str() + at + 6, nullptr, 10);
    if (process_has_ended(pid)) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
      parts.push_back(fs::relative(it->path(), root, ignored).generic_string());
    }
  }
  for (const std::string& key : parts) remove_empty_parents(root, key);
}

}  // namespace

Result<std::unique_ptr<LocalStorage>> LocalStorage::open(const LocalStorageOptions& options) {
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) {
    return make_error(Errc::io_error, "cannot create data directory " + options.data_dir + ": " +
                                          ec.message() + " (pass a writable --data-dir)");
  }
  const std::string root = fs::absolute(options.data_dir, ec).lexically_normal().string();
  std::string secret = options.signing_key;
  if (secret.empty()) {
    auto loaded = load_or_create_secret(root);
    if (!loaded) return loaded.error();
    secret = std::move(*loaded);
  }
  remove_orphaned_parts(root);
  std::string base = options.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::unique_ptr<LocalStorage>(new LocalStorage(root, std::move(secret), std::move(base)));
}

void LocalStorage::remove_empty_parents(const std::string& key) {
  namix::remove_empty_parents(root_, key);
}

void LocalStorage::set_public_base_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  public_base_url_ = std::move(base);
}

Result<std::string> LocalStorage::path_for(const std::string& key) const {
  if (!is_valid_storage_key(key)) {
    return make_error(Errc::invalid_argument,
                      "invalid storage key '" + quoted_input(key) +
                          "': use '/'-separated segments of letters, digits, '.', '_' and '-'");
  }
  return root_ + "/" + key;
}

Result<std::unique_ptr<PendingObject>> LocalStorage::begin_put(const std::string& key,
                                                               const std::string& content_type) {
  (void)content_type;  // a file has none; /files derives it from the extension
  auto path = path_for(key);
  if (!path) return path.error();
  // Made and filled under the lock: a failed write beside it would otherwise
  // remove the directory between the two.
  const std::lock_guard lock(directories_mutex_);
  std::error_code ec;
  fs::create_directories(fs::path(*path).parent_path(), ec);
  if (ec) {
    return make_error(write_failure_code(ec.value(), Errc::unavailable),
                      "storage: cannot create the directory of " + key + ": " + ec.message());
  }
  auto file = AtomicFile::create(*path, key);
  if (!file) {
    const Error& e = file.error();
    remove_empty_parents(key);
    return make_error(e.code == Errc::storage_full ? e.code : Errc::unavailable,
                      "storage: " + e.message);
  }
  return std::unique_ptr<PendingObject>(new PendingFile(*this, key, std::move(*file)));
}

Result<void> LocalStorage::put(const std::string& key, std::span<const std::uint8_t> bytes,
                               const std::string& content_type) {
  auto pending = begin_put(key, content_type);
  if (!pending) return pending.error();
  NAMIX_TRY((*pending)->write(bytes));
  return (*pending)->commit();
}

Result<std::string> LocalStorage::get(const std::string& key) {
  auto path = path_for(key);
  if (!path) return path.error();
  std::ifstream in(*path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "no object " + key + " in the local storage");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return make_error(Errc::unavailable, "storage: reading " + key + " failed");
  return out.str();
}

Result<VersionedObject> LocalStorage::get_versioned(const std::string& key) {
  auto bytes = get(key);
  if (!bytes) return bytes.error();
  std::string version = content_version(*bytes);
  return VersionedObject{std::move(*bytes), std::move(version)};
}

Result<std::optional<std::string>> LocalStorage::put_if(const std::string& key,
                                                        std::span<const std::uint8_t> bytes,
                                                        const std::string& content_type,
                                                        const std::string& expected_version) {
  FileLock lock(root_ + "/" + kConditionalLockFile);
  if (!lock.held()) {
    return make_error(Errc::unavailable,
                      "storage: cannot lock the data directory for a conditional write of " + key +
                          "; try again");
  }
  auto current = get_versioned(key);
  if (!current && current.error().code != Errc::not_found) return current.error();
  const std::string current_version = current ? current->version : std::string();
  if (current_version != expected_version) return std::optional<std::string>();
  NAMIX_TRY(put(key, bytes, content_type));
  return std::optional<std::string>(
      content_version(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

Result<ObjectInfo> LocalStorage::head(const std::string& key) {
  auto path = path_for(key);
  if (!path) return path.error();
  struct stat st {};
  if (::stat(path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(Errc::not_found, "no object " + key + " in the local storage");
  }
  return ObjectInfo{key, static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtime)};
}

Result<std::vector<ObjectInfo>> LocalStorage::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  // Walk only the directory the prefix names ("mixes/17" walks mixes/).
  const auto slash = prefix.rfind('/');
  const std::string dir_part = slash == std::string::npos ? "" : prefix.substr(0, slash);
  if (!dir_part.empty() && !is_valid_storage_key(dir_part)) return out;
  const fs::path start = dir_part.empty() ? fs::path(root_) : fs::path(root_) / dir_part;
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  fs::recursive_directory_iterator it(start, fs::directory_options::skip_permission_denied, ec);
  if (ec)
    return make_error(Errc::unavailable, "storage: cannot list " + prefix + ": " + ec.message());
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec)
      return make_error(Errc::unavailable, "storage: listing " + prefix + ": " + ec.message());
    const std::string name = it->path().filename().string();
    if (is_internal_name(name)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    // namix writes no links here; a link is not an object of the store.
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    // The walk's paths start with root_, so the key is their rest. (fs::relative
    // would resolve every component's links: a readlink per component per file,
    // most of a listing's time.)
    std::string key = it->path().lexically_relative(root_).generic_string();
    if (key.rfind(prefix, 0) != 0 || !is_valid_storage_key(key)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    out.push_back({std::move(key), static_cast<std::uint64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtime)});
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Result<void> LocalStorage::remove(const std::string& key) {
  auto path = path_for(key);
  if (!path) return path.error();
  const std::lock_guard lock(directories_mutex_);
  if (::unlink(path->c_str()) != 0 && errno != ENOENT) {
    return make_error(Errc::unavailable,
                      "storage: cannot remove " + key + ": " + std::strerror(errno));
  }
  remove_empty_parents(key);
  return {};
}

std::string LocalStorage::sign(const std::string& key, std::int64_t expires_unix) const {
  // The newline keeps (key, expires) pairs unambiguous: keys never hold one.
  const std::string message = key + "\n" + std::to_string(expires_unix);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  return to_hex(mac, mac_len);
}

Result<std::string> LocalStorage::download_url(const std::string& key,
                                               std::chrono::seconds expires_in) {
  if (!is_valid_storage_key(key)) return path_for(key).error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::int64_t expires = now + expires_in.count();
  return public_base_url_ + "/files/" + percent_encode_path(key) +
         "?expires=" + std::to_string(expires) + "&sig=" + sign(key, expires);
}

Result<void> LocalStorage::verify_download(const std::string& key, const std::string& expires,
                                           const std::string& sig_hex,
                                           std::int64_t now_unix) const {
  const auto refuse = [](const std::string& why) {
    return make_error(
        Errc::forbidden,
        "download link refused: " + why + " (ask the API for a fresh link, e.g. GET /mix/history)");
  };
  if (!is_valid_storage_key(key)) return refuse("invalid key");
  if (expires.empty() || expires.size() > 18 ||
      expires.find_first_not_of("0123456789") != std::string::npos) {
    return refuse("missing or malformed 'expires'");
  }
  const std::int64_t expires_unix = std::stoll(expires);
  const std::string expected = sign(key, expires_unix);
  if (sig_hex.size() != expected.size() ||
      CRYPTO_memcmp(sig_hex.data(), expected.data(), expected.size()) != 0) {
    return refuse("wrong signature");
  }
  if (expires_unix < now_unix) return refuse("the link expired");
  return {};
}

Result<void> LocalStorage::check_reachable() {
  // Health checks are open to anyone: the messages do not name the path.
  struct stat st {};
  if (::stat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return make_error(Errc::unavailable, "the storage directory is missing");
  }
  if (::access(root_.c_str(), W_OK) != 0) {
    return make_error(Errc::unavailable, "the storage directory is not writable");
  }
  return {};
}

}  // namespace namix
