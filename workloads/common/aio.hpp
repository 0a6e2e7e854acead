// aio for the aio models (aio-epoll, aio-uring): the backend a model selects, as the registry
// (workloads/models.json: backend) declares it, instead of a comparison of model ids per program.
#pragma once

#include <aio/aio.hpp>
#include <stdexcept>
#include <string>

#include "common/workload.hpp"

namespace wl {

// The aio::Backend of `model`; throws std::invalid_argument for a model that is not aio's.
inline aio::Backend aio_backend(const std::string& model) {
  const std::string b = backend_of(model);
  if (b == "epoll") return aio::Backend::epoll;
  if (b == "io_uring") return aio::Backend::io_uring;
  throw std::invalid_argument("model '" + model + "' has no aio backend (workloads/models.json)");
}

}  // namespace wl
