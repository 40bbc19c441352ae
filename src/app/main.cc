// kindred: the one binary. Subcommands serve the forum and look after its data.
// This file is the composition root: the only place that names concrete backends.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "api/api.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/import.h"
#include "app/migrate_store_command.h"
#include "app/progress.h"
#include "core/clock.h"
#include "forum/forum.h"
#include "forum/limits.h"
#include "forum/passwords.h"
#include "http/routes.h"
#include "jobs/indexer.h"
#include "jobs/periodic_job.h"
#include "live/hub.h"
#include "safety/evaluation.h"
#include "search/evaluation.h"
#include "search/xapian/xapian_index.h"
#include "http/server.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_store.h"
#include "web/pages.h"

namespace kindred::app {
namespace {

int Fail(const std::string& message) {
  std::cerr << "kindred: " << message << "\n";
  return 1;
}

// A command that looks after an existing forum must not make a new empty one where --data
// points by mistake (a reindex of nothing "succeeds"); serving, importing and a first admin may.
enum class Creating { kAllowed, kRefused };

Result<std::unique_ptr<store::Store>> OpenStore(const Config& config, Creating creating = Creating::kAllowed) {
  auto postgres = UsesPostgres(config.database);
  if (!postgres) return std::move(postgres).error();
  if (*postgres) return store::OpenPostgresStore(config.database);
  const std::filesystem::path file = config.DatabaseFile();
  std::error_code ec;
  if (creating == Creating::kRefused && !std::filesystem::exists(file, ec)) {
    return Error::NotFound("no_store", "there is no forum in " + config.data_dir.string() + " (no " +
                                           file.filename().string() + " there): check --data");
  }
  auto opened = store::OpenSqliteStore(file);
  if (opened) return opened;
  // The store's own words are written for a page's visitors; an operator needs the file and why.
  Error error = std::move(opened).error();
  const std::string why = error.code == ErrorCode::kUnavailable
                              ? "its folder may not exist, may be a file, or this user may not write to it"
                              : error.message;
  error.message = "could not open the database " + file.string() + ": " + why;
  return error;
}

// Opens the search index, rebuilding it from the store when it was written by another version
// of Kindred (the index is derived data: nothing is lost).
Result<std::unique_ptr<search::XapianIndex>> OpenIndex(const Config& config, store::Store& store) {
  auto index = search::XapianIndex::Open(config.SearchIndexDir());
  if (!index) return std::move(index).error();
  auto latest = store.LatestEventSeq();
  if (!latest) return std::move(latest).error();
  // An index ahead of the store's change feed was built from other data: a restored backup, or
  // a store that was replaced. Catching up from there would skip the store's own posts.
  const bool ahead_of_store = (*index)->AppliedSeq() > *latest;
  if ((*index)->NeedsRebuild() || ahead_of_store) {
    spdlog::info(ahead_of_store ? "the search index is ahead of the database (restored from a backup?): rebuilding it"
                                : "the search index is from another version of Kindred: rebuilding it");
    KINDRED_TRY((*index)->Clear());
    jobs::Indexer indexer(store, **index);
    auto rebuilt = indexer.Rebuild(nullptr);
    if (!rebuilt) return std::move(rebuilt).error();
    spdlog::info("rebuilt the search index ({} posts)", *rebuilt);
    index->reset();  // closed, so that it can be compacted
    if (auto compacted = search::CompactXapianIndex(config.SearchIndexDir()); compacted) {
      spdlog::info("compacted the search index from {} to {} MB", compacted->bytes_before >> 20,
                   compacted->bytes_after >> 20);
    } else {
      spdlog::warn("{} Search works as well, a little slower.", compacted.error().message);
    }
    index = search::XapianIndex::Open(config.SearchIndexDir());
  }
  return index;
}

// Reads a password without echoing it when stdin is a terminal.
std::string ReadPassword(bool from_stdin, std::string_view prompt) {
  std::string password;
  bool terminal = !from_stdin && isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::cerr << prompt << " (at least " << forum::kPasswordMin << " characters): " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

int RunServe(const Config& config) {
  auto listen = ParseListen(config.listen);
  if (!listen) return Fail(listen.error().message);
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  auto index = OpenIndex(config, **store);
  if (!index) {
    return Fail("could not open the search index in " + config.SearchIndexDir().string() + ": " +
                index.error().message +
                " (is another kindred serve already running on this data directory? Stop it first, or give another --data)");
  }
  forum::Forum forum(**store, clock, config.rate_limits, config.safety);
  forum.SetModerationRules(config.new_members, config.flags);
  forum.AttachSearchIndex(index->get());
  if (!config.database.empty()) {  // several nodes may share the database: and so the limits
    if (auto shared = forum.ShareRateLimitsThroughStore(); !shared) return Fail(shared.error().message);
  }
  web::Pages pages(forum, {config.site_name, config.site_description});
  api::Api api(forum);
  // Live replies on open topic pages, following the change feed (LISTEN/NOTIFY on PostgreSQL).
  live::Hub live_hub(**store);
  live_hub.Start();
  pages.AttachLiveHub(&live_hub);
  api.AttachLiveHub(&live_hub);
  store::Store& feed = **store;
  search::SearchIndex& search_index = **index;
  http::RouteTable routes(forum, pages, api,
                          {config.trusted_proxy, true,
                           [&feed]() -> std::optional<std::int64_t> {
                             auto seq = feed.LatestEventSeq();
                             if (!seq) return std::nullopt;
                             return *seq;
                           },
                           [&search_index] { return search_index.AppliedSeq(); }});

  http::ServerOptions options;
  options.host = listen->first;
  options.port = listen->second;
  options.threads = config.threads;
  options.on_listening = [&] {
    std::string shown = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    spdlog::info("Kindred is listening on http://{}:{} (data in {})", shown, options.port, config.data_dir.string());
  };
  // Checked a few times within the shorter configured wait, so an alert is never much later than promised.
  auto follow_up_check = std::chrono::milliseconds(std::clamp<long long>(
      std::min(config.safety.waiting_for_reply_seconds, config.safety.crisis_reminder_seconds) * 1000 / 4, 250,
      60'000));
  // Addresses are kept only as rate-limit counts under a keyed hash; this makes sure even those go
  // within an hour of a person's last request, on a quiet forum too (docs/privacy.md).
  jobs::PeriodicJob address_expiry("address-expiry", std::chrono::minutes(10), [&forum] {
    if (auto forgotten = forum.ForgetIdleAddresses(); !forgotten) {
      spdlog::error("could not forget idle rate-limit counts: {}", forgotten.error().message);
    }
  });
  jobs::PeriodicJob safety_follow_ups("safety-follow-ups", follow_up_check, [&forum] {
    if (auto raised = forum.RaiseWaitingForReply(); !raised) {
      spdlog::error("could not check for posts waiting for a reply: {}", raised.error().message);
    } else if (*raised > 0) {
      spdlog::info("raised {} post(s) waiting for a reply", *raised);
    }
    if (auto reminded = forum.RemindOfWaitingCrisisItems(); !reminded) {
      spdlog::error("could not check for crisis items waiting for a moderator: {}", reminded.error().message);
    } else if (*reminded > 0) {
      spdlog::info("reminded moderators of {} crisis item(s) still waiting for a decision", *reminded);
    }
  });
  safety_follow_ups.Start();
  address_expiry.Start();

  // The index follows the change feed: a new post is searchable well within a second, and a
  // failure here never touches a write (it is retried on the next tick).
  jobs::Indexer indexer(**store, **index);
  if (auto caught_up = indexer.CatchUp(); !caught_up) {
    spdlog::error("the search index could not catch up yet: {}", caught_up.error().message);
  }
  // After a failure (a full disk, say) it tries again less and less often, up to once a minute,
  // so a lasting fault neither spins nor fills the log; the first success resets the pace.
  int failures = 0;
  int ticks_to_skip = 0;
  jobs::PeriodicJob indexing("indexer", std::chrono::milliseconds(200), [&] {
    if (ticks_to_skip > 0) {
      --ticks_to_skip;
      return;
    }
    auto applied = indexer.CatchUp();
    if (applied) {
      if (failures > 0) spdlog::info("search indexing works again after {} failed tries", failures);
      failures = 0;
      return;
    }
    ++failures;
    ticks_to_skip = std::min(1 << std::min(failures, 9), 300) - 1;
    spdlog::error("search indexing failed, will retry in {} s: {}", (ticks_to_skip + 1) / 5.0,
                  applied.error().message);
  });
  indexing.Start();

  options.lane_for = [&routes](const http::Request& request) { return routes.LaneFor(request); };
  auto served = http::Serve(options, [&routes](http::Request& request) { return routes.Dispatch(request); });
  live_hub.Stop();
  safety_follow_ups.Stop();
  address_expiry.Stop();
  indexing.Stop();
  if (!served) return Fail(served.error().message);
  spdlog::info("Kindred stopped");
  return 0;
}

int RunAdminCreate(const Config& config, const std::string& name, bool password_stdin) {
  if (!password_stdin && !isatty(STDIN_FILENO)) {
    return Fail("give the password on standard input with --password-stdin, or run this in a terminal");
  }
  std::string password = ReadPassword(password_stdin, "Password for the new admin");
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  forum::Forum forum(**store, clock, config.rate_limits);
  auto admin = forum.CreateAdmin(name, password);
  if (!admin) return Fail(admin.error().message);
  std::cout << "Made admin " << admin->username << ". Sign in at /login.\n";
  return 0;
}

int RunResetPassword(const Config& config, const std::string& name, bool password_stdin) {
  if (!password_stdin && !isatty(STDIN_FILENO)) {
    return Fail("give the new password on standard input with --password-stdin, or run this in a terminal");
  }
  std::string password = ReadPassword(password_stdin, "New password for " + name);
  auto store = OpenStore(config, Creating::kRefused);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  forum::Forum forum(**store, clock, config.rate_limits);
  if (auto reset = forum.ResetPassword(name, password); !reset) return Fail(reset.error().message);
  std::cout << "Set a new password for " << name << " and signed them out everywhere. Give it to them privately;"
            << " they can change it on their account page.\n";
  return 0;
}

int RunDemo(const Config& config, bool remove, bool if_empty) {
  auto store = OpenStore(config, remove ? Creating::kRefused : Creating::kAllowed);
  if (!store) return Fail(store.error().message);
  if (remove) {
    auto removed = RemoveDemoContent(**store);
    if (!removed) return Fail(removed.error().message);
    std::cout << "Removed the demo content. Everything else is as it was.\n";
    return 0;
  }
  if (if_empty) {
    auto users = (*store)->CountUsers();
    if (!users) return Fail(users.error().message);
    if (*users > 0) return 0;  // not a first start: leave the community as it is
  }
  SystemClock clock;
  forum::Forum forum(**store, clock, config.rate_limits);
  auto created = AddDemoContent(**store, forum, clock, [](const std::string& name, const std::string& password) {
    std::cout << "\n  Admin account:  " << name << "\n  Password:       " << password
              << "\n\n  Keep this password: it is shown only once.\n\n"
              << std::flush;
  });
  if (!created) return Fail(created.error().message);
  std::cout << "Added " << created->threads << " demo threads (remove them with: kindred demo --remove --data "
            << config.data_dir.string() << ").\n";
  return 0;
}

// Compacts the search index (the server stopped) and says how much smaller it is; says why not
// when it cannot, and returns whether it did.
bool CompactIndex(const Config& config) {
  std::cout << "Compacting the search index ..." << std::flush;
  auto compacted = search::CompactXapianIndex(config.SearchIndexDir());
  if (!compacted) {
    std::cout << "\n" << compacted.error().message << "\n";
    return false;
  }
  std::cout << " " << (compacted->bytes_before >> 20) << " MB before, " << (compacted->bytes_after >> 20)
            << " MB now.\n";
  return true;
}

int RunReindex(const Config& config) {
  auto store = OpenStore(config, Creating::kRefused);
  if (!store) return Fail(store.error().message);
  std::int64_t posts = 0;
  {
    auto index = search::XapianIndex::Open(config.SearchIndexDir());
    if (!index) return Fail(index.error().message + " (is kindred serve running on this data directory? stop it first)");
    if (auto cleared = (*index)->Clear(); !cleared) return Fail(cleared.error().message);
    jobs::Indexer indexer(**store, **index);
    ProgressBar bar(1);
    auto rebuilt = indexer.Rebuild([&bar](std::int64_t done, std::int64_t total) {
      bar.SetTotal(static_cast<std::size_t>(total));
      bar.Update(static_cast<std::size_t>(done));
    });
    bar.Finish();
    if (!rebuilt) return Fail(rebuilt.error().message);
    posts = *rebuilt;
  }
  std::cout << "Rebuilt the search index: " << posts << " posts.\n";
  // The rebuilt index stands as it is if compacting fails: that only makes it smaller and faster.
  (void)CompactIndex(config);
  return 0;
}

int RunCompactIndex(const Config& config) {
  if (!std::filesystem::exists(config.SearchIndexDir())) return Fail("there is no search index in " + config.data_dir.string());
  if (CompactIndex(config)) return 0;
  return Fail("the search index was left as it was (if kindred serve is running on this data directory, stop it first)");
}

int RunBackup(const Config& config, const std::string& to) {
  if (!config.database.empty()) {
    return Fail("backup copies the SQLite store; on PostgreSQL use pg_dump (docs/operations.md shows how)");
  }
  auto report = store::BackupSqliteStore(config.DatabaseFile(), to);
  if (!report) return Fail(report.error().message);
  std::cout << "Backed up " << config.DatabaseFile().string() << " to " << to << " (" << report->bytes / 1024
            << " KB, checked). Restore it by stopping Kindred and copying it to " << config.DatabaseFile().string()
            << "; search rebuilds itself on the next start.\n";
  return 0;
}

int RunEvalSearch(const std::string& dir, bool verbose) {
  auto report = search::EvaluateSearch(dir);
  if (!report) return Fail(report.error().message);
  search::PrintReport(*report, std::cout, verbose);
  return 0;
}

int RunSafetyEval(const std::string& file) {
  std::ifstream input(file);
  if (!input) return Fail("could not open " + file);
  safety::EvalReport report = safety::Evaluate(safety::Detector::Default(), input);
  safety::PrintReport(report, std::cout);
  return report.errors.empty() ? 0 : 2;
}

int RunImport(const Config& config, const std::string& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) return Fail("could not open " + file);
  std::error_code ignored;
  ProgressBar bar(std::filesystem::file_size(file, ignored));
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  ImportOptions options;
  options.on_progress = [&bar](std::size_t done) { bar.Update(done); };
  ImportReport report = ImportThreads(**store, clock, input, options);
  bar.Finish();
  for (const auto& problem : report.problems) std::cerr << "skipped " << problem << "\n";
  std::cout << "Imported " << report.threads_imported << " threads (" << report.posts_imported << " posts)";
  if (!report.problems.empty()) std::cout << "; skipped " << report.problems.size() << " lines, listed above";
  std::cout << ".\n";
  if (report.stopped) {
    return Fail("the import stopped, because the database could not take more at " + *report.stopped +
                ". Lines up to " + std::to_string(report.last_line_imported) +
                " are imported: once the database is working, import the rest of the file from the line after that.");
  }
  return report.problems.empty() ? 0 : 2;
}

}  // namespace
}  // namespace kindred::app

int main(int argc, char** argv) {
  using namespace kindred::app;
  if (!kindred::forum::InitCrypto()) return Fail("libsodium could not start");
  // The database, its backups and the search index hold password hashes, hidden posts and who
  // wrote anonymous ones: whatever Kindred creates is for the account it runs as alone.
  umask(077);

  CLI::App cli{
      "Kindred: a peer-support forum server.\n"
      "Settings come from --config FILE (TOML), then KINDRED_* environment variables, then flags."};
  cli.require_subcommand(1);
  std::string config_file;
  std::string data_dir;
  cli.add_option("--config", config_file, "TOML configuration file (see docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cli.add_option("--data", data_dir, "data directory holding kindred.db (default ./data, or KINDRED_DATA)");
  std::string database;
  cli.add_option("--database", database,
                 "a PostgreSQL URI such as postgresql:///kindred, to keep the forum there (default: SQLite in --data)");

  auto* serve = cli.add_subcommand("serve", "Serve the forum over HTTP");
  std::string listen;
  unsigned threads = 0;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080, or KINDRED_LISTEN)");
  serve->add_option("--threads", threads, "worker threads (default 4, or KINDRED_THREADS)")->check(CLI::Range(1, 256));

  auto* admin = cli.add_subcommand("admin", "Look after accounts");
  admin->require_subcommand(1);
  auto* admin_create = admin->add_subcommand("create", "Make an admin account (password from a prompt or stdin)");
  std::string admin_name;
  bool password_stdin = false;
  admin_create->add_option("NAME", admin_name, "username of the new admin")->required();
  admin_create->add_flag("--password-stdin", password_stdin, "read the password from standard input");
  auto* admin_reset = admin->add_subcommand(
      "reset-password", "Set a new password for a member who lost theirs, and sign them out everywhere");
  std::string reset_name;
  admin_reset->add_option("NAME", reset_name, "username of the member")->required();
  admin_reset->add_flag("--password-stdin", password_stdin, "read the new password from standard input");

  auto* demo = cli.add_subcommand("demo", "Add demo content (clearly marked) and an admin, or remove it");
  bool demo_remove = false;
  bool demo_if_empty = false;
  demo->add_flag("--remove", demo_remove, "remove every demo category, thread and author");
  demo->add_flag("--if-empty", demo_if_empty, "only on a fresh data directory (used by make run)");

  auto* import = cli.add_subcommand("import", "Import threads from a JSON Lines file (see docs/import.md)");
  std::string import_file;
  import->add_option("FILE", import_file, "the .jsonl file")->required()->check(CLI::ExistingFile);

  auto* reindex = cli.add_subcommand("reindex", "Rebuild the search index from the store and compact it (stop serve first)");
  auto* compact_index = cli.add_subcommand(
      "compact-index", "Compact the search index as it is, without rebuilding it: smaller and faster (stop serve first)");

  auto* backup = cli.add_subcommand("backup", "Copy the SQLite store to FILE, safely, while serve keeps running");
  std::string backup_to;
  backup->add_option("--to", backup_to, "the backup file to write (replaced if it exists)")->required();

  auto* migrate_store = cli.add_subcommand(
      "migrate-store", "Copy the whole community to another store (SQLite <-> PostgreSQL) and verify the copy");
  std::string migrate_from;
  std::string migrate_to;
  bool migrate_replace = false;
  migrate_store->add_option("--from", migrate_from, "data directory, .db file or postgresql:// URI to copy")->required();
  migrate_store->add_option("--to", migrate_to, "data directory, .db file or postgresql:// URI to copy into (empty)")
      ->required();
  migrate_store->add_flag("--replace", migrate_replace,
                          "delete what the destination holds first (an older copy of this community)");

  auto* eval_search = cli.add_subcommand("eval-search", "Measure search quality on an evaluation set (see tests/search)");
  std::string eval_search_dir;
  bool eval_verbose = false;
  eval_search->add_option("DIR", eval_search_dir, "a directory laid out like tests/search")->required()->check(CLI::ExistingDirectory);
  eval_search->add_flag("--verbose", eval_verbose, "list every miss");

  auto* safety_eval = cli.add_subcommand("safety-eval", "Measure the crisis detector on a TSV file (columns label, text)");
  std::string safety_eval_file;
  safety_eval->add_option("FILE", safety_eval_file, "the .tsv file")->required()->check(CLI::ExistingFile);

  // Options given after the subcommand name belong to it; accept --config/--data there too.
  for (auto* sub : {serve, admin_create, admin_reset, demo, import, reindex, compact_index, backup}) {
    sub->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
    sub->add_option("--data", data_dir, "data directory holding kindred.db");
    sub->add_option("--database", database, "a PostgreSQL URI such as postgresql:///kindred (default: SQLite in --data)");
  }

  CLI11_PARSE(cli, argc, argv);

  Config config;
  if (!config_file.empty()) {
    auto loaded = LoadConfigFile(config_file, config);
    if (!loaded) return Fail(loaded.error().message);
  }
  if (auto env = ApplyEnvironment(config); !env) return Fail(env.error().message);
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!database.empty()) config.database = database;
  if (!listen.empty()) config.listen = listen;
  if (threads > 0) config.threads = threads;

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  if (*serve) return RunServe(config);
  if (*admin_create) return RunAdminCreate(config, admin_name, password_stdin);
  if (*admin_reset) return RunResetPassword(config, reset_name, password_stdin);
  if (*demo) return RunDemo(config, demo_remove, demo_if_empty);
  if (*import) return RunImport(config, import_file);
  if (*reindex) return RunReindex(config);
  if (*compact_index) return RunCompactIndex(config);
  if (*backup) return RunBackup(config, backup_to);
  if (*migrate_store) {
    // It names both stores itself; a --data or --database given as well would be quietly ignored.
    if (!data_dir.empty() || !database.empty()) {
      return Fail("migrate-store takes the stores as --from and --to; leave out --data and --database");
    }
    return RunMigrateStore(migrate_from, migrate_to, migrate_replace, std::cout);
  }
  if (*eval_search) return RunEvalSearch(eval_search_dir, eval_verbose);
  if (*safety_eval) return RunSafetyEval(safety_eval_file);
  return 0;
}
