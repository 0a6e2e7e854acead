// seccomp_exec: runs a command with exactly one system call refused, as a seccomp profile refuses
// it (Docker's default profile refuses io_uring_setup; a stricter one may allow the setup and
// refuse io_uring_enter).
//
//   seccomp_exec SYSCALL COMMAND [ARG]...
//
// SYSCALL is io_uring_setup, io_uring_enter or io_uring_register. The filter (classic BPF,
// installed with seccomp(SECCOMP_SET_MODE_FILTER) after PR_SET_NO_NEW_PRIVS; no libseccomp)
// returns EPERM for that call, made through the native ABI, and allows every other; it is
// inherited by the command and everything it starts. Exit: the command's (it is exec'd), 2 for
// bad arguments, 77 when no filter can be installed here (a test's skip), 127 when the command
// cannot be started.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
#error "seccomp_exec: add this architecture's AUDIT_ARCH"
#endif

struct Call {
  const char* name;
  long nr;
};
constexpr Call kCalls[] = {
    {"io_uring_setup", __NR_io_uring_setup},
    {"io_uring_enter", __NR_io_uring_enter},
    {"io_uring_register", __NR_io_uring_register},
};

int refuse(long nr) {
  sock_filter filter[] = {
      // Another ABI (a 32-bit call on x86_64) has other numbers: allow it untouched.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  if (::syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: seccomp_exec SYSCALL COMMAND [ARG]...\n");
    return 2;
  }
  long nr = -1;
  for (const Call& c : kCalls)
    if (std::string_view(argv[1]) == c.name) nr = c.nr;
  if (nr < 0) {
    std::fprintf(stderr, "seccomp_exec: cannot refuse '%s' (io_uring_setup, io_uring_enter or "
                         "io_uring_register)\n", argv[1]);
    return 2;
  }
  if (const int err = refuse(nr); err != 0) {
    std::fprintf(stderr, "seccomp_exec: cannot install a seccomp filter: %s\n", std::strerror(err));
    return 77;
  }
  ::execvp(argv[2], argv + 2);
  std::fprintf(stderr, "seccomp_exec: %s: %s\n", argv[2], std::strerror(errno));
  return 127;
}
