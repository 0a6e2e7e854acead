// The echo servers' command line (server.hpp), compiled once: CLI11 is header-only, and its
// inline code was most of each server program's compile.
#include "server.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

namespace echo {

void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    std::exit(2);
  }
}

Options parse(int argc, char** argv, const std::vector<std::string>& models) {
  Options o;
  CLI::App app{"asyncbench echo server"};
  app.add_option("--model", o.model, "the model this server runs as")
      ->required()
      ->check(CLI::IsMember(models));
  app.add_option("--host", o.host, "address to listen on");
  app.add_option("--port", o.port, "port to listen on (0: any free port)");
  app.add_flag("!--no-nodelay", o.nodelay, "leave Nagle's algorithm on");
  parse_or_exit(app, argc, argv);
  raise_fd_limit();
  return o;
}

}  // namespace echo
