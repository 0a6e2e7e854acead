// The echo servers' command line (server.hpp), compiled once: CLI11 is header-only, and its
// inline code was most of each server program's compile.
#include "server.hpp"

#include <CLI/CLI.hpp>

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
  wl::parse_or_exit(app, argc, argv);
  raise_fd_limit();
  return o;
}

}  // namespace echo
