#include "web/tender_view.h"

#include "api/api.h"
#include "domain/money.h"
#include "domain/time.h"
#include "http/problem.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ParisTime(const json& j, const char* key) {
  auto t = domain::ParseInstant(Str(j, key));
  return t.ok() ? Escape(domain::FormatInstantParis(*t)) : "—";
}

std::string Euros(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return "—";
  auto m = domain::MoneyFromEuros(it->get<double>());
  return m.ok() ? Escape(domain::FormatEurosFr(*m)) : "—";
}

std::string Label(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? Escape(Str(*it, "label")) : "—";
}

std::string StateCode(const json& tender) {
  auto it = tender.find("state");
  return it != tender.end() && it->is_object() ? Str(*it, "code") : std::string();
}

std::string Bytes(int64_t n) {
  if (n >= (int64_t{1} << 20)) return Count(n >> 20) + "&nbsp;Mio";
  if (n >= 1024) return Count(n >> 10) + "&nbsp;Kio";
  return Count(n) + "&nbsp;octets";
}

std::string PagerLinks(const std::string& path, const std::string& after, const json& next) {
  if (after.empty() && !next.is_string()) return {};
  std::string h = "<nav aria-label=\"Pages\"><ul>";
  if (!after.empty()) h += "<li><a href=\"" + Escape(path) + "\">Première page</a></li>";
  if (next.is_string())
    h += "<li><a rel=\"next\" href=\"" + Escape(path) + "?apres=" +
         Escape(api::UrlEncode(next.get<std::string>())) + "\">Page suivante</a></li>";
  return h + "</ul></nav>";
}

http::Response RefusedPage(const Status& status, const std::string& back_href) {
  int code = http::HttpStatusFor(status.code());
  std::string title, why;
  switch (status.code()) {
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      title = "Action impossible à ce stade";
      why = "L'état de la consultation ne permet pas cette action.";
      break;
    case ErrorCode::kPermissionDenied:
      title = "Action non autorisée";
      why = "Votre compte n'a pas le droit de faire cette action sur cette consultation.";
      break;
    case ErrorCode::kNotFound:
      title = "Introuvable";
      why = "Ce que vous demandez n'existe pas, ou n'est pas visible depuis votre compte.";
      break;
    case ErrorCode::kResourceExhausted:
      code = 413;
      title = "Fichier trop volumineux";
      why = "Le fichier dépasse la taille maximale publiée avec la consultation.";
      break;
    case ErrorCode::kInvalidArgument:
      title = "Données incorrectes";
      why = "Une donnée envoyée n'est pas acceptée.";
      break;
    default:
      title = "Erreur";
      why = "L'action n'a pas pu être faite ; rien n'a été enregistré à moitié.";
  }
  std::string m = "<h1>" + title + "</h1><p role=\"alert\">" + why + "</p>";
  // The service's French text when it has one; else its English message, marked as such.
  if (!status.french().empty())
    m += "<p id=\"regle\">Motif : " + Escape(status.french()) + ".";
  else
    m += "<p id=\"regle\">Règle appliquée : <q lang=\"en\">" + Escape(status.message()) + "</q>";
  if (!status.field().empty()) m += " (champ <code>" + Escape(status.field()) + "</code>)";
  m += "</p><p><a href=\"" + Escape(back_href) + "\">Retour</a></p>";
  http::Response r = Page(code, title, m);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace limpide::web
