// http::RequestParser: good requests whole, pipelined and split at every byte; every error class
// with its exact status; the limits exactly at and one past their boundary.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "http_parser.hpp"

namespace {

using http::Limits;
using http::Method;
using http::ParseResult;
using http::ParseStatus;
using http::RequestParser;
using namespace std::string_literals;

ParseResult parse_whole(std::string_view s, Limits limits = {}) {
  RequestParser p(limits);
  return p.parse(s);
}

// What the parser says to a head sent as the given parts, in order. Every part but the last must
// leave it asking for more, unless it has already given its verdict (which must then stay).
ParseResult parse_parts(const std::vector<std::string>& parts, Limits limits = {}) {
  RequestParser p(limits);
  std::string buf;
  ParseResult r;
  for (const std::string& part : parts) {
    buf += part;
    r = p.parse(buf);
    EXPECT_LE(r.consumed, buf.size());
  }
  return r;
}

void expect_same(const ParseResult& a, const ParseResult& b, const std::string& what) {
  EXPECT_EQ(a.status, b.status) << what;
  EXPECT_EQ(a.http_status, b.http_status) << what;
  EXPECT_EQ(a.consumed, b.consumed) << what;
  EXPECT_EQ(a.reason, b.reason) << what;
}

// A head split in two at every byte, and fed one byte at a time, gives what the whole does.
void expect_split_invariant(const std::string& head, Limits limits = {}) {
  const ParseResult whole = parse_whole(head, limits);
  for (std::size_t k = 0; k <= head.size(); ++k) {
    const ParseResult split = parse_parts({head.substr(0, k), head.substr(k)}, limits);
    expect_same(split, whole, "split at " + std::to_string(k) + " of " + head);
  }
  std::vector<std::string> bytes;
  for (char c : head) bytes.emplace_back(1, c);
  expect_same(parse_parts(bytes, limits), whole, "byte by byte: " + head);
}

const std::string kMinimal = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

std::string with_headers(std::size_t n) {
  std::string s = "GET /h HTTP/1.1\r\nHost: example.com\r\n";
  for (std::size_t i = 1; i < n; ++i) s += "X-Header-" + std::to_string(i) + ": value\r\n";
  return s + "\r\n";
}

// A head of exactly `size` bytes (at least 40), padded in one header value.
std::string head_of_size(std::size_t size) {
  const std::string start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  return start + std::string(size - start.size() - end.size(), 'p') + end;
}

// ---- good requests ----

TEST(HttpParser, Minimal) {
  RequestParser p;
  const ParseResult r = p.parse(kMinimal);
  ASSERT_EQ(r.status, ParseStatus::complete) << r.reason;
  EXPECT_EQ(r.consumed, kMinimal.size());
  EXPECT_EQ(p.request().method, Method::get);
  EXPECT_EQ(p.request().target, "/");
  EXPECT_EQ(p.request().minor_version, 1);
  EXPECT_TRUE(p.request().keep_alive);
  EXPECT_EQ(p.request().header_count, 1u);
}

TEST(HttpParser, Http10NeedsNoHostAndClosesByDefault) {
  RequestParser p;
  ASSERT_EQ(p.parse("GET /page/7 HTTP/1.0\r\n\r\n").status, ParseStatus::complete);
  EXPECT_EQ(p.request().minor_version, 0);
  EXPECT_FALSE(p.request().keep_alive);
  EXPECT_EQ(p.request().target, "/page/7");
}

TEST(HttpParser, KeepAliveDecision) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: closed\r\nHost: x\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection:  te ,\t keep-alive  \r\n\r\n", true},
  };
  for (const Case& c : cases) {
    RequestParser p;
    ASSERT_EQ(p.parse(c.head).status, ParseStatus::complete) << c.head;
    EXPECT_EQ(p.request().keep_alive, c.keep_alive) << c.head;
  }
}

TEST(HttpParser, Head) {
  RequestParser p;
  ASSERT_EQ(p.parse("HEAD /delay/1/2 HTTP/1.1\r\nHost: x\r\n\r\n").status, ParseStatus::complete);
  EXPECT_EQ(p.request().method, Method::head);
}

TEST(HttpParser, ManyHeadersAndOddButValidValues) {
  const std::string head =
      "GET /a/b?c=d&e=%2F HTTP/1.1\r\n"
      "Host: [::1]:8080\r\n"
      "User-Agent: wrk/4.1.0 (x86_64; \xc3\xa9t\xc3\xa9)\r\n"  // obs-text is allowed in values
      "X-Empty:\r\n"
      "X-Tabs:\t a\tb \t\r\n"
      "Content-Length: 000\r\n"
      "Accept: */*\r\n"
      "!#$%&'*+-.^_`|~09az: token characters\r\n"
      "\r\n";
  RequestParser p;
  const ParseResult r = p.parse(head);
  ASSERT_EQ(r.status, ParseStatus::complete) << r.reason;
  EXPECT_EQ(r.consumed, head.size());
  EXPECT_EQ(p.request().target, "/a/b?c=d&e=%2F");
  EXPECT_EQ(p.request().header_count, 7u);
}

TEST(HttpParser, AbsoluteFormAndRequestPath) {
  RequestParser p;
  ASSERT_EQ(p.parse("GET http://example.com/page?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n").status,
            ParseStatus::complete);
  EXPECT_EQ(p.request().target, "http://example.com/page?x=1");
  EXPECT_EQ(http::request_path(p.request().target), "/page");
  EXPECT_EQ(http::request_path("HTTPS://EXAMPLE.COM:443"), "/");
  EXPECT_EQ(http::request_path("http://h?x=/y"), "/");
  EXPECT_EQ(http::request_path("/delay/5/10?x"), "/delay/5/10");
  EXPECT_EQ(http::request_path("/"), "/");
}

TEST(HttpParser, PipelinedTwoInOneBuffer) {
  const std::string first = "GET /delay/100/5 HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string second = "HEAD /second HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n";
  const std::string partial_third = "GET /th";
  const std::string buf = first + second + partial_third;
  RequestParser p;
  ParseResult r = p.parse(buf);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, first.size());  // nothing of the second request is taken
  EXPECT_EQ(p.request().target, "/delay/100/5");
  EXPECT_TRUE(p.request().keep_alive);

  p.reset();
  const std::string_view rest = std::string_view(buf).substr(r.consumed);
  r = p.parse(rest);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, second.size());
  EXPECT_EQ(p.request().method, Method::head);
  EXPECT_EQ(p.request().target, "/second");
  EXPECT_FALSE(p.request().keep_alive);

  p.reset();
  r = p.parse(rest.substr(r.consumed));
  EXPECT_EQ(r.status, ParseStatus::need_more);
  EXPECT_EQ(r.consumed, partial_third.size());
}

TEST(HttpParser, SplitAtEveryByteBoundary) {
  expect_split_invariant(kMinimal);
  expect_split_invariant(with_headers(12));
  expect_split_invariant("GET http://h:1/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  expect_split_invariant("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n");  // pipelined
  // Errors too: the verdict falls at the same byte however the head arrives.
  expect_split_invariant("GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n");
  expect_split_invariant("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  expect_split_invariant("GET / HTTP/2.0\r\n\r\n");
  expect_split_invariant(head_of_size(200), Limits{199, 100});
  expect_split_invariant(head_of_size(200), Limits{200, 100});
}

TEST(HttpParser, ResultIsStickyUntilReset) {
  RequestParser p;
  std::string buf = kMinimal;
  const ParseResult r = p.parse(buf);
  ASSERT_EQ(r.status, ParseStatus::complete);
  buf += "garbage\x01";
  expect_same(p.parse(buf), r, "after complete");

  RequestParser q;
  const ParseResult e = q.parse("GET / HTTP/1.1\r\n\x01");
  ASSERT_EQ(e.status, ParseStatus::error);
  expect_same(q.parse("GET / HTTP/1.1\r\n\x01 more bytes"), e, "after error");
  q.reset();
  EXPECT_EQ(q.parse(kMinimal).status, ParseStatus::complete);
}

TEST(HttpParser, NeedMoreCountsWhatItExamined) {
  RequestParser p;
  ParseResult r = p.parse("");
  EXPECT_EQ(r.status, ParseStatus::need_more);
  EXPECT_EQ(r.consumed, 0u);
  r = p.parse("GET / HTTP/1.1\r\nHo");
  EXPECT_EQ(r.status, ParseStatus::need_more);
  EXPECT_EQ(r.consumed, 18u);
}

TEST(HttpParserDeathTest, ShrinkingBufferAborts) {
  EXPECT_DEATH(
      {
        RequestParser p;
        p.parse("GET / HTTP");
        p.parse("GET");
      },
      "the buffer shrank");
}

// ---- errors: every class with its exact status ----

struct ErrorCase {
  std::string head;
  int status;
  std::string_view reason_part;  // a piece of the reason, to tell the classes apart
};

void expect_errors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    const ParseResult r = parse_whole(c.head);
    EXPECT_EQ(r.status, ParseStatus::error) << c.head;
    EXPECT_EQ(r.http_status, c.status) << c.head << " -> " << r.reason;
    EXPECT_NE(r.reason.find(c.reason_part), std::string_view::npos)
        << c.head << " -> " << r.reason << " (expected: " << c.reason_part << ")";
    EXPECT_LE(r.consumed, c.head.size());
    expect_split_invariant(c.head);
  }
}

TEST(HttpParserErrors, MalformedRequestLineIs400) {
  expect_errors({
      {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "empty request-target"},
      {" GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "empty method"},
      {"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET /\r\n\r\n", 400, "malformed request-line"},  // HTTP/0.9
      {"GET\r\n\r\n", 400, "malformed request-line"},
      {"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "empty line before"},
      {"GET / http/1.1\r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP/11\r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP\r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / \r\nHost: x\r\n\r\n", 400, "malformed HTTP version"},
      {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed method"},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "control character"},  // TLS hello
      {"GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "control character"},
      {"GET /a\"b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not allowed in request-target"},
      {"GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not allowed in request-target"},
      {"GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not allowed in request-target"},
      {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "percent-encoding"},
      {"GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "percent-encoding"},
      {"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither origin-form"},
      {"GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither origin-form"},
      {"GET ftp://h/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither origin-form"},
      {"GET http:// HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither origin-form"},
      {"GET http://user@h/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "neither origin-form"},
  });
}

TEST(HttpParserErrors, LineEndingsAndControlCharactersAre400) {
  expect_errors({
      {"GET / HTTP/1.1\nHost: x\r\n\r\n", 400, "bare LF"},
      {"GET / HTTP/1.1\r\nHost: x\n\r\n", 400, "bare LF"},
      {"GET / HTTP/1.1\r\nHost: x\r\n\n", 400, "bare LF"},
      {"GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", 400, "bare CR"},
      {"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, "bare CR"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"s, 400, "control character"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\x1b[31m\r\n\r\n", 400, "control character"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\x7f\r\n\r\n", 400, "control character"},
      {"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "control character"},
      {"GE\x7fT / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "control character"},
  });
}

TEST(HttpParserErrors, MalformedHeaderLinesAre400) {
  expect_errors({
      {"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400, "obs-fold"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400, "obs-fold"},
      {"GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, "obs-fold"},
      {"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "without a colon"},
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "malformed header name"},
      {"GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", 400, "malformed header name"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX(y): z\r\n\r\n", 400, "malformed header name"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX\xc3\xa9: z\r\n\r\n", 400, "malformed header name"},
  });
}

TEST(HttpParserErrors, BodiesAndBadContentLengthAre400) {
  expect_errors({
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 400, "Content-Length > 0"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0001\r\n\r\n", 400, "Content-Length > 0"},
      {"GET / HTTP/1.1\r\nHost: x\r\ncontent-length: 99999999999999999999999999\r\n\r\n", 400,
       "Content-Length > 0"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +0\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0 0\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0,0\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400, "malformed Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", 400,
       "more than one Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "Transfer-Encoding"},
      {"GET / HTTP/1.0\r\nTRANSFER-ENCODING: identity\r\n\r\n", 400, "Transfer-Encoding"},
  });
}

TEST(HttpParserErrors, HostRulesAre400) {
  expect_errors({
      {"GET / HTTP/1.1\r\n\r\n", 400, "missing Host"},
      {"GET / HTTP/1.1\r\nX: y\r\n\r\n", 400, "missing Host"},
      {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400, "more than one Host"},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, "more than one Host"},
      {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "malformed Host"},
      {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "malformed Host"},
  });
}

TEST(HttpParserErrors, MethodsOtherThanGetAndHeadAre405) {
  expect_errors({
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 405, "method not allowed"},
      {"PUT /x HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed"},
      {"DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed"},
      {"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed"},
      {"CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed"},
      {"get / HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed"},  // methods are case-sensitive
  });
}

TEST(HttpParserErrors, VersionsOtherThan10And11Are505) {
  expect_errors({
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "version not supported"},
      {"GET / HTTP/0.9\r\n\r\n", 505, "version not supported"},
      {"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "version not supported"},
      {"POST / HTTP/3.0\r\n\r\n", 505, "version not supported"},  // the version is checked first
  });
}

// ---- limits, at and one past the boundary ----

TEST(HttpParserLimits, HeadSizeExactlyAtTheLimitIsAccepted) {
  const Limits defaults;
  ASSERT_EQ(defaults.max_head_bytes, 8192u);
  const std::string head = head_of_size(8192);
  ASSERT_EQ(head.size(), 8192u);
  const ParseResult r = parse_whole(head);
  ASSERT_EQ(r.status, ParseStatus::complete) << r.reason;
  EXPECT_EQ(r.consumed, 8192u);
}

TEST(HttpParserLimits, HeadOneByteOverTheLimitIs431) {
  const ParseResult r = parse_whole(head_of_size(8193));
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.http_status, 431);
  EXPECT_EQ(r.consumed, 8192u);  // it never looks past the limit
}

TEST(HttpParserLimits, IncompleteHeadIs431OnlyOnceTheLimitIsFull) {
  const std::string start = head_of_size(9000).substr(0, 8192);
  ParseResult r = parse_whole(start.substr(0, 8191));
  EXPECT_EQ(r.status, ParseStatus::need_more);
  r = parse_whole(start);
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.http_status, 431);
  // A megabyte behind it changes nothing: the parser stops at the limit.
  r = parse_whole(start + std::string(1 << 20, 'x'));
  EXPECT_EQ(r.http_status, 431);
  EXPECT_EQ(r.consumed, 8192u);
}

TEST(HttpParserLimits, CustomHeadLimit) {
  const std::string head = head_of_size(64);
  EXPECT_EQ(parse_whole(head, Limits{64, 100}).status, ParseStatus::complete);
  EXPECT_EQ(parse_whole(head, Limits{63, 100}).http_status, 431);
  // The CR of the last CRLF is the 64th byte, its LF the 65th: still too large.
  EXPECT_EQ(parse_whole(head_of_size(65), Limits{64, 100}).http_status, 431);
  EXPECT_EQ(parse_whole(head, Limits{0, 100}).http_status, 431);
}

TEST(HttpParserLimits, HundredHeadersAreAcceptedAHundredAndOneAre431) {
  const ParseResult at = parse_whole(with_headers(100));
  ASSERT_EQ(at.status, ParseStatus::complete) << at.reason;
  const ParseResult past = parse_whole(with_headers(101));
  EXPECT_EQ(past.status, ParseStatus::error);
  EXPECT_EQ(past.http_status, 431);
  EXPECT_EQ(past.reason, "too many header lines");
  EXPECT_EQ(parse_whole(with_headers(3), Limits{8192, 3}).status, ParseStatus::complete);
  EXPECT_EQ(parse_whole(with_headers(4), Limits{8192, 3}).http_status, 431);
  EXPECT_EQ(parse_whole("GET / HTTP/1.0\r\n\r\n", Limits{8192, 0}).status, ParseStatus::complete);
}

}  // namespace
