#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace asyncbench {

namespace {

std::size_t columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

Progress::Progress() {
  const char* mode = std::getenv("ASYNCBENCH_PROGRESS");
  if (mode && (std::strcmp(mode, "lines") == 0 || std::strcmp(mode, "line") == 0))
    m_tty = std::strcmp(mode, "line") == 0;
  else
    m_tty = ::isatty(STDERR_FILENO) == 1;
}

Progress::~Progress() { finish(); }

void Progress::clear() {
  if (m_tty && m_shown) {
    std::fputs("\r\x1b[K", stderr);
    m_shown = false;
  }
}

void Progress::draw() {
  if (!m_tty || m_status.empty()) return;
  // One line that fits: a line longer than the terminal would wrap and the \r would then
  // rewrite only its last part.
  std::string s = m_status;
  const std::size_t width = columns();
  if (width > 1 && s.size() >= width) s = s.substr(0, width - 2) + "~";
  std::fputs(("\r\x1b[K" + s).c_str(), stderr);
  std::fflush(stderr);
  m_shown = true;
}

void Progress::update(const std::string& status) {
  m_status = status;
  if (m_tty) {
    draw();
  } else {
    std::fprintf(stderr, "%s\n", status.c_str());
    std::fflush(stderr);
  }
}

void Progress::message(const std::string& text) {
  clear();
  std::fprintf(stderr, "%s\n", text.c_str());
  draw();
}

void Progress::finish() {
  clear();
  m_status.clear();
  std::fflush(stderr);
}

}  // namespace asyncbench
