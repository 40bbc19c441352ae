#include "forum/passwords.h"

#include <gtest/gtest.h>

namespace kindred::forum {
namespace {

class PasswordsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }
};

TEST_F(PasswordsTest, HashesWithArgon2idAndVerifies) {
  std::string hash = HashPassword("correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horse battery!"));
  EXPECT_FALSE(VerifyPassword("", "anything"));
}

TEST_F(PasswordsTest, SaltsEveryHash) { EXPECT_NE(HashPassword("same password"), HashPassword("same password")); }

TEST_F(PasswordsTest, TokensAre256BitsAndUnique) {
  std::string a = NewToken();
  std::string b = NewToken();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, b);
}

TEST_F(PasswordsTest, TokenHashIsHexSha256) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(PasswordsTest, ComparesSecretsExactly) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
  EXPECT_FALSE(SecretsEqual("", ""));  // an absent token never matches
}

}  // namespace
}  // namespace kindred::forum
