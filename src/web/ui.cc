// The Ui: routes, the session guard in front of every page, cookies, CSRF,
// language choice, security headers and the embedded static assets.
#include <chrono>

#include "core/encoding.h"
#include "core/text.h"
#include "web/assets.h"
#include "web/pages.h"

namespace ds::web {
namespace internal {
namespace {

constexpr char kCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
constexpr size_t kMaxForm = 64 * 1024;

void SecurityHeaders(net::Response& r) {
  r.headers["Content-Security-Policy"] = kCsp;
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Referrer-Policy"] = "no-referrer";
  r.headers["Cross-Origin-Opener-Policy"] = "same-origin";
  r.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 &&
               Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < body.size()) {
    size_t amp = body.find('&', i);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(i, amp - i);
    size_t eq = pair.find('=');
    std::string key = FormDecode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1));
    out.emplace(std::move(key), std::move(value));
    i = amp + 1;
  }
  return out;
}

std::string Cookie(const net::Request& r, std::string_view name) {
  std::string header = r.header("Cookie");
  std::string_view h = header;
  size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ';')) ++i;
    size_t end = h.find(';', i);
    if (end == std::string_view::npos) end = h.size();
    std::string_view item = h.substr(i, end - i);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) {
      return std::string(item.substr(eq + 1));
    }
    i = end + 1;
  }
  return "";
}

Lang ChooseLang(const net::Request& r) {
  std::string chosen = Cookie(r, "ds_lang");
  if (chosen == "en") return Lang::kEn;
  if (chosen == "de") return Lang::kDe;
  // Accept-Language: English only if it comes before any German.
  std::string al = r.header("Accept-Language");
  size_t en = al.find("en"), de = al.find("de");
  if (en != std::string::npos && (de == std::string::npos || en < de)) {
    return Lang::kEn;
  }
  return Lang::kDe;
}

std::string SessionCookieName(const WebOptions& o) {
  return o.secure_cookies ? "__Host-ds_session" : "ds_session";
}

std::string CookieAttributes(const WebOptions& o) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") +
         (o.secure_cookies ? "; Secure" : "");
}

using PageFn = net::Response (*)(Ctx&);

enum class Guard { kPublic, kSession };

struct Env {
  records::Store& store;
  Accounts& accounts;
  const WebOptions& options;
  Logger& logger;
};

net::Response Run(const Env& env, PageFn fn, Guard guard,
                  const net::Request& request) {
  Ctx c{.store = env.store,
        .accounts = env.accounts,
        .options = env.options,
        .request = request,
        .lang = ChooseLang(request)};
  if (request.method == "POST") {
    if (request.body_size > kMaxForm) {
      return Message(c, 413, c.t("Eingabe zu groß"),
                     c.t("Die Eingabe ist zu groß."));
    }
    Result<std::string> body = request.ReadBody(kMaxForm);
    if (body.ok()) c.form = ParseForm(*body);
  }
  if (guard == Guard::kPublic) return fn(c);

  Result<Session> s =
      env.accounts.FindSession(Cookie(request, SessionCookieName(env.options)));
  if (!s.ok()) {
    if (s.status().code() != Code::kUnauthenticated) {
      return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                     c.t("Die Datenbank ist nicht erreichbar."));
    }
    net::Response r = Redirect("/anmelden");
    if (request.header("HX-Request") == "true") {
      r.headers["HX-Redirect"] = "/anmelden";
    }
    return r;
  }
  c.session = std::move(*s);
  // Every state-changing request carries the session's token.
  if (request.method == "POST") {
    auto it = c.form.find("_csrf");
    if (it == c.form.end() ||
        !ConstantTimeEquals(it->second, c.session->csrf)) {
      return Message(c, 403, c.t("Sicherheitsprüfung fehlgeschlagen"),
                     c.t("Das Formular ist abgelaufen. Bitte laden Sie die "
                         "Seite neu und versuchen Sie es noch einmal."));
    }
  }
  return fn(c);
}

net::Handler Wrap(const Env& env, const char* route, PageFn fn, Guard guard) {
  return [env, route, fn, guard](const net::Request& request) {
    auto start = std::chrono::steady_clock::now();
    net::Response r = Run(env, fn, guard, request);
    SecurityHeaders(r);
    if (!r.headers.count("Cache-Control"))
      r.headers["Cache-Control"] = "no-store";
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    env.logger.Info("web.request", {{"method", request.method},
                                    {"route", route},
                                    {"status", r.status},
                                    {"ms", static_cast<int64_t>(ms)}});
    return r;
  };
}

// Login and logout need the cookie names and attributes, so they live here.
net::Response LoginSubmit(const Env& env, const net::Request& request) {
  Ctx c{.store = env.store,
        .accounts = env.accounts,
        .options = env.options,
        .request = request,
        .lang = ChooseLang(request)};
  Result<std::string> body = request.ReadBody(kMaxForm);
  if (body.ok()) c.form = ParseForm(*body);
  // Login CSRF: the form's token must equal the cookie set with the form.
  std::string pre = Cookie(request, "ds_login");
  auto it = c.form.find("_login");
  if (pre.size() != 43 || it == c.form.end() ||
      !ConstantTimeEquals(it->second, pre)) {
    return LoginPage(c, c.t("Das Formular ist abgelaufen. Bitte melden Sie "
                            "sich noch einmal an."));
  }
  Result<Login> in = env.accounts.LogIn(c.form["mandant"], c.form["benutzer"],
                                        c.form["passwort"]);
  if (!in.ok()) {
    // The reason, so that an operator tells an account under attack
    // (locked) from typing errors; the tenant only where the account exists
    // (what was typed into an unknown one may be a password); never the
    // user name.
    const std::string reason = in.status().code() == Code::kUnauthenticated
                                   ? in.status().message()
                                   : std::string("error");
    const bool known = reason == "locked" || reason == "wrong-password";
    env.logger.Info("web.login",
                    {{"outcome", "refused"},
                     {"reason", reason},
                     {"tenant", known ? c.form["mandant"] : std::string()}});
    if (in.status().code() != Code::kUnauthenticated) {
      return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                     c.t("Die Datenbank ist nicht erreichbar."));
    }
    net::Response r = LoginPage(
        c, c.t("Anmeldung fehlgeschlagen. Prüfen Sie Mandant, Benutzername "
               "und Passwort. Nach 5 Fehlversuchen wird ein Konto für 15 "
               "Minuten gesperrt."));
    r.status = 401;
    return r;
  }
  env.logger.Info("web.login", {{"outcome", "ok"}});
  (void)env.accounts.Sweep();  // expired sessions of everyone
  net::Response r = Redirect("/posteingang");
  r.headers["Set-Cookie"] = SessionCookieName(env.options) + "=" +
                            in->session_id + CookieAttributes(env.options);
  return r;
}

net::Response Logout(const Env& env, const net::Request& request) {
  net::Response r = Redirect("/anmelden");
  Result<Session> s =
      env.accounts.FindSession(Cookie(request, SessionCookieName(env.options)));
  if (s.ok()) {
    Result<std::string> body = request.ReadBody(kMaxForm);
    auto form = ParseForm(body.ok() ? *body : "");
    if (!ConstantTimeEquals(form["_csrf"], s->csrf)) {
      r.status = 403;
      r.headers.erase("Location");
      return r;
    }
    (void)env.accounts.EndSession(s->id_hash);
  }
  r.headers["Set-Cookie"] = SessionCookieName(env.options) + "=; Max-Age=0" +
                            CookieAttributes(env.options);
  return r;
}

}  // namespace

net::Response Html(int status, std::string body) {
  net::Response r =
      net::Response::Text(status, std::move(body), "text/html; charset=utf-8");
  SecurityHeaders(r);
  return r;
}

net::Response Redirect(const std::string& location) {
  net::Response r = net::Response::Empty(303);
  r.headers["Location"] = location;
  return r;
}

std::string CsrfField(const Ctx& c) {
  return "<input type=\"hidden\" name=\"_csrf\" value=\"" +
         Esc(c.session ? c.session->csrf : "") + "\">";
}

}  // namespace internal

using namespace internal;

Ui::Ui(WebOptions options, std::unique_ptr<sql::Db> db)
    : options_(std::move(options)), db_(std::move(db)) {}
Ui::~Ui() = default;

Result<std::unique_ptr<Ui>> Ui::Create(WebOptions options,
                                       std::unique_ptr<sql::Db> db) {
  if (!options.store || !db)
    return InvalidInput("web ui: store and db required");
  DS_RETURN_IF_ERROR(Migrate(*db));
  std::unique_ptr<Ui> ui(new Ui(std::move(options), std::move(db)));
  ui->accounts_ = std::make_unique<Accounts>(*ui->db_, ui->options_.sessions);
  DS_RETURN_IF_ERROR(ui->accounts_->Sweep());
  return ui;
}

void Ui::AddRoutes(net::Router& router) {
  Logger& logger = options_.logger ? *options_.logger : DefaultLogger();
  Env env{*options_.store, *accounts_, options_, logger};
  auto page = [&](const char* method, const char* route, PageFn fn,
                  Guard guard = Guard::kSession) {
    router.Add(method, route, Wrap(env, route, fn, guard));
  };
  router.Add("GET", "/",
             [](const net::Request&) { return Redirect("/posteingang"); });
  // A browser that asks for a page that does not exist (or with a method
  // it does not take) gets a page in its language, not the API's problem
  // JSON; API clients keep the JSON.
  router.OnUnmatched([env](const net::Request& r,
                           int status) -> std::optional<net::Response> {
    if (r.path.starts_with("/api/") ||
        r.header("Accept").find("text/html") == std::string::npos) {
      return std::nullopt;
    }
    Ctx c{.store = env.store,
          .accounts = env.accounts,
          .options = env.options,
          .request = r,
          .lang = ChooseLang(r)};
    net::Response out =
        status == 405 ? Message(c, 405, c.t("Nicht möglich"),
                                c.t("Diese Adresse kann so nicht aufgerufen "
                                    "werden."))
                      : Message(c, 404, c.t("Seite nicht gefunden"),
                                c.t("Diese Seite gibt es nicht. Prüfen Sie die "
                                    "Adresse oder beginnen Sie beim "
                                    "Posteingang."));
    out.headers["Cache-Control"] = "no-store";
    return out;
  });
  page(
      "GET", "/anmelden", [](Ctx& c) { return LoginPage(c); }, Guard::kPublic);
  router.Add("POST", "/anmelden", [env](const net::Request& r) {
    net::Response out = LoginSubmit(env, r);
    SecurityHeaders(out);
    out.headers["Cache-Control"] = "no-store";
    return out;
  });
  router.Add("POST", "/abmelden", [env](const net::Request& r) {
    net::Response out = Logout(env, r);
    SecurityHeaders(out);
    return out;
  });
  page("GET", "/posteingang", InboxPage);
  page("GET", "/vorgaenge/{id}", CasePage);
  page("POST", "/vorgaenge/{id}/akte", CaseAssign);
  page("POST", "/vorgaenge/{id}/metadaten", CaseChange);
  page("GET", "/formate/{id}/inhalt", Download);
  page("GET", "/formate/{id}/vorschau", PreviewPage);
  page("GET", "/formate/{id}/bild", PreviewImage);
  page("GET", "/betrieb", OperatorPage);
  page("GET", "/betrieb/protokoll", AuditPage);
  page("POST", "/vorgaenge/{id}/erneut-senden", CaseRedeliver);
  page("GET", "/betrieb/weiterleitung", RoutingPage);
  page("POST", "/betrieb/weiterleitung/probe", RoutingDryRun);
  page("POST", "/betrieb/zustellungen/{id}/erneut", DeadLetterRedeliver);

  router.Add("GET", "/sprache/{lang}", [](const net::Request& r) {
    std::string lang = r.param("lang") == "en" ? "en" : "de";
    // Back to the page the switch was on: a path of this site only (not
    // "//host", no backslash or control), else the Posteingang.
    auto it = r.query.find("zurueck");
    std::string back = it == r.query.end() ? "" : it->second;
    bool local = back.size() > 1 && back.size() <= 2048 && back[0] == '/' &&
                 back[1] != '/' && back.find('\\') == std::string::npos &&
                 IsPlainText(back) && !back.starts_with("/sprache/");
    net::Response out = Redirect(local ? back : "/posteingang");
    out.headers["Set-Cookie"] =
        "ds_lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Strict";
    SecurityHeaders(out);
    return out;
  });
  // Browsers ask for an icon on their own; the UI has none, and a 404 for
  // every page view would only fill the logs.
  router.Add("GET", "/favicon.ico", [](const net::Request&) {
    net::Response out = net::Response::Empty(204);
    SecurityHeaders(out);
    out.headers["Cache-Control"] = "public, max-age=86400";
    return out;
  });
  router.Add("GET", "/static/{hash}/{name}", [](const net::Request& r) {
    const Asset* a = FindAsset(r.param("name"));
    if (!a || r.param("hash") != a->hash) {
      net::Response nf = net::Response::Text(404, "not found", "text/plain");
      SecurityHeaders(nf);
      return nf;
    }
    net::Response out = net::Response::Text(200, std::string(a->data),
                                            std::string(a->content_type));
    SecurityHeaders(out);
    out.headers["Cache-Control"] = "public, max-age=31536000, immutable";
    return out;
  });
}

bool IsLoopbackListen(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost" ||
         host.rfind("127.", 0) == 0;
}

}  // namespace ds::web
