// Backend choice: explicit backends, AIO_BACKEND, and the fallback when io_uring is refused.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

#include "common.hpp"

namespace {

aio::Task<aio::Backend> which() { co_return aio::current_backend(); }

struct EnvVar {
  explicit EnvVar(const char* value) {
    if (value)
      ::setenv("AIO_BACKEND", value, 1);
    else
      ::unsetenv("AIO_BACKEND");
  }
  ~EnvVar() { ::unsetenv("AIO_BACKEND"); }
};

// Makes system call `nr` fail with EPERM in this process: io_uring_setup, as Docker's default
// seccomp profile and kernel.io_uring_disabled=2 do, or io_uring_enter alone, as a profile that
// allows the ring to be set up but not used does.
bool refuse_syscall(long nr) {
#if defined(__x86_64__)
  constexpr unsigned arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr unsigned arch = AUDIT_ARCH_AARCH64;
#else
  return false;
#endif
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

}  // namespace

TEST(Backend, ExplicitBackendsReportThemselves) {
  EnvVar clear(nullptr);
  EXPECT_EQ(aio::run(which(), aio::Backend::epoll), aio::Backend::epoll);
  if (aio_test::io_uring_available())
    EXPECT_EQ(aio::run(which(), aio::Backend::io_uring), aio::Backend::io_uring);
  const aio::Backend automatic = aio::run(which());
  EXPECT_EQ(automatic, aio_test::io_uring_available() ? aio::Backend::io_uring : aio::Backend::epoll);
}

TEST(Backend, EnvironmentOverridesAutomaticOnly) {
  {
    EnvVar env("epoll");
    EXPECT_EQ(aio::run(which()), aio::Backend::epoll);
  }
  if (!aio_test::io_uring_available()) GTEST_SKIP() << "io_uring is not available";
  EnvVar env("io_uring");
  EXPECT_EQ(aio::run(which()), aio::Backend::io_uring);
  EXPECT_EQ(aio::run(which(), aio::Backend::epoll), aio::Backend::epoll);  // explicit wins
}

TEST(Backend, BadEnvironmentValueIsAClearError) {
  EnvVar env("kqueue");
  try {
    aio::run(which());
    FAIL() << "AIO_BACKEND=kqueue was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("kqueue"), std::string::npos) << e.what();
  }
}

TEST(Backend, DescriptionsNameTheBackend) {
  auto describe = []() -> aio::Task<std::string> { co_return aio::backend_description(); };
  EXPECT_NE(aio::run(describe(), aio::Backend::epoll).find("epoll"), std::string::npos);
  if (aio_test::io_uring_available())
    EXPECT_NE(aio::run(describe(), aio::Backend::io_uring).find("io_uring"), std::string::npos);
}

struct Refused {
  const char* name;
  long nr;
  const char* call;  // the call the error names
};

class BackendRefused : public ::testing::TestWithParam<Refused> {};

// In a child process whose seccomp filter refuses io_uring_setup, or only io_uring_enter (the
// ring can be set up but not used): `automatic` falls back to epoll with exactly one line on
// stderr (however many loops run) and runs on it, and an explicit io_uring is a
// std::system_error carrying EPERM and the refused call, not a hang or a loop that fails later.
TEST_P(BackendRefused, AutomaticFallsBackToEpollAndExplicitIsAClearError) {
  const Refused refused = GetParam();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(pipefd[1], STDERR_FILENO);
    ::close(pipefd[0]);
    ::unsetenv("AIO_BACKEND");
    if (!refuse_syscall(refused.nr)) ::_exit(77);
    try {
      if (aio::run(which()) != aio::Backend::epoll) ::_exit(1);
      if (aio::run(which()) != aio::Backend::epoll) ::_exit(1);
      auto slept = []() -> aio::Task<int> {
        co_await aio::sleep(std::chrono::milliseconds(1));
        co_return 7;
      };
      if (aio::run(slept()) != 7) ::_exit(5);
      aio::check_backend(aio::Backend::epoll);
    } catch (...) {
      ::_exit(6);
    }
    try {
      aio::check_backend(aio::Backend::io_uring);
      ::_exit(7);
    } catch (const std::system_error& e) {
      if (e.code().value() != EPERM) ::_exit(8);
    }
    try {
      aio::run(which(), aio::Backend::io_uring);
      ::_exit(2);
    } catch (const std::system_error& e) {
      if (e.code().value() != EPERM) ::_exit(3);
      if (std::string(e.what()).find(refused.call) == std::string::npos) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) err.append(buf, std::size_t(n));
  ::close(pipefd[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot install a seccomp filter here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "stderr: " << err;
  EXPECT_EQ(err, std::string("aio: io_uring is not available (") + refused.call +
                     ": Operation not permitted); using epoll\n");
}

INSTANTIATE_TEST_SUITE_P(Backend, BackendRefused,
                         ::testing::Values(Refused{"setup", __NR_io_uring_setup, "io_uring_queue_init"},
                                           Refused{"enter", __NR_io_uring_enter, "io_uring_enter"}),
                         [](const auto& info) { return std::string(info.param.name); });
