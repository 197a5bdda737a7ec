// Storage in a local directory: the embedded default of `namix serve`.
// Objects are files under the data directory named by their key; downloads
// go through /files/{key} links signed with HMAC-SHA256 so that only links
// the service handed out (and only until they expire) can fetch a mix.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "store/storage.h"

namespace namix {

struct LocalStorageOptions {
  std::string data_dir;
  // Secret for download links; empty: a random one kept in
  // {data_dir}/.signing-key (so links survive a restart).
  std::string signing_key;
  // Put before "/files/..." in download URLs, e.g. "http://127.0.0.1:8080";
  // empty gives a path relative to the server.
  std::string public_base_url;
};

class LocalStorage final : public Storage {
 public:
  // Creates the data directory if needed; io_error when it cannot.
  static Result<std::unique_ptr<LocalStorage>> open(const LocalStorageOptions& options);

  std::string describe() const override { return "local:" + root_; }
  std::string bucket() const override { return "local"; }

  Result<std::unique_ptr<PendingObject>> begin_put(const std::string& key,
                                                   const std::string& content_type) override;
  Result<void> put(const std::string& key, std::span<const std::uint8_t> bytes,
                   const std::string& content_type) override;
  Result<std::string> get(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<VersionedObject> get_versioned(const std::string& key) override;
  Result<std::optional<std::string>> put_if(const std::string& key,
                                            std::span<const std::uint8_t> bytes,
                                            const std::string& content_type,
                                            const std::string& expected_version) override;
  Result<std::vector<ObjectInfo>> list(const std::string& prefix) override;
  Result<void> remove(const std::string& key) override;
  Result<std::string> download_url(const std::string& key,
                                   std::chrono::seconds expires_in) override;
  Result<void> check_reachable() override;

  // For GET /files/{key}: forbidden when the signature is wrong or the link
  // expired (`now_unix` is a parameter so tests can move the clock).
  Result<void> verify_download(const std::string& key, const std::string& expires,
                               const std::string& sig_hex, std::int64_t now_unix) const;
  // The file holding `key`; invalid_argument for keys that could escape the
  // data directory.
  Result<std::string> path_for(const std::string& key) const;
  const std::string& root() const { return root_; }
  // For servers that learn their port only after binding; call before serving.
  void set_public_base_url(std::string base);
  // The signature of a link; exposed for tests.
  std::string sign(const std::string& key, std::int64_t expires_unix) const;

 private:
  class PendingFile;

  LocalStorage(std::string root, std::string secret, std::string public_base_url)
      : root_(std::move(root)),
        secret_(std::move(secret)),
        public_base_url_(std::move(public_base_url)) {}

  // Removes the directories between `key` and its top directory that are
  // empty, so a failed or removed mix leaves no mixes/{episode}/{theme}/
  // behind. Call with directories_mutex_ held.
  void remove_empty_parents(const std::string& key);

  std::string root_;
  std::string secret_;
  std::string public_base_url_;
  // Held while a key's directories are made and its file created, or its
  // file and empty directories removed.
  std::mutex directories_mutex_;
};

// Keys are relative, '/'-separated, made of [A-Za-z0-9._-] segments, with no
// empty, "." or ".." segment and no hidden (dot-first) segment.
bool is_valid_storage_key(const std::string& key);

}  // namespace namix
