// file-read on libuv, as libuv's own examples (uvcat) are written: every file is started at once
// as a chain of callbacks, uv_fs_open -> uv_fs_read until it returns 0 -> uv_fs_close, each step
// running on libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 by default) and its callback on
// the loop, where the bytes are compared. The buffer is sized with uv_fs_fstat, run synchronously
// (no callback) as libuv allows, as aio::read_file and Python's read() size theirs.
#include <fcntl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Run {
  uv_loop_t* loop;
  const file_read::Files* files;
  std::vector<char>* ok;
  std::string error;  // the first failure, if any
};

struct FileRead {
  uv_fs_t req;
  Run* run;
  int index;
  uv_file fd = -1;
  std::string buf;
  std::size_t got = 0;
};

void on_read(uv_fs_t* req);

// Records the first failure; true if `result` is one.
bool failed(FileRead* f, ssize_t result, const char* op) {
  if (result >= 0) return false;
  if (f->run->error.empty())
    f->run->error = std::string(op) + " " + f->run->files->path(f->index) + ": " +
                    uv_strerror(static_cast<int>(result));
  return true;
}

void on_close(uv_fs_t* req) {
  auto* f = static_cast<FileRead*>(req->data);
  failed(f, req->result, "close");
  uv_fs_req_cleanup(req);
}

void read_more(FileRead* f) {
  if (f->got == f->buf.size()) f->buf.resize(f->buf.size() * 2 + 4096);
  const uv_buf_t b =
      uv_buf_init(f->buf.data() + f->got, static_cast<unsigned>(f->buf.size() - f->got));
  uv_fs_read(f->run->loop, &f->req, f->fd, &b, 1, static_cast<int64_t>(f->got), on_read);
}

void on_read(uv_fs_t* req) {
  auto* f = static_cast<FileRead*>(req->data);
  const ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  if (n > 0) {
    f->got += static_cast<std::size_t>(n);
    read_more(f);
    return;
  }
  if (!failed(f, n, "read")) {
    f->buf.resize(f->got);
    (*f->run->ok)[f->index] = f->run->files->matches(f->index, f->buf);
  }
  std::string().swap(f->buf);  // done with the bytes, as the other models' buffers go out of scope
  uv_fs_close(f->run->loop, req, f->fd, on_close);
}

void on_open(uv_fs_t* req) {
  auto* f = static_cast<FileRead*>(req->data);
  const ssize_t fd = req->result;
  uv_fs_req_cleanup(req);
  if (failed(f, fd, "open")) return;
  f->fd = static_cast<uv_file>(fd);
  uv_fs_t stat_req;
  if (uv_fs_fstat(f->run->loop, &stat_req, f->fd, nullptr) == 0)
    f->buf.resize(static_cast<std::size_t>(stat_req.statbuf.st_size) + 1);
  uv_fs_req_cleanup(&stat_req);
  read_more(f);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    const file_read::Files files(p);
    std::vector<char> ok(p.files);
    wl::uv::Loop loop;
    Run run{loop.get(), &files, &ok, {}};
    std::vector<std::unique_ptr<FileRead>> reads;
    for (int i = 0; i < p.files; ++i) {
      auto f = std::make_unique<FileRead>();
      f->run = &run;
      f->index = i;
      f->req.data = f.get();
      reads.push_back(std::move(f));
    }
    wl::Stopwatch clock;
    for (auto& f : reads)
      uv_fs_open(loop.get(), &f->req, files.path(f->index).c_str(), O_RDONLY | O_CLOEXEC, 0, on_open);
    loop.run();
    const double elapsed = clock.seconds();
    loop.close();
    if (!run.error.empty()) throw std::runtime_error(run.error);
    file_read::report(w, p, files, ok, elapsed);
  });
}
