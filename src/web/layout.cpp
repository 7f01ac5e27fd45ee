// The page frame and shared helpers, moved out of pages.cpp for the search
// page (search_page.cpp).
#include "web/layout.h"

#include "http/problem.h"
#include "web/pages.h"

namespace limpide::web {

// "8 767": French digit grouping with a narrow no-break space.
std::string Count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u202f";
    out += digits[i];
  }
  return out;
}

http::Response Page(int status, const std::string& title, const std::string& main) {
  std::string html;
  html.reserve(main.size() + 2048);
  html +=
      "<!doctype html>\n<html lang=\"fr\" data-theme=\"light\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  html += Escape(title);
  html +=
      " — Limpide</title>\n<link rel=\"stylesheet\" href=\"/static/pico.min.css\">\n"
      "<link rel=\"stylesheet\" href=\"/static/limpide.css\">\n</head>\n<body>\n"
      "<a class=\"skip-link\" href=\"#contenu\">Aller au contenu</a>\n"
      "<header class=\"container\"><nav aria-label=\"Navigation principale\"><ul><li><a "
      "href=\"/\"><strong>Limpide</strong></a></li></ul>"
      "<ul><li><a href=\"/consultations\">Consultations</a></li>"
      "<li><a href=\"/contrats\">Contrats</a></li><li><a href=\"/recherche\">Recherche</a></li>"
      "<li><a href=\"/registre\">Registre "
      "public</a></li><li><a href=\"/api/v1/openapi.json\">API</a></li>"
      "<li><a href=\"/espace\">Mon espace</a></li></ul></nav></header>\n"
      "<main class=\"container\" id=\"contenu\">\n";
  html += main;
  html +=
      "\n</main>\n<footer class=\"container\"><small>Données essentielles de la commande publique "
      "(DECP), "
      "Licence Ouverte 2.0. Limpide, plateforme ouverte de la commande "
      "publique.</small></footer>\n</body>\n</html>\n";
  http::Response r;
  r.status = status;
  r.body = std::move(html);
  r.SetHeader("Content-Type", "text/html; charset=utf-8");
  return r;
}

http::Response ErrorPage(const Status& status) {
  const int code = http::HttpStatusFor(status.code());
  std::string title = code == 404   ? "Page introuvable"
                      : code == 400 ? "Demande incorrecte"
                                    : "Erreur";
  std::string main = "<h1>" + title + "</h1><p>" + Escape(status.message()) +
                     "</p><p><a href=\"/\">Retour à l'accueil</a></p>";
  return Page(code, title, main);
}

}  // namespace limpide::web
