// The translation unit that builds the precompiled header the Asio programs share
// (workloads/CMakeLists.txt); it has no code of its own.
#include "common/asio.hpp"
