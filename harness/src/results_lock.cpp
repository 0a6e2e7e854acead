#include "results_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace asyncbench {

namespace fs = std::filesystem;

void check_results_path(const fs::path& out) {
  if (out.empty()) throw std::invalid_argument("--out is empty: give the results file to write");
  const std::string name = "--out " + out.string();
  if (!out.has_filename())
    throw std::invalid_argument(name + " names a directory: give the results file to write");
  std::error_code ec;
  const fs::file_status st = fs::status(out, ec);
  if (fs::is_directory(st))
    throw std::invalid_argument(name + " is a directory: give the results file to write");
  if (fs::exists(st) && !fs::is_regular_file(st))
    throw std::invalid_argument(name + " is not a regular file");
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(fs::status(dir, ec)))
    throw std::invalid_argument(name + ": there is no directory " + dir.string());
  // What save_atomic does first: create a file beside it.
  std::string probe = (dir / ".asyncbench-probe-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    throw std::invalid_argument(name + ": cannot write in " + dir.string() + ": " +
                                std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

ResultsLock::ResultsLock(const fs::path& out) : m_path(out.string() + ".lock") {
  // The lock file is removed when a run ends. A run that opened it just before, and locks it just
  // after, holds a lock on a file nobody else will see: so check that the path still names the
  // file locked, and start again if not (bounded: it only loses to a run ending each time).
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::system_error(errno, std::system_category(), "open " + m_path.string());
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
      const int err = errno;
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      ::close(fd);
      if (err != EWOULDBLOCK)
        throw std::system_error(err, std::system_category(), "flock " + m_path.string());
      const long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
      throw std::invalid_argument(
          out.string() + " is being written by another run" +
          (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
          ": wait for it to end, or give another --out");
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) == 0 && ::stat(m_path.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      m_fd = fd;
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const ssize_t w = ::pwrite(fd, pid.data(), pid.size(), 0);
      }
      return;
    }
    ::close(fd);
  }
  throw std::runtime_error("cannot lock " + m_path.string() + ": it keeps being replaced");
}

ResultsLock::~ResultsLock() {
  if (m_fd < 0) return;
  ::unlink(m_path.c_str());
  ::close(m_fd);
}

}  // namespace asyncbench
