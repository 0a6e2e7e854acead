#include "http_parser.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace http {

namespace {

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
// / "`" / "|" / "~" / DIGIT / ALPHA.
bool is_tchar(unsigned char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_sub_delim(unsigned char c) noexcept {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
    case ';': case '=':
      return true;
    default:
      return false;
  }
}

bool is_unreserved(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// The characters of a request-target (RFC 3986: unreserved, sub-delims, ":/?[]@" and "%" of a
// pct-encoding; "#" never, a fragment is not sent).
bool is_uri_char(unsigned char c) noexcept {
  if (is_unreserved(c) || is_sub_delim(c)) return true;
  switch (c) {
    case ':': case '/': case '?': case '[': case ']': case '@': case '%':
      return true;
    default:
      return false;
  }
}

// uri-host [":" port], IP-literals and pct-encoded names included.
bool is_host_char(unsigned char c) noexcept {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '[' || c == ']' || c == '%';
}

bool is_ctl(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

bool is_hex(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` equals the lower-case `name`, ignoring ASCII case.
bool iequals(std::string_view s, std::string_view name) noexcept {
  if (s.size() != name.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != name[i]) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Every "%" is followed by two hex digits.
bool pct_encodings_valid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !is_hex(static_cast<unsigned char>(s[i + 1])) ||
        !is_hex(static_cast<unsigned char>(s[i + 2])))
      return false;
    i += 2;
  }
  return true;
}

// Absolute-form: "http://" or "https://" (any case), a non-empty authority without userinfo.
bool absolute_form_valid(std::string_view t) noexcept {
  std::size_t scheme_len;
  if (t.size() > 7 && iequals(t.substr(0, 7), "http://"))
    scheme_len = 7;
  else if (t.size() > 8 && iequals(t.substr(0, 8), "https://"))
    scheme_len = 8;
  else
    return false;
  const std::string_view rest = t.substr(scheme_len);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         std::all_of(authority.begin(), authority.end(),
                     [](char c) { return is_host_char(static_cast<unsigned char>(c)); });
}

// The longest version the request-line may carry: "HTTP/1.1".
constexpr std::size_t version_len = 8;

}  // namespace

void RequestParser::reset() noexcept { *this = RequestParser(m_limits); }

ParseResult RequestParser::fail(int status, std::string_view reason) noexcept {
  m_result.status = ParseStatus::error;
  m_result.http_status = status;
  m_result.reason = reason;
  m_result.consumed = m_pos;
  return m_result;
}

ParseResult RequestParser::parse(std::string_view buf) noexcept {
  if (m_result.status != ParseStatus::need_more) return m_result;
  if (buf.size() < m_pos) {
    std::fprintf(stderr, "http::RequestParser::parse: given %zu bytes after %zu (the buffer shrank)\n",
                 buf.size(), m_pos);
    std::abort();
  }
  const std::size_t end = std::min(buf.size(), m_limits.max_head_bytes);
  while (m_pos < end) {
    const auto c = static_cast<unsigned char>(buf[m_pos++]);
    if (m_cr) {
      if (c != '\n') return fail(400, "bare CR");
      m_cr = false;
      const std::string_view line = buf.substr(m_line_start, m_pos - 2 - m_line_start);
      const bool ok = m_phase == Phase::headers ? header_line(line) : request_line(line);
      m_line_start = m_pos;
      if (!ok) return m_result;
      if (m_phase == Phase::done) {
        m_request.target = buf.substr(m_target_begin, m_target_end - m_target_begin);
        m_result.status = ParseStatus::complete;
        m_result.consumed = m_pos;
        return m_result;
      }
      continue;
    }
    if (c == '\r') {
      m_cr = true;
      continue;
    }
    if (c == '\n') return fail(400, "bare LF (lines end with CRLF)");
    // The request-line is checked as it arrives, so that a client sending something other than
    // HTTP hears 400 at once rather than after max_head_bytes or the header timeout.
    switch (m_phase) {
      case Phase::method:
        if (c == ' ') {
          if (m_pos - 1 == m_line_start) return fail(400, "empty method");
          m_target_begin = m_pos;
          m_phase = Phase::target;
        } else if (!is_tchar(c)) {
          return fail(400, is_ctl(c) ? "control character in request-line" : "malformed method");
        }
        break;
      case Phase::target:
        if (c == ' ') {
          if (m_pos - 1 == m_target_begin) return fail(400, "empty request-target");
          m_target_end = m_pos - 1;
          m_phase = Phase::version;
        } else if (!is_uri_char(c)) {
          return fail(400, is_ctl(c) ? "control character in request-line"
                                     : "character not allowed in request-target");
        }
        break;
      case Phase::version:
        if (m_pos - 1 - m_target_end > version_len || (c != 'H' && c != 'T' && c != 'P' &&
                                                       c != '/' && c != '.' && !is_digit(c)))
          return fail(400, is_ctl(c) ? "control character in request-line" : "malformed HTTP version");
        break;
      case Phase::headers:
        if (is_ctl(c) && c != '\t') return fail(400, "control character in header line");
        break;
      case Phase::done:
        break;
    }
  }
  if (m_pos >= m_limits.max_head_bytes) return fail(431, "request head too large");
  m_result.consumed = m_pos;
  return m_result;
}

bool RequestParser::request_line(std::string_view line) noexcept {
  if (m_phase != Phase::version) {
    fail(400, line.empty() ? "empty line before the request-line" : "malformed request-line");
    return false;
  }
  // The line starts at offset 0: no empty line is accepted before it.
  const std::string_view version = line.substr(m_target_end + 1);
  if (version.size() != version_len || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7])) {
    fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    fail(505, "HTTP version not supported (HTTP/1.0 and HTTP/1.1 are)");
    return false;
  }
  m_request.minor_version = version[7] - '0';

  const std::string_view method = line.substr(0, m_target_begin - 1);
  if (method == "GET") {
    m_request.method = Method::get;
  } else if (method == "HEAD") {
    m_request.method = Method::head;
  } else {
    fail(405, "method not allowed (GET and HEAD are)");
    return false;
  }

  const std::string_view target = line.substr(m_target_begin, m_target_end - m_target_begin);
  if (!pct_encodings_valid(target)) {
    fail(400, "malformed percent-encoding in request-target");
    return false;
  }
  if (target.front() != '/' && !absolute_form_valid(target)) {
    fail(400, "request-target neither origin-form nor absolute-form");
    return false;
  }
  m_phase = Phase::headers;
  return true;
}

bool RequestParser::header_line(std::string_view line) noexcept {
  if (line.empty()) return end_of_head();
  if (is_ows(line.front())) {
    fail(400, "obs-fold (header line starting with whitespace)");
    return false;
  }
  if (++m_request.header_count > m_limits.max_headers) {
    fail(431, "too many header lines");
    return false;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    fail(400, "header line without a colon");
    return false;
  }
  const std::string_view name = line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return is_tchar(static_cast<unsigned char>(c));
      })) {
    fail(400, "malformed header name");
    return false;
  }
  const std::string_view value = trim_ows(line.substr(colon + 1));

  if (iequals(name, "host")) {
    if (++m_hosts > 1) {
      fail(400, "more than one Host header");
      return false;
    }
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return is_host_char(static_cast<unsigned char>(c)); })) {
      fail(400, "malformed Host");
      return false;
    }
  } else if (iequals(name, "content-length")) {
    if (m_content_length) {
      fail(400, "more than one Content-Length header");
      return false;
    }
    m_content_length = true;
    if (value.empty() || !std::all_of(value.begin(), value.end(),
                                      [](char c) { return is_digit(static_cast<unsigned char>(c)); })) {
      fail(400, "malformed Content-Length");
      return false;
    }
    if (value.find_first_not_of('0') != std::string_view::npos) {
      fail(400, "request body not accepted (Content-Length > 0)");
      return false;
    }
  } else if (iequals(name, "transfer-encoding")) {
    fail(400, "request body not accepted (Transfer-Encoding)");
    return false;
  } else if (iequals(name, "connection")) {
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view token = trim_ows(rest.substr(0, comma));
      if (iequals(token, "close")) m_conn_close = true;
      if (iequals(token, "keep-alive")) m_conn_keep_alive = true;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return true;
}

bool RequestParser::end_of_head() noexcept {
  if (m_request.minor_version == 1 && m_hosts == 0) {
    fail(400, "missing Host header (HTTP/1.1 needs one)");
    return false;
  }
  m_request.keep_alive =
      m_request.minor_version == 1 ? !m_conn_close : (m_conn_keep_alive && !m_conn_close);
  m_phase = Phase::done;
  return true;
}

std::string_view request_path(std::string_view target) noexcept {
  if (!target.empty() && target.front() != '/') {
    const std::size_t scheme_end = target.find("://");
    target = scheme_end == std::string_view::npos ? std::string_view() : target.substr(scheme_end + 3);
    const std::size_t path = target.find_first_of("/?");
    if (path == std::string_view::npos || target[path] == '?') return "/";
    target = target.substr(path);
  }
  return target.substr(0, target.find('?'));
}

std::string_view status_text(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

}  // namespace http
