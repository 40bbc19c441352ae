#include "app/config.h"

#include <toml++/toml.h>

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace kindred::app {
namespace {

Error ConfigError(const std::string& what) { return Error::Invalid("config", "config_invalid", what); }

// The proxy's address as the server writes a peer's ("127.0.0.1", "::1"): compared as text, so a
// spelling such as "::0001" or "::ffff:127.0.0.1" would otherwise never match and every visitor
// would seem to come from the proxy, sharing one rate limit.
Result<std::string> CanonicalAddress(std::string_view setting, const std::string& address) {
  in_addr v4{};
  in6_addr v6{};
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return std::string(inet_ntop(AF_INET, &v4, text, sizeof text));
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
      return std::string(inet_ntop(AF_INET, &v4, text, sizeof text));
    }
    return std::string(inet_ntop(AF_INET6, &v6, text, sizeof text));
  }
  return ConfigError(std::string(setting) + " must be the proxy's IP address, like 127.0.0.1 or ::1 (got \"" + address +
                     "\"); a name or a range is not taken");
}

Result<void> ReadRateLimit(const toml::node& node, const std::string& name, forum::RateLimit& limit) {
  const toml::table* table = node.as_table();
  if (!table) return ConfigError("rate_limits." + name + " must be a table like { burst = 5, per_minute = 1.0 }");
  for (const auto& [key, value] : *table) {
    if (key == "burst") {
      auto burst = value.value<int64_t>();
      if (!burst || *burst < 1 || *burst > 1'000'000)
        return ConfigError("rate_limits." + name + ".burst must be a whole number from 1 to 1000000");
      limit.burst = static_cast<int>(*burst);
    } else if (key == "per_minute") {
      auto per_minute = value.value<double>();
      // nan would switch the limit off, and a rate near 0 makes a wait too long to count.
      if (!per_minute || !std::isfinite(*per_minute) || *per_minute < 0.001 || *per_minute > 1'000'000) {
        return ConfigError("rate_limits." + name + ".per_minute must be a number from 0.001 to 1000000");
      }
      limit.per_second = *per_minute / 60.0;
    } else {
      return ConfigError("unknown key rate_limits." + name + "." + std::string(key.str()));
    }
  }
  return Ok();
}

Result<void> ReadModeration(const toml::node& node, Config& config) {
  const toml::table* section = node.as_table();
  if (!section) return ConfigError("moderation must be a table");
  forum::NewMemberRules& rules = config.new_members;
  for (const auto& [key, value] : *section) {
    std::string name(key.str());
    auto whole = [&](int minimum) -> Result<int> {
      auto number = value.value<int64_t>();
      if (!number || *number < minimum || *number > 1000000) {
        return ConfigError("moderation." + name + " must be a whole number of at least " + std::to_string(minimum));
      }
      return static_cast<int>(*number);
    };
    if (name == "new_member_posts") {
      KINDRED_TRY(ReadRateLimit(value, name, rules.posts));
    } else if (name == "new_member_max_links") {
      auto n = whole(0);
      if (!n) return std::move(n).error();
      rules.max_links_per_post = *n;
    } else if (name == "new_member_held_posts") {
      auto n = whole(0);
      if (!n) return std::move(n).error();
      rules.held_while_posts_fewer_than = *n;
    } else if (name == "basic_trust_after_days") {
      auto n = whole(0);
      if (!n) return std::move(n).error();
      rules.basic_after_seconds = *n * 24LL * 3600;
    } else if (name == "basic_trust_after_posts") {
      auto n = whole(0);
      if (!n) return std::move(n).error();
      rules.basic_after_posts = *n;
    } else if (name == "flag_hide_threshold") {
      auto threshold = value.value<double>();
      if (!threshold || !std::isfinite(*threshold) || *threshold <= 0 || *threshold > 1000) {
        return ConfigError("moderation.flag_hide_threshold must be a number above 0 and at most 1000");
      }
      config.flags.hide_threshold = *threshold;
    } else {
      return ConfigError("unknown key moderation." + name);
    }
  }
  return Ok();
}

}  // namespace

Result<void> LoadConfigFile(const std::filesystem::path& file, Config& config) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return ConfigError("could not read " + file.string() + ": " + std::string(e.description()) + " (line " +
                       std::to_string(e.source().begin.line) + ")");
  }
  for (const auto& [key, value] : root) {
    std::string name(key.str());
    auto text = [&]() -> Result<std::string> {
      auto s = value.value<std::string>();
      if (!s) return ConfigError(name + " must be a string");
      return *s;
    };
    if (name == "data") {
      auto v = text();
      if (!v) return std::move(v).error();
      config.data_dir = *v;
    } else if (name == "database") {
      auto v = text();
      if (!v) return std::move(v).error();
      config.database = *v;
    } else if (name == "listen") {
      auto v = text();
      if (!v) return std::move(v).error();
      config.listen = *v;
    } else if (name == "trusted_proxy") {
      auto v = text();
      if (!v) return std::move(v).error();
      auto address = CanonicalAddress("trusted_proxy", *v);
      if (!address) return std::move(address).error();
      config.trusted_proxy = *address;
    } else if (name == "site_name") {
      auto v = text();
      if (!v) return std::move(v).error();
      config.site_name = *v;
    } else if (name == "site_description") {
      auto v = text();
      if (!v) return std::move(v).error();
      config.site_description = *v;
    } else if (name == "threads") {
      auto v = value.value<int64_t>();
      if (!v || *v < 1 || *v > 256) return ConfigError("threads must be a whole number from 1 to 256");
      config.threads = static_cast<unsigned>(*v);
    } else if (name == "safety") {
      const toml::table* section = value.as_table();
      if (!section) return ConfigError("safety must be a table");
      for (const auto& [safety_key, safety_value] : *section) {
        std::string key_name(safety_key.str());
        if (key_name == "waiting_for_reply_seconds" || key_name == "crisis_reminder_seconds") {
          auto seconds = safety_value.value<int64_t>();
          if (!seconds || *seconds < 1 || *seconds > 30LL * 24 * 3600) {
            return ConfigError("safety." + key_name + " must be a whole number from 1 to 2592000 (30 days)");
          }
          (key_name == "waiting_for_reply_seconds" ? config.safety.waiting_for_reply_seconds
                                                    : config.safety.crisis_reminder_seconds) = *seconds;
        } else if (key_name == "default_country") {
          auto code = safety_value.value<std::string>();
          auto is_letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
          if (!code || code->size() != 2 || !is_letter((*code)[0]) || !is_letter((*code)[1])) return ConfigError("safety.default_country must be a two-letter country code like \"GB\" (or \"ZZ\" for anywhere)");
          std::string upper = *code;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          config.safety.default_country = upper;
        } else {
          return ConfigError("unknown key safety." + key_name);
        }
      }
    } else if (name == "moderation") {
      KINDRED_TRY(ReadModeration(value, config));
    } else if (name == "rate_limits") {
      const toml::table* limits = value.as_table();
      if (!limits) return ConfigError("rate_limits must be a table");
      for (const auto& [limit_key, limit_value] : *limits) {
        std::string limit_name(limit_key.str());
        forum::RateLimits& rl = config.rate_limits;
        const std::pair<const char*, forum::RateLimit*> known[] = {
            {"login_per_account", &rl.login_per_account},
            {"login_per_address", &rl.login_per_address},
            {"register_per_address", &rl.register_per_address},
            {"post_per_account", &rl.post_per_account},
            {"post_per_address", &rl.post_per_address},
            {"personal_controls_per_account", &rl.personal_controls_per_account},
        };
        forum::RateLimit* target = nullptr;
        for (const auto& [known_name, limit] : known) {
          if (limit_name == known_name) target = limit;
        }
        if (!target) return ConfigError("unknown key rate_limits." + limit_name);
        KINDRED_TRY(ReadRateLimit(limit_value, limit_name, *target));
      }
    } else {
      return ConfigError("unknown key " + name + " in " + file.string());
    }
  }
  return Ok();
}

Result<void> ApplyEnvironment(Config& config) {
  if (const char* v = std::getenv("KINDRED_DATA"); v && *v) config.data_dir = v;
  if (const char* v = std::getenv("KINDRED_DATABASE"); v && *v) config.database = v;
  if (const char* v = std::getenv("KINDRED_LISTEN"); v && *v) config.listen = v;
  if (const char* v = std::getenv("KINDRED_TRUSTED_PROXY"); v && *v) {
    auto address = CanonicalAddress("KINDRED_TRUSTED_PROXY", v);
    if (!address) return std::move(address).error();
    config.trusted_proxy = *address;
  }
  if (const char* v = std::getenv("KINDRED_THREADS"); v && *v) {
    unsigned threads = 0;
    std::string_view text(v);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), threads);
    if (ec != std::errc() || end != text.data() + text.size() || threads < 1 || threads > 256) {
      return ConfigError("KINDRED_THREADS must be a whole number from 1 to 256");
    }
    config.threads = threads;
  }
  return Ok();
}

Result<bool> UsesPostgres(std::string_view database) {
  if (database.empty()) return false;
  if (database.starts_with("postgresql://") || database.starts_with("postgres://")) return true;
  return ConfigError("database must be a PostgreSQL URI like postgresql:///kindred, or left out to use "
                     "SQLite in the data directory");
}

Result<std::pair<std::string, unsigned short>> ParseListen(std::string_view listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return ConfigError("listen must look like 127.0.0.1:8080 (got \"" + std::string(listen) + "\")");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return ConfigError("the port in listen must be a number from 1 to 65535 (got \"" + std::string(listen) + "\")");
  }
  return std::pair{host, static_cast<unsigned short>(port)};
}

}  // namespace kindred::app
