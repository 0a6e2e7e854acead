#include "common/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

namespace wl {

void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) std::exit(app.exit(e));  // --help: the usage on stdout
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    std::exit(2);
  }
}

}  // namespace wl
