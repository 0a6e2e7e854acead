// The echo servers' command line (server.hpp), compiled once: CLI11 is header-only, and its
// inline code was most of each server program's compile.
#include "server.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <csignal>

#include "common/cli.hpp"

namespace echo {

Options parse(int argc, char** argv, const std::vector<std::string>& models) {
  Options o;
  CLI::App app{"asyncbench echo server"};
  app.add_option("--model", o.model, "the model this server runs as")
      ->required()
      ->check(CLI::IsMember(models));
  app.add_option("--host", o.host, "address to listen on");
  app.add_option("--port", o.port, "port to listen on (0: any free port)");
  app.add_flag("!--no-nodelay", o.nodelay, "leave Nagle's algorithm on");
  app.add_option("--exit-after-s", o.exit_after_s,
                 "end by itself (SIGALRM) this many seconds after starting")
      ->check(CLI::Range(1.0, 86400.0));
  wl::parse_or_exit(app, argc, argv);
  raise_fd_limit();
  if (o.exit_after_s > 0) {
    ::signal(SIGALRM, SIG_DFL);
    ::alarm(static_cast<unsigned>(std::ceil(o.exit_after_s)));
  }
  return o;
}

}  // namespace echo
