// Config: how `kindred serve` and the other commands are set up. Three layers, each overriding
// the one before: the TOML file (--config), KINDRED_* environment variables, command-line flags.
// docs/configuration.md lists every key.
// Thread-safety: plain value, read-only after start.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"
#include "forum/forum.h"

namespace kindred::app {

struct Config {
  std::filesystem::path data_dir = "./data";
  // Empty: SQLite in data_dir. Otherwise a PostgreSQL URI ("postgresql://user@host/db"); the data
  // directory then holds only this node's search index.
  std::string database;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 4;
  std::string trusted_proxy;
  std::string site_name = "Kindred";
  std::string site_description = "A place to ask, listen and be heard.";
  forum::RateLimits rate_limits;
  forum::SafetyOptions safety;
  forum::NewMemberRules new_members;
  forum::FlagRules flags;

  std::filesystem::path DatabaseFile() const { return data_dir / "kindred.db"; }
  std::filesystem::path SearchIndexDir() const { return data_dir / "search"; }
};

// Reads the TOML file into `config`, keeping what the file does not set. An unknown key or a
// wrong type is an error naming it, so a typo in the file does not pass silently.
Result<void> LoadConfigFile(const std::filesystem::path& file, Config& config);

// KINDRED_DATA, KINDRED_DATABASE, KINDRED_LISTEN, KINDRED_THREADS, KINDRED_TRUSTED_PROXY.
Result<void> ApplyEnvironment(Config& config);

// Whether `database` names a PostgreSQL database (rather than the default SQLite file); an error
// names what is wrong with a value that is neither empty nor a postgresql:// URI.
Result<bool> UsesPostgres(std::string_view database);

// "127.0.0.1:8080", "[::1]:8080" -> host and port.
Result<std::pair<std::string, unsigned short>> ParseListen(std::string_view listen);

}  // namespace kindred::app
