#include "machine.hpp"

#include <sys/utsname.h>
#include <unistd.h>
#include <uv.h>

#include <aio/aio.hpp>
#include <array>
#include <boost/version.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#ifndef ASYNCBENCH_BUILD_TYPE
#define ASYNCBENCH_BUILD_TYPE "unknown"
#endif
#ifndef ASYNCBENCH_LIBURING_VERSION
#define ASYNCBENCH_LIBURING_VERSION "unknown"
#endif

namespace asyncbench {

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

// Runs a command and returns its stdout (trimmed); empty if it failed.
std::string capture(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  if (!p) return {};
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p.get())) out.append(buf.data(), n);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

aio::Task<std::string> describe_backend() { co_return aio::backend_description(); }

std::string io_uring_facts() {
  try {
    return aio::run(describe_backend(), aio::Backend::io_uring);
  } catch (const std::exception& e) {
    return std::string("not available: ") + e.what();
  }
}

std::string kernel() {
  utsname u{};
  ::uname(&u);
  return std::string(u.sysname) + " " + u.release + " " + u.version;
}

std::string git_commit(const std::filesystem::path& root) {
  std::string git = "git -C '";  // appended, not "'" + ...: g++ 12 warns (-Wrestrict) on that
  git += root.string();
  git += "'";
  std::string commit = capture(git + " rev-parse HEAD 2>/dev/null");
  if (commit.empty()) return "unknown";
  if (!capture(git + " status --porcelain --untracked-files=no 2>/dev/null").empty())
    commit += "+dirty";
  return commit;
}

}  // namespace

Json machine_summary(const std::filesystem::path& root) {
  return Json{{"cpu_model", cpu_model()},
              {"cores", online_cores()},
              {"kernel", kernel()},
              {"git_commit", git_commit(root)}};
}

bool release_build() {
  const std::string t = ASYNCBENCH_BUILD_TYPE;
  return t == "Release" || t == "RelWithDebInfo" || t == "MinSizeRel";
}


Json machine_facts(const std::filesystem::path& root, const std::string& python) {
  Json m;
  m["cpu_model"] = cpu_model();
  m["cores"] = online_cores();
  const std::string smt = read_first_line("/sys/devices/system/cpu/smt/active");
  m["smt"] = smt.empty() ? "unknown" : (smt == "1" ? "on" : "off");
  const std::string gov = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  m["governor"] = gov.empty() ? "not exposed (virtual machine?)" : gov;
  m["kernel"] = kernel();
  m["io_uring"] = io_uring_facts();
  std::ifstream meminfo("/proc/meminfo");
  std::string k;
  long kb = 0;
  if (meminfo >> k >> kb) m["memory_kb"] = kb;
  m["compiler"] = std::string("g++ ") + __VERSION__;
  m["build_type"] = ASYNCBENCH_BUILD_TYPE;
  m["git_commit"] = git_commit(root);
  Json v;
  v["libuv"] = uv_version_string();
  v["boost"] = std::to_string(BOOST_VERSION / 100000) + "." +
               std::to_string(BOOST_VERSION / 100 % 1000) + "." +
               std::to_string(BOOST_VERSION % 100);
  v["liburing"] = ASYNCBENCH_LIBURING_VERSION;
  const std::string py = capture("'" + python +
                                 "' -c 'import sys, json, importlib.metadata as md\n"
                                 "out = {\"python\": sys.version.split()[0]}\n"
                                 "for m in (\"uvloop\", \"aiohttp\", \"aiofiles\"):\n"
                                 "    try:\n"
                                 "        __import__(m)\n"
                                 "        out[m] = md.version(m)\n"
                                 "    except ImportError:\n"
                                 "        out[m] = \"not installed\"\n"
                                 "    except Exception:\n"
                                 "        out[m] = \"installed, version unknown\"\n"
                                 "print(json.dumps(out))' 2>/dev/null");
  try {
    const Json found = Json::parse(py);  // named: items() of a temporary would dangle
    for (auto& [name, ver] : found.items()) v[name] = ver;
  } catch (const std::exception&) {
    v["python"] = "unavailable (" + python + ")";
  }
  m["versions"] = v;
  return m;
}

}  // namespace asyncbench
