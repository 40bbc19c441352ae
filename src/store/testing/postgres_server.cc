#include "store/testing/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace kindred::testutil {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Where Debian's postgresql package puts the server programs, one folder per major version.
constexpr const char* kDebianPostgresRoot = "/usr/lib/postgresql";
// Overrides the search, for a PostgreSQL installed elsewhere.
constexpr const char* kBinDirVariable = "KINDRED_PG_BINDIR";
// The account the server runs as when the tests run as root: initdb and postgres refuse root,
// and Debian's package creates this one.
constexpr const char* kServerAccount = "postgres";
// How long the server may take to accept connections, and to stop. A start takes about a
// second here; a loaded CI machine can be many times slower.
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(20);
// A free port is found by binding port 0 and letting it go; another process can take it before
// the server binds it, so a failed start is tried again on a new port this many times.
constexpr int kStartAttempts = 3;
// How much of a log to show when a program fails: the end holds the reason.
constexpr std::size_t kLogTailBytes = 2000;

Error Failed(std::string message) { return Error::Internal("Test PostgreSQL server: " + std::move(message)); }

std::string LogTail(const fs::path& log) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > kLogTailBytes ? all.substr(all.size() - kLogTailBytes) : all;
}

Result<fs::path> FindBinDir() {
  if (const char* configured = std::getenv(kBinDirVariable); configured != nullptr && *configured != '\0') {
    if (fs::exists(fs::path(configured) / "initdb")) return fs::path(configured);
    return Failed(std::string("no initdb in ") + kBinDirVariable + "=" + configured + ".");
  }
  std::optional<fs::path> best;
  int best_major = -1;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(kDebianPostgresRoot, error)) {
    fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "postgres")) continue;
    int major = std::atoi(entry.path().filename().c_str());
    if (major > best_major) {
      best_major = major;
      best = bin;
    }
  }
  if (best) return *best;
  return Failed(std::string("the PostgreSQL server programs (initdb, postgres) were not found in ") +
                kDebianPostgresRoot +
                "/*/bin. Install Debian's postgresql package (scripts/install-deps --test "
                "does), or set " +
                kBinDirVariable + " to the folder that holds them.");
}

// Whom the server programs run as: ourselves, or the postgres account when we are root.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Account> ServerAccount() {
  if (geteuid() != 0) return Account{};
  const passwd* entry = getpwnam(kServerAccount);
  if (entry == nullptr) {
    return Failed(std::string("the tests run as root, which PostgreSQL refuses, and there is no '") + kServerAccount +
                  "' account to run it as. Install Debian's postgresql package, which creates it.");
  }
  return Account{true, entry->pw_uid, entry->pw_gid};
}

// Starts `argv` with its output going to `log`, as `account`. When `tie_to_us` is set, the child
// is sent SIGINT (PostgreSQL's fast shutdown) should the thread that started it die first.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const fs::path& log, const Account& account, bool tie_to_us) {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Failed("cannot write " + log.string() + ".");
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    close(null_fd);
    return Failed("fork failed.");
  }
  if (pid == 0) {
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (account.switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(account.gid) != 0 || setuid(account.uid) != 0) _exit(126);
    }
    // After setuid, which clears the death signal.
    if (tie_to_us) {
      prctl(PR_SET_PDEATHSIG, SIGINT);
      if (getppid() != parent) _exit(125);  // we died before the signal was set
    }
    execv(args[0], args.data());
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  return pid;
}

Result<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Failed("cannot open a socket to find a free port.");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return Failed("cannot bind a loopback port.");
  }
  close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

// Waits for `pid` to exit, up to `timeout`; its exit status, or nullopt when it is still running.
std::optional<int> WaitFor(pid_t pid, Clock::duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) return status;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  Result<fs::path> bin = FindBinDir();
  if (!bin.ok()) return std::move(bin).error();
  Result<Account> account = ServerAccount();
  if (!account.ok()) return std::move(account).error();

  std::string pattern = (fs::temp_directory_path() / "kindred-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Failed("cannot create a temporary directory.");
  const fs::path dir = pattern;
  // From here on the directory is removed on every path out, with the server if one started.
  auto give_up = [&](Error error) -> Error {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    return error;
  };
  if (account->switch_user && chown(dir.c_str(), account->uid, account->gid) != 0) {
    return give_up(Failed("cannot hand " + dir.string() + " to the postgres account."));
  }

  // --no-sync: initdb's own final sync buys nothing for a server that lives for one test run.
  // The server itself runs with fsync on, as in production, so commits cost what they will.
  const fs::path data = dir / "data";
  const fs::path initdb_log = dir / "initdb.log";
  Result<pid_t> initdb = Spawn({(*bin / "initdb").string(), "-D", data.string(), "-U", "postgres", "-A", "trust", "-E",
                                "UTF8", "--locale=C", "--no-sync"},
                               initdb_log, *account, /*tie_to_us=*/false);
  if (!initdb.ok()) return give_up(std::move(initdb).error());
  std::optional<int> initdb_status = WaitFor(*initdb, kStartTimeout);
  if (!initdb_status || !WIFEXITED(*initdb_status) || WEXITSTATUS(*initdb_status) != 0) {
    if (!initdb_status) {
      kill(*initdb, SIGKILL);
      waitpid(*initdb, nullptr, 0);
    }
    return give_up(Failed("initdb failed:\n" + LogTail(initdb_log)));
  }

  // The server is started directly rather than through pg_ctl, which would detach it from us:
  // as our child it can be tied to our life (Spawn), so a test binary that crashes does not leave
  // a server running, and stopping it is a signal and a wait.
  const fs::path server_log = dir / "server.log";
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    Result<int> port = FreeLoopbackPort();
    if (!port.ok()) return give_up(std::move(port).error());
    Result<pid_t> pid = Spawn({(*bin / "postgres").string(), "-D", data.string(), "-p", std::to_string(*port), "-c",
                               "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir.string(), "-c",
                               "fsync=on", "-c", "synchronous_commit=on"},
                              server_log, *account, /*tie_to_us=*/true);
    if (!pid.ok()) return give_up(std::move(pid).error());
    std::unique_ptr<PostgresServer> server(new PostgresServer(dir, *port, *pid));
    const std::string conninfo = server->ConnInfo() + " connect_timeout=2";
    const Clock::time_point deadline = Clock::now() + kStartTimeout;
    while (Clock::now() < deadline) {
      if (PQping(conninfo.c_str()) == PQPING_OK) return server;
      int status = 0;
      if (waitpid(*pid, &status, WNOHANG) == *pid) {
        server->pid_ = 0;  // already gone
        break;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    // Not ready: stop it (if it still runs) without deleting the directory, and try again.
    server->dir_.clear();
    server.reset();
  }
  return give_up(Failed("the server did not start:\n" + LogTail(server_log)));
}

Result<PostgresServer*> PostgresServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<PostgresServer> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return *failure;
  Result<std::unique_ptr<PostgresServer>> started = Start();
  if (!started.ok()) {
    failure = started.error();
    return *failure;
  }
  server = std::move(*started);
  return server.get();
}

PostgresServer::~PostgresServer() {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // fast shutdown: ends sessions, checkpoints, exits
    if (!WaitFor(pid_, kStopTimeout)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::ConnInfo(std::string_view database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + std::string(database);
}

Result<void> PostgresServer::Execute(const std::string& sql) {
  PGconn* connection = PQconnectdb(ConnInfo().c_str());
  Result<void> outcome = Ok();
  if (PQstatus(connection) != CONNECTION_OK) {
    outcome = Failed(std::string("cannot connect: ") + PQerrorMessage(connection));
  } else {
    PGresult* result = PQexec(connection, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      outcome = Failed(sql + ": " + PQresultErrorMessage(result));
    }
    PQclear(result);
  }
  PQfinish(connection);
  return outcome;
}

Result<std::string> PostgresServer::CreateDatabase(std::string_view name) {
  if (!ValidName(name)) return Failed("database names here are [a-z0-9_]: " + std::string(name));
  KINDRED_TRY(Execute("CREATE DATABASE " + std::string(name)));
  return ConnInfo(name);
}

Result<std::string> PostgresServer::CreateSchema(std::string_view name) {
  if (!ValidName(name)) return Failed("schema names here are [a-z0-9_]: " + std::string(name));
  KINDRED_TRY(Execute("CREATE SCHEMA " + std::string(name)));
  return ConnInfo() + " options='-csearch_path=" + std::string(name) + "'";
}

Result<std::string> PostgresServer::EmptySchema(std::string_view name) {
  if (!ValidName(name)) return Failed("schema names here are [a-z0-9_]: " + std::string(name));
  const std::string schema(name);
  // session_replication_role = replica turns off the foreign-key triggers for this transaction
  // (we are the superuser), so the tables can be emptied in any order; DELETE rather than
  // TRUNCATE, which swaps every table's files and takes ~150 ms.
  KINDRED_TRY(Execute("CREATE SCHEMA IF NOT EXISTS " + schema + "; " +
                      "DO $$ DECLARE item record; BEGIN"
                      "  SET LOCAL session_replication_role = replica;"
                      "  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = '" +
                      schema +
                      "'"
                      "      AND tablename <> 'schema_migrations' LOOP"
                      "    EXECUTE format('DELETE FROM %I.%I', '" +
                      schema +
                      "', item.tablename);"
                      "  END LOOP;"
                      "  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = '" +
                      schema +
                      "' LOOP"
                      "    EXECUTE format('ALTER SEQUENCE %I.%I RESTART', '" +
                      schema +
                      "', item.sequencename);"
                      "  END LOOP;"
                      " END $$"));
  return ConnInfo() + " options='-csearch_path=" + schema + "'";
}

}  // namespace kindred::testutil
