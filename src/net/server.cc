// The HTTP server on Boost.Beast: one coroutine per connection on an
// io_context run by `threads` threads. Handlers run synchronously on those
// threads. Kept the only translation unit that includes Beast.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "core/encoding.h"
#include "net/http.h"
#include "net/listen.h"

namespace ds::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' becomes a space only in query strings.
std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() &&
        HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : PercentDecode(pair.substr(eq + 1), true);
    if (!key.empty()) out.emplace(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Counts requests between "header read" and "response written" so that
// Stop() can let them finish.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& n) : n_(n) { ++n_; }
  ~InFlight() { --n_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& n_;
};

class BeastServer : public HttpServer {
 public:
  BeastServer(const ServerOptions& options, Router router)
      : options_(options), router_(std::move(router)), acceptor_(ioc_) {
    if (options_.spool_dir.empty()) {
      options_.spool_dir = std::filesystem::temp_directory_path();
    }
  }
  ~BeastServer() override { Stop(); }

  Status Bind(const std::string& host, const std::string& port);
  void Run();

  uint16_t port() const override { return port_; }
  std::string base_url() const override {
    return "http://" + url_host_ + ":" + std::to_string(port_);
  }
  void Stop() override;

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
  asio::awaitable<void> ReadBody(beast::tcp_stream& stream,
                                 beast::flat_buffer& buffer,
                                 bhttp::request_parser<bhttp::empty_body>& hp,
                                 Request& req, Response& resp,
                                 bool& keep_alive);
  asio::awaitable<bool> Write(beast::tcp_stream& stream, Response& resp,
                              bool keep_alive, unsigned version);
  asio::awaitable<void> Drain(beast::tcp_stream& stream);
  Response Handle(Request& req) const;
  std::chrono::seconds timeout() const {
    return std::chrono::seconds(options_.read_timeout_seconds);
  }

  ServerOptions options_;
  Router router_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<int> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::once_flag stop_once_;
  uint16_t port_ = 0;
  std::string url_host_;
};

Status BeastServer::Bind(const std::string& host, const std::string& port) {
  boost::system::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Unavailable("http server: resolve " + host + ": " + ec.message());
  }
  tcp::endpoint ep = results.begin()->endpoint();
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("http server: bind " + host + ":" + port + ": " +
                       ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  auto addr = acceptor_.local_endpoint().address();
  if (addr.is_unspecified()) {
    url_host_ = addr.is_v6() ? "[::1]" : "127.0.0.1";
  } else {
    url_host_ = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  }
  return Status::Ok();
}

void BeastServer::Run() {
  asio::co_spawn(ioc_, Accept(), asio::detached);
  int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void BeastServer::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_ = true;
    std::promise<void> closed;
    asio::post(ioc_, [&] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      closed.set_value();
    });
    if (!threads_.empty()) closed.get_future().wait();

    // Let running requests finish (bounded), then drop idle connections.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  });
}

asio::awaitable<void> BeastServer::Accept() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      continue;
    }
    asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
  }
}

Response BeastServer::Handle(Request& req) const {
  try {
    return router_.Dispatch(req);
  } catch (const std::exception& e) {
    return Response::Problem(Internal(std::string("handler threw: ") + e.what()),
                             req.path);
  }
}

asio::awaitable<void> BeastServer::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }

  while (!stopping_) {
    bhttp::request_parser<bhttp::empty_body> hp;
    hp.header_limit(64 * 1024);
    hp.body_limit(boost::none);  // ReadBody() applies max_body
    stream.expires_after(timeout());
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, hp, kTuple);
    if (ec) {
      // A request that is not HTTP gets a 400 before the connection
      // closes; a peer that hung up or stalled gets nothing.
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        Response bad = Response::Problem(
            InvalidInput(ec == bhttp::error::header_limit ? "request header too large"
                                                          : "malformed HTTP request"),
            "");
        co_await Write(stream, bad, false, 11);
      }
      break;
    }
    InFlight guard(in_flight_);

    // The request line and headers.
    const auto& h = hp.get();
    Request req;
    req.method = std::string(h.method_string());
    req.target = std::string(h.target());
    std::string_view target = req.target;
    size_t qmark = target.find('?');
    req.path = PercentDecode(target.substr(0, qmark), false);
    if (qmark != std::string_view::npos) {
      req.query = ParseQuery(target.substr(qmark + 1));
    }
    for (const auto& field : h) {
      req.headers[std::string(field.name_string())] = std::string(field.value());
    }
    req.remote_address = remote;
    bool keep_alive = hp.keep_alive();
    unsigned version = h.version();

    // The body (memory or spool file), then the handler.
    Response resp;
    resp.status = 0;
    co_await ReadBody(stream, buffer, hp, req, resp, keep_alive);
    if (resp.status == 0) resp = Handle(req);
    if (!req.body_file.empty()) {
      std::error_code rm;
      std::filesystem::remove(req.body_file, rm);
    }
    if (resp.status < 0) break;  // the body could not be read

    bool ok = co_await Write(stream, resp, keep_alive && !stopping_, version);
    if (!ok || !keep_alive || stopping_) {
      if (ok && resp.status == 413) co_await Drain(stream);
      break;
    }
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Reads the body the header announced. Sets `resp` to a 413 problem if the
// body is above max_body, or resp.status = -1 if the connection failed.
asio::awaitable<void> BeastServer::ReadBody(
    beast::tcp_stream& stream, beast::flat_buffer& buffer,
    bhttp::request_parser<bhttp::empty_body>& hp, Request& req, Response& resp,
    bool& keep_alive) {
  auto too_large = [&] {
    resp = Response::Problem(
        TooLarge("request body above " + std::to_string(options_.max_body) +
                 " bytes"),
        req.path);
    keep_alive = false;
  };

  auto length = hp.content_length();
  if (length && *length > options_.max_body) {
    too_large();
    co_return;
  }

  // Expect: 100-continue (curl sends it for large uploads).
  if (beast::iequals(req.header("Expect"), "100-continue")) {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_,
                                            hp.get().version()};
    stream.expires_after(timeout());
    auto [ec, n] = co_await bhttp::async_write(stream, cont, kTuple);
    if (ec) {
      resp.status = -1;
      co_return;
    }
  }

  bool spool = !length || *length > options_.spool_threshold;
  if (hp.is_done()) spool = false;
  if (spool) {
    bhttp::request_parser<bhttp::file_body> p(std::move(hp));
    p.body_limit(options_.max_body);
    std::filesystem::path path =
        options_.spool_dir / ("ds-spool-" + NewUuid() + ".body");
    boost::system::error_code ec;
    p.get().body().open(path.c_str(), beast::file_mode::write, ec);
    if (ec) {
      resp = Response::Problem(
          EnvironmentError("http server: spool file: " + ec.message()),
          req.path);
      keep_alive = false;
      co_return;
    }
    req.body_file = path;
    while (!p.is_done()) {
      stream.expires_after(timeout());
      auto [rec, n] = co_await bhttp::async_read_some(stream, buffer, p, kTuple);
      if (rec == bhttp::error::body_limit) {
        too_large();
        co_return;
      }
      if (rec) {
        resp.status = -1;
        co_return;
      }
    }
    p.get().body().close();
    std::error_code sec;
    req.body_size = std::filesystem::file_size(path, sec);
    co_return;
  }

  bhttp::request_parser<bhttp::string_body> p(std::move(hp));
  p.body_limit(options_.max_body);
  while (!p.is_done()) {
    stream.expires_after(timeout());
    auto [rec, n] = co_await bhttp::async_read_some(stream, buffer, p, kTuple);
    if (rec == bhttp::error::body_limit) {
      too_large();
      co_return;
    }
    if (rec) {
      resp.status = -1;
      co_return;
    }
  }
  req.body = std::move(p.get().body());
  req.body_size = req.body.size();
}

template <typename Message>
asio::awaitable<bool> WriteMessage(beast::tcp_stream& stream, Message& msg,
                                   std::chrono::seconds timeout) {
  bhttp::serializer<false, typename Message::body_type> sr(msg);
  while (!sr.is_done()) {
    stream.expires_after(timeout);
    auto [ec, n] = co_await bhttp::async_write_some(stream, sr, kTuple);
    if (ec) co_return false;
  }
  co_return true;
}

template <typename Message>
void CopyHeaders(const Response& resp, Message& msg, bool keep_alive) {
  for (const auto& [name, value] : resp.headers) msg.set(name, value);
  msg.keep_alive(keep_alive);
}

asio::awaitable<bool> BeastServer::Write(beast::tcp_stream& stream,
                                         Response& resp, bool keep_alive,
                                         unsigned version) {
  if (!resp.file.empty()) {
    bhttp::response<bhttp::file_body> msg{
        static_cast<bhttp::status>(resp.status), version};
    boost::system::error_code ec;
    msg.body().open(resp.file.c_str(), beast::file_mode::scan, ec);
    if (!ec) {
      CopyHeaders(resp, msg, keep_alive);
      msg.prepare_payload();
      co_return co_await WriteMessage(stream, msg, timeout());
    }
    resp = Response::Problem(
        EnvironmentError("http server: open response file: " + ec.message()),
        "");
  }
  bhttp::response<bhttp::string_body> msg{
      static_cast<bhttp::status>(resp.status), version};
  CopyHeaders(resp, msg, keep_alive);
  msg.body() = std::move(resp.body);
  msg.prepare_payload();
  co_return co_await WriteMessage(stream, msg, timeout());
}

// After a 413 the client may still be sending: read and discard for a short
// while so that it sees the response instead of a connection reset.
asio::awaitable<void> BeastServer::Drain(beast::tcp_stream& stream) {
  std::array<char, 16384> scratch;
  uint64_t drained = 0;
  stream.expires_after(std::chrono::seconds(2));
  while (drained < (64ull << 20)) {
    auto [ec, n] =
        co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
    drained += n;
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(
    const ServerOptions& options, Router router) {
  Result<ListenAddress> where = ParseListen(options.listen);
  if (!where.ok()) {
    Status st = where.status();
    return st.Prepend("http server");
  }
  const std::string& host = where->host;
  const std::string& port = where->port;

  auto server = std::make_unique<BeastServer>(options, std::move(router));
  DS_RETURN_IF_ERROR(server->Bind(host, port));
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace ds::net
