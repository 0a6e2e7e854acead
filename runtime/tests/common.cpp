#include "common.hpp"

#include <system_error>

namespace aio_test {

namespace {
aio::Task<void> nothing() { co_return; }
}  // namespace

bool io_uring_available() {
  static const bool available = [] {
    try {
      aio::run(nothing(), aio::Backend::io_uring);
      return true;
    } catch (const std::system_error&) {
      return false;
    }
  }();
  return available;
}

std::string backend_name(const ::testing::TestParamInfo<aio::Backend>& info) {
  return std::string(aio::to_string(info.param));
}

}  // namespace aio_test
