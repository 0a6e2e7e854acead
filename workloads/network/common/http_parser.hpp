// A strict, bounded, incremental parser for HTTP/1.1 request heads (RFC 9110 / RFC 9112), with no
// I/O, for the HTTP delay server (wl-http-server), its unit tests and its fuzzer.
//
// The caller owns the bytes; the parser owns only offsets. The caller keeps the bytes received so
// far for the current request in a buffer and passes them all again after each read:
//
//   http::RequestParser parser;                      // limits: 8 KiB head, 100 header lines
//   for (;;) {
//     http::ParseResult r = parser.parse(std::string_view(buf, len));
//     if (r.status == http::ParseStatus::complete) { /* parser.request(); drop r.consumed bytes */ }
//     if (r.status == http::ParseStatus::error)    { /* answer r.http_status, then close */ }
//     /* need_more: read more bytes behind the ones already there, call parse again */
//   }
//
// Each call resumes at the first byte it has not examined yet (picohttpparser's `last_len`, made
// stateful), so a head that arrives one byte at a time costs O(n) in all, and the decision at each
// byte depends only on the bytes before it: a head gives the same result whole or split anywhere.
// The parser never looks past the end of the head (the bytes of a pipelined next request are left
// to the next round: `consumed` says where this head ends) nor past Limits::max_head_bytes, so the
// caller's buffer never needs to be larger than that limit. Once it returns complete or error,
// parse() keeps returning that result until reset().
//
// What it accepts (everything else is an error, with the status to answer):
// - request-line `method SP request-target SP HTTP/d.d CRLF`, single spaces; the method a token;
//   the target origin-form (`/path?query`) or absolute-form (`http://host/path`), URI characters
//   only, `%` followed by two hex digits. Otherwise 400. Versions other than HTTP/1.0 and
//   HTTP/1.1 (`HTTP/2.0`, `HTTP/0.9`): 505. Methods other than GET and HEAD: 405.
// - header lines `name: value CRLF`: the name a token with no space before the colon; the value
//   with optional whitespace around it, any byte but control characters (HT is allowed; obs-text,
//   0x80-0xFF, too). A line starting with SP or HT (obs-fold) is 400.
// - every line ends with CRLF. A bare LF, a bare CR, and any other control character (or DEL) is
//   400, and so is an empty line before the request-line (RFC 9112 §2.2 lets a server accept the
//   last two; this one is strict, which no client that benchmarks it needs otherwise).
// - the server takes no bodies: Content-Length other than 0, any Transfer-Encoding, and a second
//   Content-Length (even an equal one) are 400; so is a Content-Length that is not all digits.
// - HTTP/1.1 needs exactly one Host header, HTTP/1.0 at most one; its value URI-host[:port]
//   characters only. Otherwise 400.
// - the head (request-line to the empty line, CRLFs included) at most max_head_bytes, else 431;
//   at most max_headers header lines, else 431.
// - keep-alive: HTTP/1.1 unless a Connection header lists `close`; HTTP/1.0 only if one lists
//   `keep-alive` (and none `close`). Connection tokens are compared case-insensitively.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace http {

struct Limits {
  std::size_t max_head_bytes = 8 * 1024;  // request-line, header lines and the empty line
  std::size_t max_headers = 100;          // header lines
};

enum class Method : std::uint8_t { get, head };

enum class ParseStatus : std::uint8_t {
  need_more,  // no verdict yet: call again with the same bytes and more behind them
  complete,   // request() holds the request; its head is the first `consumed` bytes
  error,      // answer `http_status` and close the connection
};

struct ParseResult {
  ParseStatus status = ParseStatus::need_more;
  // complete: the length of the head, bytes the caller drops before parsing the next request.
  // need_more: the bytes examined so far. error: the bytes examined up to the one at fault.
  std::size_t consumed = 0;
  int http_status = 0;     // error: 400, 405, 431 or 505
  std::string_view reason;  // error: a short static text (for the error body and for tests)
};

struct Request {
  Method method = Method::get;
  // As sent; a view into the buffer given to the parse() call that completed the request, valid
  // while the caller leaves those bytes in place.
  std::string_view target;
  int minor_version = 1;  // HTTP/1.<minor_version>: 0 or 1
  bool keep_alive = true;
  std::size_t header_count = 0;
};

class RequestParser {
 public:
  explicit RequestParser(Limits limits = {}) noexcept : m_limits(limits) {}

  // Examines the bytes of `buffered` not examined by earlier calls. `buffered` must start with
  // the current request's first byte and hold at least the bytes given before (a shorter buffer
  // aborts: that is a caller's bug). Never throws, never reads past buffered.size(), the end of
  // the head, or max_head_bytes.
  ParseResult parse(std::string_view buffered) noexcept;

  // The request, once parse() has returned complete.
  const Request& request() const noexcept { return m_request; }
  const Limits& limits() const noexcept { return m_limits; }

  // Forgets the request, ready for the next one (whose first byte starts the next buffer).
  void reset() noexcept;

 private:
  enum class Phase : std::uint8_t { method, target, version, headers, done };

  ParseResult fail(int status, std::string_view reason) noexcept;
  // A line is complete; `line` is its content without CRLF. Returns false after fail().
  bool request_line(std::string_view line) noexcept;
  bool header_line(std::string_view line) noexcept;
  bool end_of_head() noexcept;

  Limits m_limits;
  ParseResult m_result;  // sticky once complete or error
  Phase m_phase = Phase::method;
  std::size_t m_pos = 0;         // bytes examined
  std::size_t m_line_start = 0;  // offset of the current line
  bool m_cr = false;             // the last byte examined was CR: LF must follow
  // Offsets into the request-line, set as its spaces are seen.
  std::size_t m_target_begin = 0;
  std::size_t m_target_end = 0;
  // What the header lines said.
  unsigned m_hosts = 0;
  bool m_content_length = false;
  bool m_conn_close = false;
  bool m_conn_keep_alive = false;
  Request m_request;
};

// The path of a request-target: origin-form without its query, or absolute-form's path ("/"
// if it has none). Expects a target the parser accepted.
std::string_view request_path(std::string_view target) noexcept;

// The text of a status this server answers ("OK", "Bad Request", ...; "" for others).
std::string_view status_text(int status) noexcept;

}  // namespace http
