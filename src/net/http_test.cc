// ds_net over real loopback: the Beast server and the curl client talk to
// each other; raw sockets check keep-alive and the read timeout.
#include "net/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/files.h"
#include "core/testing/testing.h"

namespace ds::net {
namespace {

using ::ds::testing::IsOk;
using ::ds::testing::StatusIs;
using ::ds::testing::TempDir;

std::unique_ptr<HttpServer> StartOrDie(Router router,
                                       ServerOptions options = {}) {
  auto server = HttpServer::Start(options, std::move(router));
  EXPECT_OK(server);
  return std::move(server).value();
}

// Sends raw bytes on a new connection and reads until the peer closes or
// `want_responses` "HTTP/1.1 " status lines have arrived.
std::string RawExchange(uint16_t port, const std::string& bytes,
                        int want_responses, int timeout_seconds = 5) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  timeval tv{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  send(fd, bytes.data(), bytes.size(), 0);
  std::string got;
  char buf[4096];
  while (true) {
    size_t count = 0;
    for (size_t p = got.find("HTTP/1.1 "); p != std::string::npos;
         p = got.find("HTTP/1.1 ", p + 1)) {
      ++count;
    }
    if (want_responses > 0 && static_cast<int>(count) >= want_responses &&
        got.rfind("\r\n\r\n") != std::string::npos &&
        got.size() > got.rfind("\r\n\r\n") + 4) {
      break;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return got;
}

TEST(RedactedUrl, HidesCredentialsQueryAndFragment) {
  EXPECT_EQ(RedactedUrl("https://fv:geheim@h.example:8443/hook?api_key=k&x=1"),
            "https://***@h.example:8443/hook?***");
  EXPECT_EQ(RedactedUrl("http://127.0.0.1:9/eingang"),
            "http://127.0.0.1:9/eingang");
  EXPECT_EQ(RedactedUrl("http://h/a@b/c#frag"), "http://h/a@b/c#***");
  EXPECT_EQ(RedactedUrl("http://token@h"), "http://***@h");
}

TEST(HttpClient, AnUnreachableUrlIsNamedWithoutItsSecrets) {
  int port = 0;
  {
    // A port that was free a moment ago: nothing listens there.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
  }
  auto r = Fetch({.method = "POST",
                  .url = "http://fv:geheim@127.0.0.1:" + std::to_string(port) +
                         "/hook?api_key=sehrgeheim",
                  .timeout_seconds = 5});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("geheim"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos);
}

TEST(Headers, CompareCaseInsensitively) {
  Headers h;
  h["Content-Type"] = "a";
  EXPECT_EQ(h.at("content-type"), "a");
  EXPECT_EQ(h.count("CONTENT-TYPE"), 1u);
}

TEST(Router, MatchesParamsAndReports404And405) {
  Router router;
  router.Add("GET", "/v1/items/{id}/parts/{kid}", [](const Request& r) {
    return Response::Text(200, r.param("id") + "," + r.param("kid"),
                          "text/plain");
  });
  Request req;
  req.method = "GET";
  req.path = "/v1/items/a1/parts/k2";
  EXPECT_EQ(router.Dispatch(req).body, "a1,k2");

  req.path = "/v1/items/a1/parts";
  EXPECT_EQ(router.Dispatch(req).status, 404);

  req.method = "DELETE";
  req.path = "/v1/items/a1/parts/k2";
  Response refused = router.Dispatch(req);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.headers["Allow"], "GET");
  auto problem = nlohmann::json::parse(refused.body);
  EXPECT_EQ(problem["status"], 405);
  EXPECT_EQ(problem["title"], "MethodNotAllowed");
}

TEST(Router, MiddlewareCanStopARequest) {
  Router router;
  router.Add("GET", "/x", [](const Request&) { return Response::Empty(204); });
  router.Use([](Request& r) -> std::optional<Response> {
    if (r.header("Authorization").empty()) {
      return Response::Problem(Status(Code::kUnauthenticated, "no token"),
                               r.path);
    }
    return std::nullopt;
  });
  Request req;
  req.method = "GET";
  req.path = "/x";
  EXPECT_EQ(router.Dispatch(req).status, 401);
  req.headers["authorization"] = "Bearer t";
  EXPECT_EQ(router.Dispatch(req).status, 204);
}

TEST(HttpServer, ServesJsonWithParamsQueryAndHeaders) {
  Router router;
  router.Add("POST", "/v1/things/{id}", [](const Request& r) {
    nlohmann::json j;
    j["id"] = r.param("id");
    j["path"] = r.path;
    j["limit"] = r.query.count("limit") ? r.query.at("limit") : "";
    j["q"] = r.query.count("q") ? r.query.at("q") : "";
    j["body"] = r.body;
    j["ct"] = r.header("content-type");
    j["remote"] = r.remote_address;
    Response resp = Response::Json(201, j);
    resp.headers["X-Echo"] = "yes";
    return resp;
  });
  auto server = StartOrDie(std::move(router));

  ClientRequest req;
  req.method = "POST";
  req.url =
      server->base_url() + "/v1/things/a%20b?limit=5&q=" + UrlEncode("x&y z");
  req.headers["Content-Type"] = "application/json";
  req.body = R"({"k":1})";
  auto resp = Fetch(req);
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->headers["x-echo"], "yes");
  auto j = nlohmann::json::parse(resp->body);
  EXPECT_EQ(j["id"], "a b");
  EXPECT_EQ(j["limit"], "5");
  EXPECT_EQ(j["q"], "x&y z");
  EXPECT_EQ(j["body"], R"({"k":1})");
  EXPECT_EQ(j["ct"], "application/json");
  EXPECT_EQ(j["remote"], "127.0.0.1");
}

TEST(HttpServer, UnknownPathIsProblem404) {
  auto server = StartOrDie(Router());
  auto resp = Fetch({.url = server->base_url() + "/nothing"});
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 404);
  EXPECT_EQ(resp->headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(resp->body)["status"], 404);
}

TEST(HttpServer, BodyAboveMaxIsRejectedWith413) {
  std::atomic<int> calls{0};
  Router router;
  router.Add("POST", "/up", [&](const Request&) {
    ++calls;
    return Response::Empty(204);
  });
  auto server = StartOrDie(std::move(router), {.max_body = 1000});

  ClientRequest req{.method = "POST", .url = server->base_url() + "/up"};
  req.body = std::string(5000, 'x');
  auto resp = Fetch(req);
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 413);
  EXPECT_EQ(nlohmann::json::parse(resp->body)["status"], 413);
  EXPECT_EQ(calls, 0);

  req.body = std::string(1000, 'x');
  resp = Fetch(req);
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 204);
}

TEST(HttpServer, ChunkedBodyAboveMaxIsRejectedWith413) {
  Router router;
  router.Add("POST", "/up",
             [](const Request&) { return Response::Empty(204); });
  auto server = StartOrDie(std::move(router), {.max_body = 10});
  std::string got = RawExchange(
      server->port(),
      "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "14\r\n01234567890123456789\r\n0\r\n\r\n",
      1);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 413")) << got;
}

TEST(HttpServer, SpoolsLargeBodiesToAFileAndRemovesItAfterwards) {
  TempDir spool;
  std::filesystem::path seen_file;
  std::string seen_content;
  uint64_t seen_size = 0;
  Router router;
  router.Add("POST", "/up", [&](const Request& r) {
    seen_file = r.body_file;
    seen_size = r.body_size;
    auto body = r.ReadBody();
    if (body.ok()) seen_content = *body;
    return Response::Empty(r.body.empty() ? 204 : 500);
  });
  auto server = StartOrDie(std::move(router),
                           {.spool_threshold = 100, .spool_dir = spool.path()});

  std::string payload(100000, 'a');
  payload[77777] = 'b';
  auto resp = Fetch(
      {.method = "POST", .url = server->base_url() + "/up", .body = payload});
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 204);
  EXPECT_EQ(seen_file.parent_path(), spool.path());
  EXPECT_EQ(seen_size, payload.size());
  EXPECT_EQ(seen_content, payload);
  EXPECT_FALSE(std::filesystem::exists(seen_file));
}

TEST(HttpServer, ASpooledBodyAboveTheHandlersLimitDoesNotNameTheSpoolFile) {
  TempDir spool;
  Router router;
  router.Add("POST", "/up", [&](const Request& r) {
    auto body = r.ReadBody(1000);
    if (body.ok()) return Response::Empty(204);
    return Response::Problem(body.status(), r.path);
  });
  auto server = StartOrDie(std::move(router),
                           {.spool_threshold = 100, .spool_dir = spool.path()});
  auto resp = Fetch({.method = "POST",
                     .url = server->base_url() + "/up",
                     .body = std::string(5000, 'x')});
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 413);
  EXPECT_EQ(resp->body.find(spool.path().string()), std::string::npos)
      << resp->body;
  EXPECT_EQ(resp->body.find("ds-spool-"), std::string::npos) << resp->body;
}

TEST(HttpServer, StreamsAFileResponseAndClientUploadsAndDownloadsFiles) {
  TempDir dir;
  std::string content(3u << 20, '\0');
  for (size_t i = 0; i < content.size(); ++i)
    content[i] = static_cast<char>(i * 7);
  ASSERT_OK(WriteFileAtomic(dir.path() / "in.bin", content));

  Router router;
  router.Add("POST", "/echo", [&](const Request& r) {
    // Keep the spool file: copy it before the server removes it.
    std::filesystem::copy_file(r.body_file, dir.path() / "stored.bin");
    Response resp;
    resp.status = 200;
    resp.headers["Content-Type"] = "application/octet-stream";
    resp.file = dir.path() / "stored.bin";
    return resp;
  });
  auto server = StartOrDie(std::move(router));

  ClientRequest req{.method = "POST", .url = server->base_url() + "/echo"};
  req.body_file = dir.path() / "in.bin";
  req.out_file = dir.path() / "out.bin";
  auto resp = Fetch(req);
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_TRUE(resp->body.empty());
  EXPECT_EQ(resp->headers["Content-Length"], std::to_string(content.size()));
  auto out = ReadFile(dir.path() / "out.bin");
  ASSERT_OK(out);
  EXPECT_TRUE(*out == content);
}

TEST(HttpServer, KeepsConnectionsAlive) {
  Router router;
  router.Add("GET", "/n", [](const Request&) {
    return Response::Text(200, "ok", "text/plain");
  });
  auto server = StartOrDie(std::move(router));
  std::string got = RawExchange(server->port(),
                                "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"
                                "GET /n HTTP/1.1\r\nHost: x\r\n\r\n",
                                2);
  size_t first = got.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos) << got;
  EXPECT_NE(got.find("HTTP/1.1 200", first + 1), std::string::npos) << got;
}

TEST(HttpServer, ClosesConnectionsThatStallBeyondTheReadTimeout) {
  auto server = StartOrDie(Router(), {.read_timeout_seconds = 1});
  auto start = std::chrono::steady_clock::now();
  std::string got = RawExchange(server->port(), "GET /n HTTP/1.1\r\nHo", 0, 10);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got, "");
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_GE(waited, std::chrono::milliseconds(900));
}

TEST(HttpServer, AnswersMalformedRequestsWith400BeforeClosing) {
  Router router;
  router.Add("GET", "/x", [](const Request&) { return Response::Empty(204); });
  auto server = StartOrDie(std::move(router));
  for (const std::string& bad :
       {std::string("GARBAGE\r\n\r\n"),
        std::string("GET /x HTTP/1.1\r\nHost x\r\n\r\n"),
        std::string("GET /x HTTP/1.1\r\nHost: a\r\nX: ") +
            std::string(70000, 'a') + "\r\n\r\n"}) {
    std::string got = RawExchange(server->port(), bad, 1);
    EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got.substr(0, 200);
    EXPECT_NE(got.find("application/problem+json"), std::string::npos);
  }
  // A peer that stalls mid-header gets no answer (the read timeout closes
  // its connection later), and other connections are served meanwhile.
  EXPECT_EQ(RawExchange(server->port(), "GET /x HT", 0, 1), "");
  EXPECT_EQ(RawExchange(server->port(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 1)
                .rfind("HTTP/1.1 204", 0),
            0u);
}

TEST(HttpServer, HandlerExceptionBecomes500) {
  Router router;
  router.Add("GET", "/boom",
             [](const Request&) -> Response { throw std::runtime_error("x"); });
  auto server = StartOrDie(std::move(router));
  auto resp = Fetch({.url = server->base_url() + "/boom"});
  ASSERT_OK(resp);
  EXPECT_EQ(resp->status, 500);
}

TEST(HttpServer, RunsHandlersOnSeveralThreads) {
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  Router router;
  router.Add("GET", "/slow", [&](const Request&) {
    int now = ++running;
    int prev = max_running.load();
    while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    --running;
    return Response::Empty(204);
  });
  auto server = StartOrDie(std::move(router), {.threads = 3});
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      auto r = Fetch({.url = server->base_url() + "/slow"});
      EXPECT_OK(r);
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_GE(max_running, 2);
}

TEST(HttpServer, StopFinishesRunningRequests) {
  std::atomic<bool> entered{false};
  Router router;
  router.Add("GET", "/slow", [&](const Request&) {
    entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Response::Text(200, "done", "text/plain");
  });
  auto server = StartOrDie(std::move(router));
  Result<ClientResponse> resp = Internal("not run");
  std::thread client(
      [&] { resp = Fetch({.url = server->base_url() + "/slow"}); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server->Stop();
  client.join();
  ASSERT_OK(resp);
  EXPECT_EQ(resp->body, "done");
  EXPECT_THAT(
      Fetch({.url = server->base_url() + "/slow", .timeout_seconds = 2}),
      StatusIs(Code::kUnavailable));
}

TEST(HttpServer, BindFailureIsUnavailable) {
  auto first = StartOrDie(Router());
  auto second = HttpServer::Start(
      {.listen = "127.0.0.1:" + std::to_string(first->port())}, Router());
  EXPECT_THAT(second, StatusIs(Code::kUnavailable));
}

TEST(HttpServer, ListenAddressesWithoutHostOrWithABadPortAreRefused) {
  // Without a host the server would listen on every interface; a port above
  // 65535 would wrap around to another one.
  for (const char* listen : {"", ":18475", "18476", "127.0.0.1:99999",
                             "127.0.0.1:", "127.0.0.1:x", "[::1]:123456"}) {
    EXPECT_THAT(HttpServer::Start({.listen = listen}, Router()),
                StatusIs(Code::kInvalidInput))
        << listen;
  }
  auto v6 = HttpServer::Start({.listen = "[::1]:0"}, Router());
  if (v6.ok()) (*v6)->Stop();  // a machine without IPv6 refuses to bind
  EXPECT_OK(HttpServer::Start({.listen = "127.0.0.1:0"}, Router()));
}

TEST(Fetch, UnreachableServerIsUnavailable) {
  uint16_t port;
  {
    auto server = StartOrDie(Router());
    port = server->port();
  }
  auto resp = Fetch({.url = "http://127.0.0.1:" + std::to_string(port) + "/",
                     .timeout_seconds = 2});
  EXPECT_THAT(resp, StatusIs(Code::kUnavailable));
}

TEST(Fetch, TimesOutAsUnavailable) {
  Router router;
  router.Add("GET", "/slow", [](const Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    return Response::Empty(204);
  });
  auto server = StartOrDie(std::move(router));
  auto resp =
      Fetch({.url = server->base_url() + "/slow", .timeout_seconds = 1});
  EXPECT_THAT(resp, StatusIs(Code::kUnavailable));
}

TEST(Fetch, ResponseAboveLimitIsTooLarge) {
  Router router;
  router.Add("GET", "/big", [](const Request&) {
    return Response::Text(200, std::string(10000, 'x'), "text/plain");
  });
  auto server = StartOrDie(std::move(router));
  EXPECT_THAT(Fetch({.url = server->base_url() + "/big", .max_response = 100}),
              StatusIs(Code::kTooLarge));
}

TEST(UrlEncode, EncodesReservedCharacters) {
  EXPECT_EQ(UrlEncode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
}

}  // namespace
}  // namespace ds::net
