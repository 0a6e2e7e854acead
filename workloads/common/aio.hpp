// aio for the aio models (aio-epoll, aio-uring): the backend a model selects, as the registry
// (workloads/models.json: backend) declares it, instead of a comparison of model ids per program.
#pragma once

#include <aio/aio.hpp>
#include <stdexcept>
#include <string>
#include <system_error>

#include "common/workload.hpp"

namespace wl {

// The aio::Backend of `model`, checked to run here (aio::check_backend): a backend the machine
// refuses (io_uring under a seccomp filter, kernel.io_uring_disabled) makes the model
// unsupported, with the reason (wl::Unsupported: exit 77, STYLE's skip rule), never a failure.
// Throws std::invalid_argument for a model that is not aio's.
inline aio::Backend aio_backend(const std::string& model) {
  const std::string b = backend_of(model);
  aio::Backend backend;
  if (b == "epoll")
    backend = aio::Backend::epoll;
  else if (b == "io_uring")
    backend = aio::Backend::io_uring;
  else
    throw std::invalid_argument("model '" + model + "' has no aio backend (workloads/models.json)");
  try {
    aio::check_backend(backend);
  } catch (const std::system_error& e) {
    throw Unsupported{std::string(aio::to_string(backend)) + " is not available here (" +
                      e.what() + ")"};
  }
  return backend;
}

}  // namespace wl
