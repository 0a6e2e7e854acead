// file-read: reading many files. Before the measured phase the program writes `files` files of
// `size_kb` KiB into a fresh temporary directory (so the page cache is warm: this measures the
// path from the page cache to the program, not the disk); the measured phase reads every file
// whole and compares its bytes with what was written; the directory is removed at the end, also
// when the run fails.
//
// Where: under $TMPDIR if it is set, else under /dev/shm (tmpfs: files that live in the page
// cache) if there is one, else /tmp. On this machine's ext4 /tmp, creating a file costs 1.1 ms of
// kernel time, which made the untimed setup 10 to 50 times the measured phase and the suite too
// slow; reading differs much less (300 x 64 KiB, 6 runs each: sync 4-13 ms on ext4, 14-18 ms on
// tmpfs; aio-epoll and aio-uring 46-70 ms on both).
//
// The bytes: one random block of size_kb KiB, stored twice in a row; file i is the window of that
// pattern that starts at byte (i x 977) mod size, so files differ (977 is prime: offsets repeat
// only after `size` files, or if size_kb is a multiple of 977) and a file is checked with one
// memcmp against the pattern, as fast as the read itself, where a checksum would cost more than
// the read.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/workload.hpp"

namespace file_read {

struct Params {
  int files = 500;
  int size_kb = 64;

  explicit Params(wl::Workload& w) {
    w.option("--files", files, "how many files", wl::range(1, 100000));
    w.option("--size-kb", size_kb, "each file's size, in KiB", wl::range(1, 65536));
    w.parse();
    w.params()["files"] = files;
    w.params()["size_kb"] = size_kb;
  }
  std::size_t size() const { return static_cast<std::size_t>(size_kb) * 1024; }
};

[[noreturn]] inline void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

// The files of one run, written on construction and removed on destruction.
class Files {
 public:
  explicit Files(const Params& p) : m_size(p.size()) {
    raise_open_file_limit(p.files);
    std::uint64_t x = 88172645463325252u;  // xorshift64: the random block
    m_pattern.resize(2 * m_size);
    for (std::size_t k = 0; k < m_size; ++k) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      m_pattern[k] = m_pattern[k + m_size] = static_cast<char>(x >> 56);
    }
    std::string dir = (base_dir() / "asyncbench-file-read-XXXXXX").string();
    if (!::mkdtemp(dir.data())) throw_errno("mkdtemp " + dir);
    m_dir = dir;
    for (int i = 0; i < p.files; ++i) {
      m_paths.push_back((m_dir / ("f" + std::to_string(i))).string());
      write_file(m_paths.back(), expected(i));
    }
    m_faults_at_start = minor_faults();
  }
  ~Files() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;

  const std::filesystem::path& dir() const { return m_dir; }
  // Page faults since the files were written: buffers touched for the first time.
  long faults_since_setup() const { return minor_faults() - m_faults_at_start; }
  const std::string& path(int i) const { return m_paths[static_cast<std::size_t>(i)]; }
  // The bytes file i holds.
  std::string_view expected(int i) const {
    return {m_pattern.data() + (static_cast<std::size_t>(i) * 977) % m_size, m_size};
  }
  // Whether `data` is file i, whole.
  bool matches(int i, std::string_view data) const {
    const std::string_view e = expected(i);
    return data.size() == e.size() && std::memcmp(data.data(), e.data(), e.size()) == 0;
  }

 private:
  // Every model has a file open per file in flight, up to `files` at once: raise the soft limit
  // on descriptors to the hard one (as servers do), so that 2000 files fit under a soft 1024.
  static void raise_open_file_limit(int files) {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < static_cast<rlim_t>(files) + 64) {
      r.rlim_cur = r.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &r);
    }
  }
  static long minor_faults() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
  }
  static std::filesystem::path base_dir() {
    const char* tmpdir = std::getenv("TMPDIR");
    if (tmpdir && *tmpdir) return tmpdir;
    if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
    return std::filesystem::temp_directory_path();
  }
  static void write_file(const std::string& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("open " + path);
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    const int err = errno;
    ::close(fd);
    errno = err;
    if (n != static_cast<ssize_t>(bytes.size())) throw_errno("write " + path);
  }

  std::size_t m_size;
  std::string m_pattern;
  std::filesystem::path m_dir;
  std::vector<std::string> m_paths;
  long m_faults_at_start = 0;
};

// A whole file with blocking calls, for the models that read on threads: open, fstat for the size,
// read until the end (size + 1 bytes asked, so the end shows in the second read), close: the same
// system calls as aio::read_file and Python's f.read().
inline std::string read_blocking(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open " + path);
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0) out.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) out.resize(out.size() * 2 + 4096);
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      errno = err;
      throw_errno("read " + path);
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

// The checks and metrics every model reports. ok[i]: file i was read whole and matched.
inline void report(wl::Workload& w, const Params& p, const Files& files,
                   const std::vector<char>& ok, double elapsed_s) {
  w.elapsed(elapsed_s);
  std::vector<std::string> bad;
  for (std::size_t i = 0; i < ok.size(); ++i)
    if (!ok[i]) bad.push_back(std::to_string(i));
  const double bytes = static_cast<double>(p.files) * static_cast<double>(p.size());
  w.metrics()["files"] = p.files;
  w.metrics()["mb_per_s"] = elapsed_s > 0 ? bytes / elapsed_s / 1e6 : 0.0;
  // Every file in flight at once needs its own buffer at once: the memory that costs shows here.
  w.metrics()["peak_rss_kb"] = wl::peak_rss_kb();
  w.metrics()["page_faults"] = files.faults_since_setup();
  w.metrics()["dir"] = files.dir().parent_path().string();
  w.check(ok.size() == static_cast<std::size_t>(p.files), "not every file was read");
  w.check(bad.empty(), std::to_string(bad.size()) +
                           " files differ from what was written (first: f" +
                           (bad.empty() ? std::string() : bad.front()) + ")");
}

}  // namespace file_read
