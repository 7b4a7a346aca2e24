// The webhook's TLS trust: a receiver on loopback with a certificate of its
// own CA is refused under the system's trust store and reached with the
// target's ca_file. The receiver is `openssl s_server` (real TLS; it does
// not answer the POST, so a reached receiver shows as a timeout or an empty
// reply, never as a certificate or connection error).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/testing/testing.h"
#include "router/transport.h"

namespace ds::router {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

TEST(WebhookTls, TrustsTheConfiguredCaFileOnly) {
  ds::testing::TempDir tmp;
  std::string key = (tmp.path() / "key.pem").string();
  std::string cert = (tmp.path() / "cert.pem").string();
  std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " +
                     key + " -out " + cert +
                     " -days 1 -subj /CN=127.0.0.1 -addext "
                     "subjectAltName=IP:127.0.0.1 >/dev/null 2>&1";
  ASSERT_EQ(std::system(make.c_str()), 0);
  int port = FreePort();
  pid_t pid = fork();
  if (pid == 0) {
    std::string accept = std::to_string(port);
    execlp("openssl", "openssl", "s_server", "-accept", accept.c_str(), "-cert",
           cert.c_str(), "-key", key.c_str(), "-www", "-quiet",
           static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  for (int i = 0; i < 100 && !Accepts(port); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  TargetConfig target{
      .id = "fv",
      .tenant = "t",
      .url = "https://127.0.0.1:" + std::to_string(port) + "/hook",
      .secret = "0123456789abcdef",
      .timeout_seconds = 2};
  Outgoing out{.delivery_id = "d", .idempotency_key = "d", .body = "{}"};

  auto untrusted = MakeWebhookTransport(target)->Deliver(out);
  target.ca_file = cert;
  auto trusted = MakeWebhookTransport(target)->Deliver(out);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  ASSERT_OK(untrusted);
  ASSERT_OK(trusted);
  EXPECT_FALSE(untrusted->delivered);
  EXPECT_NE(untrusted->detail.find("certificate"), std::string::npos)
      << untrusted->detail;
  EXPECT_EQ(trusted->detail.find("certificate"), std::string::npos)
      << trusted->detail;
  EXPECT_EQ(trusted->detail.find("SSL"), std::string::npos) << trusted->detail;
  EXPECT_EQ(trusted->detail.find("connect"), std::string::npos)
      << trusted->detail;
}

}  // namespace
}  // namespace ds::router
