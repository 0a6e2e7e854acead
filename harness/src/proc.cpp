#include "proc.hpp"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace asyncbench {

CpuCounters read_cpu_counters() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  f >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tick = tick_s();
  return {double(user + nice + system + irq + softirq) * tick, double(steal) * tick};
}

double load_average_1m() {
  std::ifstream f("/proc/loadavg");
  double l = 0;
  f >> l;
  return l;
}

double tick_s() { return 1.0 / double(::sysconf(_SC_CLK_TCK)); }

int online_cores() { return static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)); }

double process_tree_cpu_s(pid_t root) {
  // Parent of every process, from /proc/<pid>/stat (field 4, after the command in parentheses).
  std::map<pid_t, pid_t> parent;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      if (!end || *end || pid <= 0) continue;
      std::ifstream f("/proc/" + std::string(e->d_name) + "/stat");
      std::string line;
      if (!std::getline(f, line)) continue;
      const auto rp = line.rfind(')');
      if (rp == std::string::npos) continue;
      std::istringstream rest(line.substr(rp + 1));
      char state = 0;
      long ppid = 0;
      if (rest >> state >> ppid) parent[pid_t(pid)] = pid_t(ppid);
    }
    ::closedir(d);
  }
  if (!parent.count(root)) return -1;
  double total = 0;
  for (const auto& [pid, pp] : parent) {
    pid_t p = pid;
    while (p > 1 && p != root) {
      auto it = parent.find(p);
      p = it == parent.end() ? 0 : it->second;
    }
    if (p != root) continue;
    clockid_t clk;
    timespec ts{};
    if (::clock_getcpuclockid(pid, &clk) == 0 && ::clock_gettime(clk, &ts) == 0)
      total += double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  }
  return total;
}

}  // namespace asyncbench
