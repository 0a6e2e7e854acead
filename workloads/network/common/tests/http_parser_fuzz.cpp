// libFuzzer target for http::RequestParser (scripts/fuzz_http_parser.sh builds and runs it with
// clang, ASan and UBSan). The input is the raw bytes a client sends: the seed corpus is plain
// HTTP. Each input is parsed under the default limits and under small limits derived from it (so
// that the head and header-count boundaries are hit often), and these must hold:
//   - consumed <= the bytes fed; a complete head is at most max_head_bytes, ends in CRLFCRLF and
//     has at most max_headers header lines; an error is one of 400/405/431/505 with a reason;
//     need_more only with every byte examined and fewer than max_head_bytes of them;
//   - the same verdict, byte for byte, whether the input comes whole or in random chunks (and a
//     verdict, once given, does not change as more bytes come);
//   - a fresh parser on any prefix says what the incremental one said at that prefix;
//   - pipelined heads: after each complete one, the rest parses again, always making progress.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "http_parser.hpp"

namespace {

#define FUZZ_CHECK(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "http_parser_fuzz: invariant failed: %s (line %d)\n", #cond, \
                   __LINE__);                                                        \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

// splitmix64: chunk sizes that differ between inputs yet repeat for the same input.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

std::uint64_t hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

bool same(const http::ParseResult& a, const http::ParseResult& b) {
  return a.status == b.status && a.consumed == b.consumed && a.http_status == b.http_status &&
         a.reason == b.reason;
}

bool same_request(const http::Request& a, const http::Request& b) {
  return a.method == b.method && a.target == b.target && a.minor_version == b.minor_version &&
         a.keep_alive == b.keep_alive && a.header_count == b.header_count;
}

void check_result(const http::ParseResult& r, std::string_view fed, const http::RequestParser& p) {
  const http::Limits& l = p.limits();
  FUZZ_CHECK(r.consumed <= fed.size());
  switch (r.status) {
    case http::ParseStatus::complete: {
      FUZZ_CHECK(r.consumed <= l.max_head_bytes);
      FUZZ_CHECK(r.consumed >= 18);  // "GET / HTTP/1.0\r\n\r\n"
      FUZZ_CHECK(fed.substr(r.consumed - 4, 4) == "\r\n\r\n");
      const http::Request& req = p.request();
      FUZZ_CHECK(req.header_count <= l.max_headers);
      FUZZ_CHECK(req.minor_version == 0 || req.minor_version == 1);
      FUZZ_CHECK(!req.target.empty());
      FUZZ_CHECK(req.target.data() >= fed.data() &&
                 req.target.data() + req.target.size() <= fed.data() + r.consumed);
      const std::string_view path = http::request_path(req.target);
      FUZZ_CHECK(!path.empty() && path.front() == '/');
      break;
    }
    case http::ParseStatus::error:
      FUZZ_CHECK(r.http_status == 400 || r.http_status == 405 || r.http_status == 431 ||
                 r.http_status == 505);
      FUZZ_CHECK(!r.reason.empty());
      FUZZ_CHECK(r.consumed <= l.max_head_bytes);
      break;
    case http::ParseStatus::need_more:
      FUZZ_CHECK(r.consumed == fed.size());
      FUZZ_CHECK(fed.size() < l.max_head_bytes);
      FUZZ_CHECK(r.http_status == 0);
      break;
  }
}

void fuzz_one(std::string_view data, http::Limits limits, Rng& rng) {
  http::RequestParser whole(limits);
  const http::ParseResult w = whole.parse(data);
  check_result(w, data, whole);

  // The same bytes in random chunks (1 byte up to all of them).
  http::RequestParser split(limits);
  const std::size_t probe = data.empty() ? 0 : rng.next() % (data.size() + 1);
  http::ParseResult s;
  bool probed = false;
  std::size_t fed = 0;
  do {
    const std::size_t room = data.size() - fed;
    const std::size_t step = room == 0 ? 0 : 1 + rng.next() % (rng.next() % 2 ? room : std::min<std::size_t>(room, 8));
    const http::ParseResult before = s;
    fed += step;
    s = split.parse(data.substr(0, fed));
    check_result(s, data.substr(0, fed), split);
    if (before.status != http::ParseStatus::need_more) FUZZ_CHECK(same(before, s));
    if (!probed && fed >= probe) {
      // A fresh parser given this prefix at once agrees with the incremental one.
      http::RequestParser fresh(limits);
      FUZZ_CHECK(same(fresh.parse(data.substr(0, fed)), s));
      probed = true;
    }
  } while (fed < data.size());
  FUZZ_CHECK(same(s, w));
  if (w.status == http::ParseStatus::complete) FUZZ_CHECK(same_request(split.request(), whole.request()));

  // Pipelined heads behind the first.
  std::string_view rest = data;
  http::RequestParser p(limits);
  for (http::ParseResult r = p.parse(rest); r.status == http::ParseStatus::complete;
       r = p.parse(rest)) {
    FUZZ_CHECK(r.consumed > 0 && r.consumed <= rest.size());
    rest.remove_prefix(r.consumed);
    p.reset();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const std::uint64_t h = hash(data);
  Rng rng{h};
  fuzz_one(data, http::Limits{}, rng);
  // Small limits near the input's own size and header count, so both 431s and the inputs just
  // under them come up all the time.
  const std::size_t head = data.size() == 0 ? 0 : h % (data.size() + 2);
  fuzz_one(data, http::Limits{head, static_cast<std::size_t>((h >> 32) % 8)}, rng);
  return 0;
}
