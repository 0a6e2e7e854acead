// Running a CLI11 parser the way every program here does: --help prints the usage and exits 0;
// a bad argument prints "<argv[0]>: <CLI11's message>" on stderr and exits 2. Used by the
// workload programs (Workload::parse), the echo servers and the HTTP delay server. cli.cpp keeps
// CLI11's inline code out of the callers that only need this.
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace wl {

void parse_or_exit(CLI::App& app, int argc, char** argv);

}  // namespace wl
