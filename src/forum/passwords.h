// Passwords and tokens through libsodium: argon2id hashes at the interactive limits, and
// 256-bit random tokens of which only a SHA-256 hash is ever stored.
// Thread-safety: safe from any thread. Hashing is capped at the number of cores at once,
// since each hash takes ~64 MiB and ~50 ms: a burst of sign-ins queues instead of
// exhausting memory.
#pragma once

#include <string>
#include <string_view>

namespace kindred::forum {

// Call once before any other function here (sodium_init). Returns false if libsodium cannot start.
bool InitCrypto();

std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

// 32 random bytes as 43 base64url characters.
std::string NewToken();
// Lowercase hex SHA-256, for storing a token's fingerprint.
std::string HashToken(std::string_view token);
// Compares secrets in time that does not depend on where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace kindred::forum
