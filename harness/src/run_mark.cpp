#include "run_mark.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

// The record of the RunMark alive in this process (one run per process).
int g_record_fd = -1;

struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
  unsigned long long start = 0;  // clock ticks after boot
};

// /proc/<pid>/stat; false when the process is gone. The name (field 2) may hold spaces and
// parentheses: the fields that follow start after its last ')'.
bool read_stat(pid_t pid, ProcStat& st) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 1));
  std::string f;
  std::vector<std::string> v;
  while (fields >> f && v.size() < 20) v.push_back(f);
  if (v.size() < 20) return false;
  st.state = v[0][0];
  st.ppid = static_cast<pid_t>(std::stol(v[1]));
  st.pgrp = static_cast<pid_t>(std::stol(v[2]));
  st.start = std::stoull(v[19]);
  return true;
}

std::string mark_of_self() {
  ProcStat st;
  read_stat(::getpid(), st);
  return std::to_string(::getpid()) + "." + std::to_string(st.start);
}

// Is the harness a mark names still running? (The same pid and start time: a pid reused since
// is another process.)
bool harness_alive(const std::string& mark) {
  const auto dot = mark.find('.');
  if (dot == std::string::npos || dot == 0) return false;
  char* end = nullptr;
  const long pid = std::strtol(mark.c_str(), &end, 10);
  if (end != mark.c_str() + dot || pid <= 0) return false;
  ProcStat st;
  if (!read_stat(static_cast<pid_t>(pid), st) || st.state == 'Z' || st.state == 'X') return false;
  return std::to_string(st.start) == mark.substr(dot + 1);
}

// The mark in /proc/<pid>/environ ("" when none, or when it cannot be read: another user's
// process, or one already gone).
std::string mark_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  const std::string key = std::string(run_mark_variable) + "=";
  for (std::string var; std::getline(in, var, '\0');)
    if (var.compare(0, key.size(), key) == 0) return var.substr(key.size());
  return {};
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      if (pid > 0 && *end == '\0') pids.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
  }
  return pids;
}

std::set<pid_t> self_and_ancestors() {
  std::set<pid_t> s;
  for (pid_t p = ::getpid(); p > 1 && s.insert(p).second;) {
    ProcStat st;
    if (!read_stat(p, st)) break;
    p = st.ppid;
  }
  return s;
}

fs::path record_path(const fs::path& dir, const std::string& mark) {
  return dir / ("run-" + mark + ".groups");
}

std::set<pid_t> recorded_groups(const fs::path& record) {
  std::set<pid_t> groups;
  std::ifstream in(record);
  for (long g; in >> g;)
    if (g > 1) groups.insert(static_cast<pid_t>(g));
  return groups;
}

}  // namespace

fs::path runtime_dir() {
  const uid_t uid = ::getuid();
  fs::path dir;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/')
    dir = fs::path(x) / "asyncbench";
  else
    dir = "/tmp/asyncbench-" + std::to_string(uid);
  ::mkdir(dir.c_str(), 0700);  // EEXIST is checked below like any other state
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid ||
      (st.st_mode & 0077) != 0)
    return {};
  return dir;
}

RunMark::RunMark() : m_id(mark_of_self()) {
  ::setenv(run_mark_variable, m_id.c_str(), 1);
  if (const fs::path dir = runtime_dir(); !dir.empty()) {
    m_record = record_path(dir, m_id);
    g_record_fd = ::open(m_record.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (g_record_fd < 0) m_record.clear();
  }
}

RunMark::~RunMark() {
  if (g_record_fd >= 0) {
    ::close(g_record_fd);
    g_record_fd = -1;
    ::unlink(m_record.c_str());
  }
  ::unsetenv(run_mark_variable);
}

void record_process_group(pid_t pgid) noexcept {
  if (g_record_fd < 0) return;
  char buf[24];
  int n = 0;
  char digits[24];
  int k = 0;
  for (long v = pgid; v > 0 && k < 20; v /= 10) digits[k++] = char('0' + v % 10);
  while (k > 0) buf[n++] = digits[--k];
  buf[n++] = '\n';
  [[maybe_unused]] const ssize_t w = ::write(g_record_fd, buf, std::size_t(n));
}

std::string sweep_leftovers() {
  const uid_t uid = ::getuid();
  const std::set<pid_t> spared = self_and_ancestors();
  const fs::path dir = runtime_dir();
  std::map<std::string, std::set<pid_t>> groups_of;  // stale mark -> its recorded groups
  std::set<std::string> stale_marks;
  std::set<pid_t> killed;
  // A leftover may fork while it is being killed; its child carries the mark too and is found
  // by the next pass. Bounded: a process cannot outrun SIGKILL to its group for long.
  for (int pass = 0; pass < 50; ++pass) {
    std::vector<std::pair<pid_t, std::string>> found;
    for (const pid_t pid : all_pids()) {
      if (spared.count(pid)) continue;
      struct stat st {};
      if (::stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0 || st.st_uid != uid) continue;
      const std::string mark = mark_of(pid);
      if (mark.empty() || harness_alive(mark)) continue;
      found.emplace_back(pid, mark);
    }
    if (found.empty()) break;
    for (const auto& [pid, mark] : found) {
      if (stale_marks.insert(mark).second && !dir.empty())
        groups_of[mark] = recorded_groups(record_path(dir, mark));
      ProcStat st;
      // The whole group at once when the harness started it: nothing in it can fork past that.
      if (read_stat(pid, st) && groups_of[mark].count(st.pgrp) && !spared.count(st.pgrp) &&
          st.pgrp != ::getpgrp())
        ::kill(-st.pgrp, SIGKILL);
      ::kill(pid, SIGKILL);
      killed.insert(pid);
    }
    ::usleep(20'000);  // for the kernel to tear them down (a zombie's environ reads empty)
  }
  // The records of runs whose harness is gone, whether they left anything or not.
  if (!dir.empty()) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("run-", 0) != 0 || e.path().extension() != ".groups") continue;
      const std::string mark = name.substr(4, name.size() - 4 - 7);
      if (!harness_alive(mark)) fs::remove(e.path(), ec);
    }
  }
  if (killed.empty()) return {};
  std::string marks;
  for (const auto& m : stale_marks) marks += (marks.empty() ? "" : ", ") + m;
  return "killed " + std::to_string(killed.size()) +
         (killed.size() == 1 ? " process" : " processes") + " left behind by " +
         (stale_marks.size() == 1 ? "an earlier run" : std::to_string(stale_marks.size()) + " earlier runs") +
         " whose harness is gone (" + run_mark_variable + "=" + marks + ")";
}

}  // namespace asyncbench
