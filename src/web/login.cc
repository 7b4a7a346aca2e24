// The login page. The form carries a token that must match a cookie set
// with it (login CSRF); the session cookie is set in ui.cc.
#include "web/pages.h"

namespace ds::web::internal {

net::Response LoginPage(Ctx& c, std::string_view error) {
  Result<std::string> token = RandomToken();
  if (!token.ok()) {
    return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                   c.t("Keine Zufallszahlen verfügbar."));
  }
  auto value = [&](const char* name) {
    auto it = c.form.find(name);
    return it == c.form.end() ? std::string() : Esc(it->second);
  };
  std::string m = "<div class=\"login\"><h1>" + Esc(c.t("Anmelden")) + "</h1>";
  if (!error.empty()) {
    m += "<div class=\"notice bad\" role=\"alert\" id=\"login-fehler\"><p>" +
         Esc(error) + "</p></div>";
  }
  m += "<form method=\"post\" action=\"/anmelden\">"
       "<input type=\"hidden\" name=\"_login\" value=\"" +
       Esc(*token) + "\">";
  m += "<div class=\"field\"><label for=\"mandant\">" + Esc(c.t("Mandant")) +
       "</label><input id=\"mandant\" name=\"mandant\" required "
       "autocomplete=\"organization\" value=\"" +
       value("mandant") + "\"></div>";
  m += "<div class=\"field\"><label for=\"benutzer\">" +
       Esc(c.t("Benutzername")) +
       "</label><input id=\"benutzer\" name=\"benutzer\" required "
       "autocomplete=\"username\" value=\"" +
       value("benutzer") + "\"></div>";
  m += "<div class=\"field\"><label for=\"passwort\">" + Esc(c.t("Passwort")) +
       "</label><input id=\"passwort\" name=\"passwort\" type=\"password\" "
       "required autocomplete=\"current-password\"></div>";
  m += "<button type=\"submit\">" + Esc(c.t("Anmelden")) +
       "</button></form></div>";

  net::Response r = Html(200, Frame(c, c.t("Anmelden"), m, ""));
  r.headers["Set-Cookie"] = "ds_login=" + *token +
                            "; Path=/anmelden; HttpOnly; SameSite=Strict" +
                            (c.options.secure_cookies ? "; Secure" : "");
  return r;
}

}  // namespace ds::web::internal
