#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "testutil/temp_dir.h"

namespace kindred::app {
namespace {

std::filesystem::path WriteFile(const testutil::TempDir& dir, const std::string& text) {
  auto path = dir.path() / "kindred.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, ReadsEveryKey) {
  testutil::TempDir dir;
  auto file = WriteFile(dir, R"(
data = "/var/lib/kindred"
listen = "[::1]:9000"
threads = 8
trusted_proxy = "127.0.0.1"
site_name = "Carers Together"
site_description = "Peer support for unpaid carers."
[rate_limits]
post_per_account = { burst = 3, per_minute = 2.0 }
)");
  Config config;
  auto loaded = LoadConfigFile(file, config);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(config.data_dir, "/var/lib/kindred");
  EXPECT_EQ(config.threads, 8u);
  EXPECT_EQ(config.trusted_proxy, "127.0.0.1");
  EXPECT_EQ(config.site_name, "Carers Together");
  EXPECT_EQ(config.rate_limits.post_per_account.burst, 3);
  EXPECT_DOUBLE_EQ(config.rate_limits.post_per_account.per_second, 2.0 / 60);
  EXPECT_EQ(config.rate_limits.login_per_account.burst, forum::RateLimits{}.login_per_account.burst);
  auto listen = ParseListen(config.listen);
  ASSERT_TRUE(listen.ok());
  EXPECT_EQ(listen->first, "::1");
  EXPECT_EQ(listen->second, 9000);
}

TEST(ConfigTest, NamesUnknownKeysAndWrongTypes) {
  testutil::TempDir dir;
  Config config;
  auto unknown = LoadConfigFile(WriteFile(dir, "lisen = \"127.0.0.1:80\"\n"), config);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("lisen"), std::string::npos);
  auto wrong_type = LoadConfigFile(WriteFile(dir, "threads = \"four\"\n"), config);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().message.find("threads"), std::string::npos);
  auto bad_limit = LoadConfigFile(WriteFile(dir, "[rate_limits]\nlogin_per_account = { burst = 0 }\n"), config);
  ASSERT_FALSE(bad_limit.ok());
  EXPECT_NE(bad_limit.error().message.find("burst"), std::string::npos);
  auto broken = LoadConfigFile(WriteFile(dir, "data = \n"), config);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("line 1"), std::string::npos);
}

TEST(ConfigTest, RefusesValuesThatWouldQuietlyTurnASafeguardOff) {
  testutil::TempDir dir;
  // Each would have been taken: nan switches a rate limit off, inf stops flags hiding anything.
  const std::pair<const char*, const char*> refused[] = {
      {"[rate_limits]\nlogin_per_account = { per_minute = nan }\n", "per_minute"},
      {"[rate_limits]\nlogin_per_account = { per_minute = 0.00001 }\n", "per_minute"},
      {"[rate_limits]\npost_per_account = { burst = 3000000000 }\n", "burst"},
      {"[moderation]\nflag_hide_threshold = inf\n", "flag_hide_threshold"},
      {"[safety]\ndefault_country = \"1!\"\n", "default_country"},
      {"[safety]\nwaiting_for_reply_seconds = 99999999999\n", "waiting_for_reply_seconds"},
      {"[safety]\ncrisis_reminder_seconds = 0\n", "crisis_reminder_seconds"},
      {"trusted_proxy = \"localhost\"\n", "trusted_proxy"},
      {"trusted_proxy = \"127.0.0.0/8\"\n", "trusted_proxy"},
  };
  for (const auto& [text, named] : refused) {
    Config config;
    auto loaded = LoadConfigFile(WriteFile(dir, text), config);
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_NE(loaded.error().message.find(named), std::string::npos) << loaded.error().message;
  }
}

TEST(ConfigTest, TheTrustedProxyIsWrittenAsTheServerWritesAPeer) {
  testutil::TempDir dir;
  for (const auto& [given, written] : {std::pair{"::0001", "::1"}, std::pair{"::ffff:127.0.0.1", "127.0.0.1"},
                                       std::pair{"10.0.0.7", "10.0.0.7"}}) {
    Config config;
    auto loaded = LoadConfigFile(WriteFile(dir, std::string("trusted_proxy = \"") + given + "\"\n"), config);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(config.trusted_proxy, written);
  }
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  Config config;
  setenv("KINDRED_LISTEN", "127.0.0.1:9999", 1);
  setenv("KINDRED_THREADS", "2", 1);
  ASSERT_TRUE(ApplyEnvironment(config).ok());
  EXPECT_EQ(config.listen, "127.0.0.1:9999");
  EXPECT_EQ(config.threads, 2u);
  setenv("KINDRED_THREADS", "lots", 1);
  EXPECT_FALSE(ApplyEnvironment(config).ok());
  unsetenv("KINDRED_LISTEN");
  unsetenv("KINDRED_THREADS");
}

TEST(ConfigTest, ParsesListenAddresses) {
  EXPECT_TRUE(ParseListen("127.0.0.1:8080").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:0").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:70000").ok());
  EXPECT_FALSE(ParseListen(":8080").ok());
}

}  // namespace
}  // namespace kindred::app
