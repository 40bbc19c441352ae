#include "forum/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace kindred::forum {
namespace {

// Caps concurrent argon2id hashes at the core count: each takes ~64 MiB and a core for ~50 ms,
// so more at once only adds memory and makes every one of them slower.
class HashingSlots {
 public:
  HashingSlots() : free_(std::max(1u, std::thread::hardware_concurrency())) {}
  void Acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    available_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable available_;
  unsigned free_;  // GUARDED_BY(mutex_)
};

HashingSlots& Slots() {
  static HashingSlots slots;
  return slots;
}

struct SlotGuard {
  SlotGuard() { Slots().Acquire(); }
  ~SlotGuard() { Slots().Release(); }
};

}  // namespace

bool InitCrypto() { return sodium_init() >= 0; }

std::string HashPassword(std::string_view password) {
  SlotGuard slot;
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return {};  // out of memory: the caller treats an empty hash as a failure
  }
  return hash;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);
  SlotGuard slot;
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string NewToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return encoded;
}

std::string HashToken(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kindred::forum
