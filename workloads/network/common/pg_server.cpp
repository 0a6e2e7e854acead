// wl-pg-server: a real PostgreSQL (Debian's postgresql-15) for the database workloads (db-query,
// db-throughput), started for one run and gone after it. `asyncbench serve postgres` runs it by
// hand; the harness starts one around every run of a workload whose manifest names the server
// role "postgres" (workloads/models.json).
//
//   wl-pg-server [--host 127.0.0.1] [--port 0] [--exit-after-s S] [--max-connections 200]
//
// What it does, in order:
//  1. Sweeps what an earlier wl-pg-server left behind when it was killed (its directory names the
//     pid and start time of the server that made it: a directory whose maker is gone is removed,
//     after every process running in it is killed and its System V segment removed).
//  2. Makes a fresh directory asyncbench-pg-XXXXXX in $TMPDIR, else /dev/shm, else /tmp (0700, owned by the user the database
//     runs as: "postgres", or "nobody" where there is none, when started as root, since the
//     server refuses to run as root; otherwise the caller).
//  3. Copies into it a cluster made once by initdb and seeded (the template, kept in the build
//     tree, build/pg-template/, with 1 MB WAL segments so that it is 32 MB: initdb and the
//     seeding take about 1 s, a copy into memory 0.1 s), then starts
//     `postgres` on it: a Unix socket in the directory and TCP on --host at --port (0: a free
//     one), with the knobs below. The database: user, password and dbname "bench"
//     (scram-sha-256 over TCP, trust over the socket), table items(id integer primary key,
//     payload text not null) with ids 1..10000 and payload 'item-<id>'.
//  4. Prints "listening HOST:PORT" once a connection succeeds, then how to connect.
//  5. On SIGTERM or SIGINT: a fast shutdown of the database (SIGINT to the postmaster), the
//     directory removed, exit 0. If the database exits by itself (killed), the directory is
//     removed and it exits 1 with the reason. --exit-after-s: the same cleanup, then the server
//     ends by SIGALRM's default action, as the other servers' backstop does.
//  Nothing is left after a crash either: the postmaster dies with this process
//  (PR_SET_PDEATHSIG) and a guardian in a session of its own, which waits for this process's
//  end on a pipe, kills anything still running in the directory and removes it. A wl-pg-server
//  killed with SIGKILL is cleaned up within a second.
//
// The knobs (README, "The database"), each because the workloads measure the clients, not the
// disk: fsync=off, synchronous_commit=off, full_page_writes=off (nothing here survives the run,
// so no crash safety is worth a flush); max_connections 200 (the workloads open at most 150);
// shared_buffers 32MB (the table is 0.5 MB); logging to the directory's log only.
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPrefix = "asyncbench-pg-";
constexpr int kRows = 10000;  // pg_workload.hpp's kTableRows
// What the template holds; a change here makes a new template (its directory's name).
constexpr const char* kSeedVersion = "2";

[[noreturn]] void die(const std::string& what, int code = 1) {
  std::fprintf(stderr, "wl-pg-server: %s\n", what.c_str());
  std::exit(code);
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// A process's start time (field 22 of /proc/PID/stat), so that a reused pid is not mistaken for it.
std::string start_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto paren = s.rfind(')');
  if (paren == std::string::npos) return {};
  std::istringstream rest(s.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return {};
}

bool alive(pid_t pid, const std::string& started) {
  return pid > 0 && ::kill(pid, 0) == 0 && start_time(pid) == started;
}

struct User {
  uid_t uid;
  gid_t gid;
  std::string name;
};

User database_user() {
  if (::geteuid() != 0) return {::getuid(), ::getgid(), "(this user)"};
  for (const char* name : {"postgres", "nobody"})
    if (const passwd* pw = ::getpwnam(name)) return {pw->pw_uid, pw->pw_gid, name};
  die("running as root, and neither a 'postgres' nor a 'nobody' user exists to run the database "
      "as (PostgreSQL refuses to run as root)");
}

// In a forked child: become `u` (as root), then die with the parent.
void become(const User& u, pid_t parent) {
  if (::geteuid() == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(u.gid) != 0 || ::setuid(u.uid) != 0) {
      std::perror("wl-pg-server: cannot become the database user");
      ::_exit(127);
    }
  }
  // After the change of user, which clears it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
}

// Runs argv as `u` with stdout and stderr into `log`, waits, and returns its exit status (or
// throws with the end of the log).
void run_as(const User& u, const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(errno_text("fork"));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    become(u, parent);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror(args[0]);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream f(log);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
    throw std::runtime_error(fs::path(argv[0]).filename().string() + " failed: " + text);
  }
}

// The newest PostgreSQL's bin directory of Debian's layout, /usr/lib/postgresql/<major>/bin.
fs::path find_bindir() {
  std::optional<std::pair<int, fs::path>> best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = e.path() / "bin";
    if (!fs::exists(bin / "postgres") || !fs::exists(bin / "initdb")) continue;
    const int major = std::atoi(e.path().filename().c_str());
    if (!best || major > best->first) best = {major, bin};
  }
  if (!best)
    die("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres): `make deps` "
        "installs Debian's postgresql-15");
  return best->second;
}

// The database's processes are those whose working directory is `data` (postgres chdir()s into
// its data directory, every backend with it).
std::vector<pid_t> processes_in(const fs::path& data) {
  std::vector<pid_t> out;
  std::error_code ec;
  const fs::path want = fs::weakly_canonical(data, ec);
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::error_code ec2;
    const fs::path cwd = fs::read_symlink(e.path() / "cwd", ec2);
    if (!ec2 && cwd == want) out.push_back(std::stoi(name));
  }
  return out;
}

// Kills whatever runs in `dir`/data, removes the System V segment postmaster.pid names and the
// directory. Used by the stop, by the guardian and by the sweep.
void remove_cluster(const fs::path& dir) {
  const fs::path data = dir / "data";
  for (int pass = 0; pass < 100; ++pass) {
    const auto pids = processes_in(data);
    if (pids.empty()) break;
    for (const pid_t p : pids) ::kill(p, SIGKILL);
    std::this_thread::sleep_for(10ms);
  }
  // postmaster.pid's 7th line: "<shmem key> <shmem id>" of the segment that guards the data
  // directory; a killed postmaster leaves it behind.
  std::ifstream pidfile(data / "postmaster.pid");
  std::string line;
  for (int i = 1; std::getline(pidfile, line); ++i)
    if (i == 7) {
      std::istringstream f(line);
      long key = 0, id = -1;
      if (f >> key >> id && id >= 0) {
        shmid_ds ds{};
        if (::shmctl(static_cast<int>(id), IPC_STAT, &ds) == 0 && ds.shm_nattch == 0)
          ::shmctl(static_cast<int>(id), IPC_RMID, nullptr);
      }
    }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// An earlier server's directory whose maker is gone (step 1).
void sweep(const fs::path& base) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0 || !e.is_directory()) continue;
    std::ifstream f(e.path() / "owner");
    pid_t pid = 0;
    std::string started;
    if (!(f >> pid >> started)) {
      // No owner yet: being made right now, or made by a server killed at once. Only old ones.
      std::error_code ec2;
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(e.path(), ec2);
      if (ec2 || age < 60s) continue;
    } else if (alive(pid, started)) {
      continue;
    }
    remove_cluster(e.path());
  }
}

fs::path make_dir(const fs::path& base, const User& u) {
  std::string tmpl = (base / (std::string(kPrefix) + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) die(errno_text("mkdtemp in " + base.string()));
  const fs::path dir = tmpl;
  {
    std::ofstream f(dir / "owner");
    f << ::getpid() << ' ' << start_time(::getpid()) << '\n';
  }
  if (::geteuid() == 0 && ::chown(dir.c_str(), u.uid, u.gid) != 0)
    die(errno_text("chown " + dir.string()));
  return dir;
}

// The guardian: forked now, in a session of its own (so that a kill of the server's process group
// misses it), it waits until this process ends (its pipe's write end closes), then removes the
// directory. When the server stops normally it finds the directory gone already.
void start_guardian(const fs::path& dir) {
  int fds[2];
  if (::pipe(fds) != 0) die(errno_text("pipe"));
  const pid_t pid = ::fork();
  if (pid < 0) die(errno_text("fork"));
  if (pid == 0) {
    ::setsid();
    ::close(fds[1]);
    for (int fd = 0; fd < 1024; ++fd)
      if (fd != fds[0]) ::close(fd);
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGINT, SIG_IGN);  // a Ctrl-C of the terminal reaches the server; this waits for it
    char c;
    while (::read(fds[0], &c, 1) < 0 && errno == EINTR) {
    }
    if (fs::exists(dir)) remove_cluster(dir);
    ::_exit(0);
  }
  ::close(fds[0]);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);  // kept open, never written, until this process ends
}

int free_port(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    die(errno_text("cannot find a free port on " + host));
  ::close(fd);
  return ntohs(a.sin_port);
}

struct Postmaster {
  pid_t pid = -1;
};

Postmaster start_postgres(const User& u, const fs::path& bindir, const fs::path& dir,
                          const std::string& listen, int port, int max_connections) {
  const pid_t parent = ::getpid();
  const std::vector<std::string> argv = {
      (bindir / "postgres").string(), "-D", (dir / "data").string(), "-k", dir.string(),
      "-p", std::to_string(port), "-c", "listen_addresses=" + listen,
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
      "-c", "max_connections=" + std::to_string(max_connections), "-c", "shared_buffers=32MB",
      "-c", "log_min_messages=warning", "-c", "logging_collector=off",
      // Dynamic shared memory as files in the data directory, which goes with it, rather than
      // /dev/shm segments that a killed postmaster would leave behind.
      "-c", "dynamic_shared_memory_type=mmap"};
  const fs::path log = dir / "log";
  const pid_t pid = ::fork();
  if (pid < 0) die(errno_text("fork"));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    become(u, parent);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror(args[0]);
    ::_exit(127);
  }
  return {pid};
}

std::string log_tail(const fs::path& dir) {
  std::ifstream f(dir / "log");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() > 300) text = "..." + text.substr(text.size() - 300);
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return text;
}

std::string describe(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  return "exited with " + std::to_string(WEXITSTATUS(status));
}

// Waits until the superuser can connect over the socket; throws if the postmaster exits first.
void wait_ready(const Postmaster& pm, const fs::path& dir, int port) {
  const std::string conninfo = "host=" + dir.string() + " port=" + std::to_string(port) +
                               " user=postgres dbname=postgres connect_timeout=2";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (PQping(conninfo.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pm.pid, &status, WNOHANG) == pm.pid)
      throw std::runtime_error("postgres " + describe(status) + " while starting: " + log_tail(dir));
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("postgres did not accept connections within 30 s: " + log_tail(dir));
    std::this_thread::sleep_for(10ms);
  }
}

// SIGINT to the postmaster (a fast shutdown: backends end, no checkpoint wait), up to 10 s,
// then SIGKILL. Returns how it ended.
int stop_postgres(Postmaster& pm) {
  if (pm.pid <= 0) return 0;
  ::kill(pm.pid, SIGINT);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    const pid_t r = ::waitpid(pm.pid, &status, WNOHANG);
    if (r == pm.pid || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pm.pid, SIGKILL);
      while (::waitpid(pm.pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  pm.pid = -1;
  return status;
}

void exec_sql(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    throw std::runtime_error("seeding: " + sql.substr(0, 60) + ": " + err);
}

PGconn* superuser(const fs::path& dir, int port, const std::string& db) {
  const std::string conninfo = "host=" + dir.string() + " port=" + std::to_string(port) +
                               " user=postgres dbname=" + db;
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string err = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("seeding: connect: " + err);
  }
  return c;
}

void seed(const fs::path& dir, int port) {
  PGconn* c = superuser(dir, port, "postgres");
  try {
    exec_sql(c, "CREATE ROLE bench LOGIN PASSWORD 'bench'");
    exec_sql(c, "CREATE DATABASE bench OWNER bench");
  } catch (...) {
    PQfinish(c);
    throw;
  }
  PQfinish(c);
  c = superuser(dir, port, "bench");
  try {
    exec_sql(c, "CREATE TABLE items (id integer PRIMARY KEY, payload text NOT NULL)");
    exec_sql(c, "INSERT INTO items SELECT i, 'item-' || i FROM generate_series(1, " +
                    std::to_string(kRows) + ") AS i");
    exec_sql(c, "ALTER TABLE items OWNER TO bench");
    exec_sql(c, "VACUUM ANALYZE items");
    exec_sql(c, "CHECKPOINT");
  } catch (...) {
    PQfinish(c);
    throw;
  }
  PQfinish(c);
}

// The template: initdb'd and seeded once per PostgreSQL version, database user and seed, in
// `cache` (build/pg-template). Made in a swept directory of its own and renamed into place, so a
// half-made template is never used, and two servers making it at once both end well.
fs::path ensure_template(const fs::path& cache, const fs::path& base, const fs::path& bindir,
                         const User& u) {
  const std::string key = bindir.parent_path().filename().string() + "-uid" +
                          std::to_string(u.uid) + "-seed" + kSeedVersion;
  const fs::path final_dir = cache / key;
  if (fs::exists(final_dir / "data" / "PG_VERSION")) return final_dir;
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) die("cannot make " + cache.string() + ": " + ec.message());
  const fs::path work = make_dir(base, u);
  try {
    run_as(u,
           {(bindir / "initdb").string(), "-D", (work / "data").string(), "-U", "postgres",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "-N",
            "--wal-segsize=1"},
           work / "initdb.log");
    Postmaster pm = start_postgres(u, bindir, work, "", 5432, 20);  // the socket only
    try {
      wait_ready(pm, work, 5432);
      seed(work, 5432);
    } catch (...) {
      stop_postgres(pm);
      throw;
    }
    const int st = stop_postgres(pm);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      throw std::runtime_error("postgres " + describe(st) + " at the template's shutdown: " + log_tail(work));
    fs::remove(work / "data" / "postmaster.pid", ec);
    // Into the cache (another file system, maybe) beside its final place, then renamed there.
    const fs::path staged = cache / (key + ".part-" + std::to_string(::getpid()));
    fs::remove_all(staged, ec);
    fs::create_directories(staged, ec);
    if (::geteuid() == 0 && ::chown(staged.c_str(), u.uid, u.gid) != 0)
      throw std::runtime_error(errno_text("chown " + staged.string()));
    run_as(u, {"/bin/cp", "-a", (work / "data").string(), (staged / "data").string()},
           work / "cp.log");
    fs::rename(staged, final_dir, ec);
    if (ec) fs::remove_all(staged);
    if (ec && !fs::exists(final_dir / "data" / "PG_VERSION"))
      throw std::runtime_error("cannot move the template into " + final_dir.string() + ": " + ec.message());
  } catch (const std::exception& e) {
    remove_cluster(work);
    die(std::string("making the template cluster: ") + e.what());
  }
  remove_cluster(work);
  return final_dir;
}

// Where the run's cluster goes: $TMPDIR if set; else /dev/shm, memory, where there is one (the
// files are thrown away after the run, and copying the template there took 0.1 s on this
// machine, against 1.8 s into /tmp on its disk); else /tmp.
fs::path run_base() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp && *tmp) return tmp;
  if (::access("/dev/shm", W_OK | X_OK) == 0 && fs::is_directory("/dev/shm")) return "/dev/shm";
  return "/tmp";
}

// The directory the build's programs live in (this program's), whose parent is the build tree.
fs::path exe_dir() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : p.parent_path();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wl-pg-server: a PostgreSQL for one run of the database workloads, removed after it"};
  std::string host = "127.0.0.1";
  int port = 0;
  double exit_after_s = 0;
  int max_connections = 200;
  std::string cache;
  app.add_option("--host", host, "the TCP address to listen on (numeric IPv4)");
  app.add_option("--port", port, "the TCP port (0: a free one)")->check(CLI::Range(0, 65535));
  app.add_option("--exit-after-s", exit_after_s,
                 "end by itself this many seconds after starting (the cleanup, then SIGALRM)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-connections", max_connections, "PostgreSQL's max_connections")
      ->check(CLI::Range(10, 10000));
  app.add_option("--template-dir", cache,
                 "where the initdb'd and seeded template is kept (default: build/pg-template)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "wl-pg-server: %s\n", e.what());
    return 2;
  }
  in_addr addr{};
  if (::inet_pton(AF_INET, host.c_str(), &addr) != 1)
    die("--host: not a numeric IPv4 address: '" + host + "'", 2);
  if (cache.empty()) cache = (exe_dir().parent_path() / "pg-template").string();

  // Every signal that ends the server is taken by sigtimedwait below, never by a handler.
  sigset_t set;
  sigemptyset(&set);
  for (const int s : {SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGCHLD}) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  if (exit_after_s > 0) ::alarm(static_cast<unsigned>(std::ceil(exit_after_s)));

  const fs::path base = run_base();
  const User u = database_user();
  const fs::path bindir = find_bindir();
  sweep(base);
  const fs::path tmpl = ensure_template(cache, base, bindir, u);
  const fs::path dir = make_dir(base, u);
  start_guardian(dir);

  Postmaster pm;
  try {
    run_as(u, {"/bin/cp", "-a", (tmpl / "data").string(), (dir / "data").string()}, dir / "cp.log");
    // A free port may be taken between the look and postgres's bind: try a few.
    for (int attempt = 0;; ++attempt) {
      const int p = port ? port : free_port(host);
      pm = start_postgres(u, bindir, dir, host, p, max_connections);
      try {
        wait_ready(pm, dir, p);
        port = p;
        break;
      } catch (const std::exception& e) {
        stop_postgres(pm);
        if (port || attempt == 4) throw;
        fs::remove(dir / "log");
      }
    }
  } catch (const std::exception& e) {
    stop_postgres(pm);
    remove_cluster(dir);
    die(e.what());
  }

  std::printf("listening %s:%d\n", host.c_str(), port);
  std::printf("PostgreSQL %s (data: %s, as user %s)\n", bindir.parent_path().filename().c_str(),
              (dir / "data").c_str(), u.name.c_str());
  std::printf("connect: psql 'host=%s port=%d user=bench password=bench dbname=bench'\n",
              host.c_str(), port);
  std::printf("     or: psql 'host=%s port=%d user=bench dbname=bench' (the Unix socket)\n",
              dir.c_str(), port);
  std::printf("table items(id integer primary key, payload text): ids 1..%d, payload 'item-<id>'\n",
              kRows);
  std::fflush(stdout);

  int code = 0;
  bool by_alarm = false;
  for (;;) {
    siginfo_t info{};
    const int s = ::sigwaitinfo(&set, &info);
    if (s < 0) continue;
    if (s == SIGCHLD) {
      int status = 0;
      if (::waitpid(pm.pid, &status, WNOHANG) == pm.pid) {
        pm.pid = -1;
        // Its log says nothing of a SIGKILL: the reason alone, as the last line.
        std::fprintf(stderr, "wl-pg-server: the database (postgres) %s during the run\n",
                     describe(status).c_str());
        code = 1;
        break;
      }
      continue;  // another child (the guardian is not ours to wait for: it is in its own session)
    }
    by_alarm = s == SIGALRM;
    const int status = stop_postgres(pm);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "wl-pg-server: the database (postgres) %s before or at the stop\n",
                   describe(status).c_str());
      code = 1;
    }
    break;
  }
  remove_cluster(dir);
  if (by_alarm) {
    ::signal(SIGALRM, SIG_DFL);
    sigset_t a;
    sigemptyset(&a);
    sigaddset(&a, SIGALRM);
    ::sigprocmask(SIG_UNBLOCK, &a, nullptr);
    ::raise(SIGALRM);
  }
  return code;
}
