// wait-for on libuv, written the way libuv's own examples are: the eternity is a uv_timer of an
// hour; a second uv_timer is the timeout. Its callback cancels the eternity (stops its timer,
// recording "cancelled") and closes it; the eternity's close callback, libuv's word that the
// handle is finished with, records "timeout!". uv_run returns when no handle is left.

#include <cstdint>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct WaitFor {
  uv_timer_t eternity;
  uv_timer_t timeout;
  wl::EventLog* log;
};

void on_eternity(uv_timer_t* t) {
  auto* wf = static_cast<WaitFor*>(t->data);
  wf->log->add("yay!");
  uv_close(reinterpret_cast<uv_handle_t*>(&wf->eternity), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&wf->timeout), nullptr);
}

void on_eternity_closed(uv_handle_t* h) { static_cast<WaitFor*>(h->data)->log->add("timeout!"); }

void on_timeout(uv_timer_t* t) {
  auto* wf = static_cast<WaitFor*>(t->data);
  uv_timer_stop(&wf->eternity);
  wf->log->add("cancelled");
  uv_close(reinterpret_cast<uv_handle_t*>(&wf->eternity), on_eternity_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wf->timeout), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    wl::EventLog log;
    WaitFor wf;
    wf.log = &log;
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    uv_timer_init(loop.get(), &wf.eternity);
    uv_timer_init(loop.get(), &wf.timeout);
    wf.eternity.data = wf.timeout.data = &wf;
    uv_timer_start(&wf.eternity, on_eternity, wl::uv::timeout_ms(w.scaled(p.eternity_s)), 0);
    uv_timer_start(&wf.timeout, on_timeout, wl::uv::timeout_ms(w.scaled(p.timeout_s)), 0);
    loop.run();
    loop.close();
    wait_for::report(w, p, log.events(), clock.seconds());
  });
}
